// Archives read in place: each member that is evidence is inflated into a private temp file named by its index
// (never by its stored name), hashed while it is written, and cited as `<archive>!/<member>`. Bombs, traversal
// and absolute names, links, duplicates and damaged members are refused one by one; the rest is still read.
import { closeSync, createReadStream, openSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../evidence.js';
import { SNIFF_BYTES, sniffKind } from '../sniff.js';
import { makeTempDir, removeTempDir } from '../../spill/index.js';
import { judgeMemberName } from './member-name.js';
import { ArchiveUnreadable, StopArchive, type Member, type MemberSource } from './member.js';
import { openZip } from './zip-source.js';
import { openTar } from './tar-source.js';
import { openSevenZip } from './seven-zip-source.js';
import { archiveLayout } from './archive-layout.js';
import { isUploadResults, type CollectionRecords } from '../records.js';

export type ArchiveKind = 'zip' | 'tar' | 'tar.gz' | 'tar.zst' | 'vhdx' | 'vhd' | 'ntfs-image';

export interface ArchiveLimits {
  /** A member inflating past this is refused (bytes). */
  maxMemberBytes: number;
  /** All members of the scan together (bytes of temp files). */
  maxTotalBytes: number;
  /** Inflated ÷ compressed above this is a bomb, once more than `ratioFloor` bytes came out. */
  maxRatio: number;
  ratioFloor: number;
}

// Logs compress 10–50× and deflate cannot pass ~1,030×; 200× past 16 MiB stops a bomb early and no log we know.
export const DEFAULT_LIMITS: ArchiveLimits = { maxMemberBytes: 8 * 2 ** 30, maxTotalBytes: 64 * 2 ** 30, maxRatio: 200, ratioFloor: 16 * 2 ** 20 };

/** An archive read in a scan, for the chain of custody. */
export interface ArchiveRecord {
  path: string;
  kind: ArchiveKind;
  size: number;
  sha256: string | null;
  /** Members read as evidence (nested archives count in their own record). */
  members: number;
  refused: number;
}

export interface ArchiveOptions {
  /** The password of encrypted ZIPs (never echoed). */
  password?: string | null;
  limits?: Partial<ArchiveLimits>;
  /** Where the private temp folder is made (default os.tmpdir()). */
  tempParent?: string;
}

const ZIP = Buffer.from('PK\x03\x04', 'latin1');
const ZIP_EMPTY = Buffer.from('PK\x05\x06', 'latin1');
const GZIP = Buffer.from([0x1f, 0x8b]);
const ZSTD = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);
const VHDX = Buffer.from('vhdxfile', 'latin1');
const VHD = Buffer.from('conectix', 'latin1');
const NTFS = Buffer.from('NTFS    ', 'latin1');

/** The archive kind a file's first bytes (and, for compressed tar, its name) say, or null. */
export function archiveKindOf(head: Buffer, name: string): ArchiveKind | null {
  if (head.subarray(0, 4).equals(ZIP) || head.subarray(0, 4).equals(ZIP_EMPTY)) return 'zip';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  // A lone .gz or .zst is one compressed file, not a collection: only tar ones are opened.
  if (head.subarray(0, 2).equals(GZIP) && /\.(tar\.gz|tgz)$/i.test(name)) return 'tar.gz';
  if (head.subarray(0, 4).equals(ZSTD) && /\.(tar\.zst|tzst)$/i.test(name)) return 'tar.zst';
  // disk containers (KAPE --vhdx/--vhd) and raw NTFS images: read through 7-Zip
  if (head.subarray(0, 8).equals(VHDX)) return 'vhdx';
  if (head.subarray(0, 8).equals(VHD) || /\.vhd$/i.test(name)) return 'vhd'; // a fixed VHD's footer is at its end
  if (head.subarray(3, 11).equals(NTFS) && /\.(dd|raw|img|ntfs)$/i.test(name)) return 'ntfs-image';
  return null;
}

class LimitExceeded extends Error {}

function hashFile(absPath: string): Promise<string | null> {
  return new Promise((resolve) => {
    const h = createHash('sha256');
    createReadStream(absPath, { highWaterMark: 1 << 20 })
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', () => resolve(null));
  });
}

export type SkipSink = (path: string, reason: string) => void;

/** One scan's archives: the temp folder their members go to (removed by dispose, on errors and Ctrl-C too). */
export class ArchiveSession {
  readonly archives: ArchiveRecord[] = [];
  private readonly limits: ArchiveLimits;
  private readonly password: string | null;
  private dir: string | null = null;
  private next = 0;
  private total = 0;

  constructor(private readonly opts: ArchiveOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.password = opts.password ?? null;
  }

  /** The private folder (mode 0700), made on first use. */
  tempDir(): string {
    this.dir ??= makeTempDir('exhunt-archive-', this.opts.tempParent);
    return this.dir;
  }

  dispose(): void {
    if (this.dir !== null) removeTempDir(this.dir);
    this.dir = null;
  }

