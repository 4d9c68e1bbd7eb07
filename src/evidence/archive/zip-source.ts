// ZIP members through @zip.js/zip.js: deflate and stored, ZIP64 (archives and entries over 4 GB), AES-256 and
// ZipCrypto with a password. Read in place: the central directory and each member are read by offset from a
// lazy Blob of the file (fs.openAsBlob), so nothing is loaded whole and nothing is extracted under its name.
import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import { BlobReader, configure, ZipReader, type Entry } from '@zip.js/zip.js';
import { ArchiveUnreadable, type Member, type MemberSource } from './member.js';
import { inflateRange, localHeaderSource, scanLocalHeaders } from './zip-local-scan.js';

// Node has no Web Workers; zip.js then inflates in this thread with the platform's DecompressionStream (zlib).
configure({ useWebWorkers: false });

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;

function typeOf(e: Entry): Member['type'] {
  if (e.directory) return 'dir';
  const mode = (e.externalFileAttributes >>> 16) & S_IFMT;
  if (e.symlink || mode === S_IFLNK) return 'symlink';
  // Unix tools record the mode; 0 (DOS-made archives) is a plain file. Devices and pipes are not.
  return mode === 0 || mode === S_IFREG ? 'file' : 'other';
}

/**
 * Plain members (stored or deflated, not encrypted) are inflated by node:zlib straight from a byte range of the
 * file: zip.js's web-stream path costs about twice as much per byte (bench:archive). The CRC is checked as zip.js
 * would. Encrypted or other methods go through zip.js.
 */
async function readPlain(absPath: string, e: Entry, write: (chunk: Uint8Array) => void): Promise<void> {
  const fh = await open(absPath, 'r');
  let start: number;
  try {
    const local = Buffer.alloc(30);
    const { bytesRead } = await fh.read(local, 0, 30, e.offset);
    if (bytesRead < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new Error('local file header not found');
    start = e.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  if (e.compressedSize === 0) return;
  const { crc, size } = await inflateRange(absPath, start, start + e.compressedSize, e.compressionMethod, write);
  if (size !== e.uncompressedSize) throw new Error(`size ${size} differs from the recorded ${e.uncompressedSize}`);
  if (e.signature !== undefined && crc >>> 0 !== e.signature >>> 0) throw new Error('CRC-32 mismatch: the member is damaged');
}

export async function openZip(absPath: string, password: string | null): Promise<MemberSource> {
  let entries: Entry[];
  let reader: ZipReader<Blob>;
  try {
    const blob = await openAsBlob(absPath);
    // Names are judged by the expander (one diagnostic per refused member, the rest still read), not by zip.js,
    // which would refuse the whole archive.
    reader = new ZipReader(new BlobReader(blob), { ...(password !== null ? { password } : {}), filenameValidation: 'tolerant' });
    entries = await reader.getEntries();
  } catch (err) {
    const problem = `not a readable ZIP (${(err as Error).message}): truncated, or its central directory is damaged`;
    const found = await scanLocalHeaders(absPath).catch(() => []);
    if (found.length === 0) throw new ArchiveUnreadable(problem);
    return { ...localHeaderSource(absPath, found), warning: `${problem}; ${found.length} members found by their local headers are read (one cut short is reported)` };
  }
  return {
    consumed: () => null,
    names: () => entries.map((e) => e.filename),
    async *members(): AsyncGenerator<Member> {
      try {
        for (const e of entries) {
          yield {
            name: e.filename,
            type: typeOf(e),
            size: e.uncompressedSize,
            packed: e.compressedSize,
            mtime: e.lastModDate instanceof Date && !Number.isNaN(e.lastModDate.getTime()) ? e.lastModDate : null,
            encrypted: e.encrypted,
            read: async (write) => {
              if (e.directory) return;
              if (!e.encrypted && (e.compressionMethod === 0 || e.compressionMethod === 8)) return readPlain(absPath, e, write);
              await e.getData(new WritableStream<Uint8Array>({ write: (chunk) => write(chunk) }), { checkSignature: true });
            },
          };
        }
      } finally {
        await reader.close();
      }
    },
  };
}
