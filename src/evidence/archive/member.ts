// One member of an archive as the sources (zip, tar) present it: what it is, its declared sizes, and a way to
// stream its bytes, so the expander applies the same refusals and limits to every format.

export type MemberType = 'file' | 'dir' | 'symlink' | 'other';

export interface Member {
  /** The name as stored (judged by judgeMemberName before use). */
  name: string;
  type: MemberType;
  /** Declared uncompressed size (not trusted: the expander counts the bytes it gets). */
  size: number | null;
  /** Declared compressed size (zip), for the ratio check before inflating. */
  packed: number | null;
  mtime: Date | null;
  encrypted: boolean;
  /**
   * Streams the content to `write`, chunk by chunk in order. Rejects on a wrong password, corrupt data, or when
   * `write` throws (which is how a limit stops inflation). Members of a stream (tar) must be read before the next.
   */
  read(write: (chunk: Uint8Array) => void): Promise<void>;
}

/** An opened archive: its members in stored order, and the archive's own hash once iteration has ended. */
export interface MemberSource {
  members(): AsyncGenerator<Member>;
  /** The compressed bytes consumed so far (for the whole-stream ratio of tar.gz; null for random-access zip). */
  consumed(): number | null;
  /** Every member name up front (zip's central directory), or null for a stream (tar) that tells them as it goes. */
  names(): string[] | null;
  /** Why the archive is read only in part (a zip read from its local headers), for the expander to report. */
  warning?: string;
}

/** Thrown by a source when the archive itself (not one member) cannot be read. */
export class ArchiveUnreadable extends Error {}

/** Thrown by the expander's writer when the archive as a whole must stop (a bomb): the source stops reading it. */
export class StopArchive extends Error {}