  /**
   * The evidence inside the archive at `absPath` (cited as `rel`), one level of archives inside it opened too.
   * Problems are diagnostics and skip entries; this never throws for a bad archive.
   */
  async *expand(
    absPath: string,
    rel: string,
    kind: ArchiveKind,
    size: number,
    mtime: Date,
    sink: DiagnosticSink,
    skip: SkipSink,
    records?: CollectionRecords,
    depth = 0,
  ): AsyncGenerator<Evidence> {
    const record: ArchiveRecord = { path: rel, kind, size, sha256: null, members: 0, refused: 0 };
    this.archives.push(record);
    const streamHash = createHash('sha256');
    let source: MemberSource;
    let wholeHash: Promise<string | null> | null = null;
    try {
      if (kind === 'zip') {
        source = await openZip(absPath, this.password);
        wholeHash = hashFile(absPath); // members are read by offset: the archive's own hash is a read of its own
      } else if (kind === 'vhdx' || kind === 'vhd' || kind === 'ntfs-image') {
        source = await openSevenZip(absPath, () => this.tempDir(), this.limits.maxTotalBytes);
        wholeHash = hashFile(absPath);
      } else {
        source = openTar(absPath, kind === 'tar' ? 'none' : kind === 'tar.gz' ? 'gzip' : 'zstd', (c) => streamHash.update(c));
      }
    } catch (err) {
      this.unreadable(rel, err, sink, skip);
      record.sha256 = await hashFile(absPath);
      return;
    }
    if (source.warning) sink({ code: 'ARCHIVE_UNREADABLE', severity: 'warning', message: source.warning, location: { path: rel } });
    const layout = archiveLayout(source.names());
    const seen = new Set<string>();
    let passwordProblem: string | null = null;
    try {
      for await (const m of source.members()) {
        const where = `${rel}!/${m.name}`;
        const refuse = (reason: string): void => {
          record.refused++;
          sink({ code: 'ARCHIVE_MEMBER_REFUSED', severity: 'warning', message: `member refused: ${reason}`, location: { path: where } });
          skip(where, `archive member refused: ${reason}`);
        };
        const verdict = judgeMemberName(m.name);
        if (!verdict.ok) {
          refuse(verdict.reason);
          continue;
        }
        if (m.type === 'dir') continue;
        if (m.type === 'symlink') {
          refuse('symbolic or hard link entry (not followed)');
          continue;
        }
        if (m.type === 'other') {
          skip(where, 'not a regular file (device, pipe or socket)');
          continue;
        }
        const shownParts = layout.shown(verdict.parts);
        const shown = `${rel}!/${shownParts.join('/')}`;
        const meta = layout.metadata(verdict.parts);
        if (meta) {
          skip(shown, meta);
          const last = verdict.parts[verdict.parts.length - 1]!;
          const results = verdict.parts.indexOf('results');
          const recordKind = /_copylog\.csv$/i.test(last) ? 'kape-copylog' : results >= 0 && isUploadResults(last) ? 'velociraptor-uploads' : null;
          if (records && last === 'client_info.json' && !(m.encrypted && this.password === null)) {
            const out = await this.inflate(m, source);
            if (out.ok) {
              records.addClientInfo(out.path, `${rel}!/${verdict.parts.slice(0, -1).map((p) => p + '/').join('')}`, shown, sink);
              unlinkSync(out.path);
            }
          }
          if (records && recordKind && !(m.encrypted && this.password === null)) {
            // the collection's records are read from a temp copy too, then dropped
            const out = await this.inflate(m, source);
            if (out.ok) {
              const dir = recordKind === 'kape-copylog' ? verdict.parts.slice(0, -1) : verdict.parts.slice(0, results);
              records.addFile(recordKind, out.path, `${rel}!/${dir.map((p) => p + '/').join('')}`, shown, sink);
              unlinkSync(out.path);
            }
          }
          continue;
        }
        const key = shownParts.join('/').toLowerCase(); // Windows paths: case decides nothing
        if (seen.has(key)) {
          refuse('duplicate name (the first one is read)');
          continue;
        }
        seen.add(key);
        if (m.encrypted && this.password === null) {
          passwordProblem ??= 'encrypted members and no password: give --password or EXHUNT_ARCHIVE_PASSWORD';
          skip(shown, 'encrypted, no password given');
          continue;
        }
        if (m.encrypted && passwordProblem !== null) {
          skip(shown, 'encrypted, the password is wrong');
          continue;
        }
        const declared = this.declaredProblem(m);
        if (declared) {
          refuse(declared);
          continue;
        }
        const out = await this.inflate(m, source);
        if (!out.ok) {
          if (out.reason === 'password') {
            passwordProblem = 'the password is wrong for its encrypted members';
            skip(shown, 'encrypted, the password is wrong');
          } else if (out.refused) {
            refuse(out.reason);
            if (out.stop) break;
          } else {
            record.refused++;
            sink({ code: 'ARCHIVE_MEMBER_BAD', severity: 'warning', message: `member not readable: ${out.reason}`, location: { path: shown } });
            skip(shown, `archive member damaged: ${out.reason}`);
          }
          continue;
        }
        if (out.size === 0) {
          unlinkSync(out.path);
          skip(shown, 'empty file');
          continue;
        }
        record.members++;
        // The copy's time is the member's stored time, not the moment it was inflated (file findings read it).
        const when = m.mtime ?? mtime;
        utimesSync(out.path, when, when);
        yield { absPath: out.path, path: shown, root: this.tempDir(), kind: sniffKind(out.head), size: out.size, mtime: (m.mtime ?? mtime).toISOString(), sha256: out.sha256 };
        // A zip in the zip (Velociraptor's data.zip, a staged archive) is evidence itself, then its members are.
        const nested = archiveKindOf(out.head, shownParts[shownParts.length - 1]!);
        if (nested !== null) {
          if (depth === 0) yield* this.expand(out.path, shown, nested, out.size, m.mtime ?? mtime, sink, skip, records, depth + 1);
          else skip(shown, 'archive inside an archive inside an archive: its members are not read (one level is)');
        }
      }
    } catch (err) {
      this.unreadable(rel, err, sink, skip);
    }
    if (passwordProblem !== null) {
      sink({ code: 'ARCHIVE_PASSWORD', severity: 'error', message: `${passwordProblem}; they were not read`, location: { path: rel } });
    }
    record.sha256 = wholeHash ? await wholeHash : streamHash.digest('hex');
  }

