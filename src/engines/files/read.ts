// Reads one evidence file for the file scan: read-only, never through a link leaving the collection,
// within the size limit; one read gives the content, MD5/SHA-1/SHA-256 and the file times.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';

export interface FileTimes {
  mtime: string;
  ctime: string;
  atime: string;
  /** Creation time where the file system records it, else null. */
  birthtime: string | null;
}

export interface FileRead {
  /** Whole content, or null when the file is over the size limit. */
  data: Buffer | null;
  /** The first bytes (up to 64 KiB), always available. */
  header: Buffer;
  size: number;
  times: FileTimes;
  md5: string | null;
  sha1: string | null;
  sha256: string | null;
}

export const HEADER_BYTES = 64 * 1024;

function iso(d: Date): string {
  return d.toISOString();
}

/** True when `child` is `parent` or inside it (both real paths). */
export function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

export function digests(data: Buffer): { md5: string; sha1: string; sha256: string } {
  return {
    md5: createHash('md5').update(data).digest('hex'),
    sha1: createHash('sha1').update(data).digest('hex'),
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

/**
 * Reads the file or returns null with a diagnostic (link outside the collection, not a regular file,
 * unreadable). Over `maxFileSize` only the header is read, with a FILE_TOO_LARGE warning; `headerOnly`
 * reads just the header, silently (event logs and logs with no log rules to run need no more).
 */
export async function readEvidence(ev: Evidence, maxFileSize: number, realRoot: string, sink: DiagnosticSink, headerOnly = false): Promise<FileRead | null> {
  const location = { path: ev.path };
  try {
    const l = await lstat(ev.absPath);
    if (l.isSymbolicLink()) {
      const target = await realpath(ev.absPath);
      if (!isInside(realRoot, target)) {
        sink({ code: 'SYMLINK_OUTSIDE', severity: 'warning', message: 'link points outside the collection; not followed', location });
        return null;
      }
    }
    const st = l.isSymbolicLink() ? await stat(ev.absPath) : l;
    if (!st.isFile()) return null;
    // O_NOFOLLOW closes the gap between the check above and the open for plain files
    const flags = constants.O_RDONLY | (l.isSymbolicLink() ? 0 : (constants.O_NOFOLLOW ?? 0));
    const fh = await open(ev.absPath, flags);
    try {
      const times: FileTimes = {
        mtime: iso(st.mtime),
        ctime: iso(st.ctime),
        atime: iso(st.atime),
        birthtime: st.birthtimeMs > 0 ? iso(st.birthtime) : null,
      };
      if (headerOnly || st.size > maxFileSize) {
        if (!headerOnly) sink({
          code: 'FILE_TOO_LARGE',
          severity: 'warning',
          message: `${st.size} bytes is over the file scan limit of ${maxFileSize}: YARA and hashes skipped, header checks only`,
          location,
        });
        const header = Buffer.alloc(Math.min(HEADER_BYTES, st.size));
        const { bytesRead } = await fh.read(header, 0, header.length, 0);
        return { data: null, header: header.subarray(0, bytesRead), size: st.size, times, md5: null, sha1: null, sha256: null };
      }
      const data = await fh.readFile();
      return { data, header: data.subarray(0, HEADER_BYTES), size: data.length, times, ...digests(data) };
    } finally {
      await fh.close();
    }
  } catch (err) {
    sink({ code: 'NOT_READABLE', severity: 'warning', message: `cannot read file: ${(err as Error).message}`, location });
    return null;
  }
}
