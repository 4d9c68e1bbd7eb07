// Evidence: one file found in a scanned path, with the kind its content was recognised as.
// Discovery never opens files for writing; `absPath` is only ever opened read-only.

export type EvidenceKind =
  | 'evtx'
  | 'json'
  | 'iis-w3c'
  | 'exchange-csv'
  | 'file';

export interface Evidence {
  /** Absolute path on this machine (opened read-only). */
  absPath: string;
  /** Path relative to the scanned root, '/' separators; this is what findings cite. */
  path: string;
  /** The scanned root this file was found under (absolute). */
  root: string;
  kind: EvidenceKind;
  size: number;
  /** Modification time as UTC ISO 8601. */
  mtime: string;
  /** SHA-256 of the bytes, when it was computed while the file was made (archive members, while inflating). */
  sha256?: string;
  /**
   * What the collection recorded of the original file (times, the collector's hash); null when the collection
   * keeps such records but not of this file; absent when it keeps none.
   */
  recorded?: RecordedFile | null;
}

export type RecordSource = 'kape-copylog' | 'velociraptor-uploads';

export interface RecordedFile {
  source: RecordSource;
  created: string | null;
  modified: string | null;
  accessed: string | null;
  sha1: string | null;
  sha256: string | null;
}