  private unreadable(rel: string, err: unknown, sink: DiagnosticSink, skip: SkipSink): void {
    const msg = err instanceof ArchiveUnreadable || err instanceof StopArchive ? err.message : `cannot read the archive (${(err as Error).message})`;
    sink({ code: 'ARCHIVE_UNREADABLE', severity: 'error', message: msg, location: { path: rel } });
    skip(rel, `archive not (fully) readable: ${msg}`);
  }

  private declaredProblem(m: Member): string | null {
    if (m.size !== null && m.size > this.limits.maxMemberBytes) return `declared size ${m.size} bytes is over the member limit of ${this.limits.maxMemberBytes}`;
    if (m.size !== null && m.packed !== null && m.size > this.limits.ratioFloor && m.size / Math.max(m.packed, 1) > this.limits.maxRatio) {
      return `compression ratio ${Math.round(m.size / Math.max(m.packed, 1))}:1 is over ${this.limits.maxRatio}:1 (archive bomb)`;
    }
    if (m.size !== null && this.total + m.size > this.limits.maxTotalBytes) return `the archives' total inflated size would pass ${this.limits.maxTotalBytes} bytes`;
    return null;
  }

  /** Inflates one member into a new temp file, counting, hashing and sniffing as it goes. */
  private async inflate(
    m: Member,
    source: MemberSource,
  ): Promise<
    { ok: true; path: string; size: number; sha256: string; head: Buffer } | { ok: false; reason: string; refused?: boolean; stop?: boolean }
  > {
    const path = join(this.tempDir(), `m${String(this.next++).padStart(6, '0')}`);
    const fd = openSync(path, 'wx', 0o600);
    const hash = createHash('sha256');
    const headParts: Buffer[] = [];
    let headLen = 0;
    let size = 0;
    const limits = this.limits;
    const startTotal = this.total;
    try {
      await m.read((chunk) => {
        size += chunk.length;
        if (size > limits.maxMemberBytes) throw new LimitExceeded(`inflates past the member limit of ${limits.maxMemberBytes} bytes`);
        if (startTotal + size > limits.maxTotalBytes) throw new LimitExceeded(`the archives' total inflated size passes ${limits.maxTotalBytes} bytes`);
        if (size > limits.ratioFloor) {
          // zip: this member against its compressed size; tar streams: everything inflated against what was read
          const consumed = source.consumed();
          const ratio = m.packed !== null ? size / Math.max(m.packed, 1) : consumed !== null ? (startTotal + size) / Math.max(consumed, 1) : 0;
          if (ratio > limits.maxRatio) {
            const msg = `compression ratio over ${limits.maxRatio}:1 after ${size} bytes (archive bomb)`;
            throw m.packed !== null ? new LimitExceeded(msg) : new StopArchive(msg);
          }
        }
        if (headLen < SNIFF_BYTES) {
          const take = Buffer.from(chunk.subarray(0, SNIFF_BYTES - headLen));
          headParts.push(take);
          headLen += take.length;
        }
        hash.update(chunk);
        writeSync(fd, chunk);
      });
    } catch (err) {
      closeSync(fd);
      unlinkSync(path);
      if (err instanceof LimitExceeded) return { ok: false, reason: err.message, refused: true };
      if (err instanceof StopArchive) return { ok: false, reason: err.message, refused: true, stop: true };
      const msg = (err as Error).message ?? String(err);
      if (/invalid password|password/i.test(msg)) return { ok: false, reason: 'password' };
      return { ok: false, reason: msg };
    }
    closeSync(fd);
    this.total += size;
    return { ok: true, path, size, sha256: hash.digest('hex'), head: Buffer.concat(headParts) };
  }
}
