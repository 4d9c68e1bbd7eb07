// ZIP members through @zip.js/zip.js: deflate and stored, ZIP64 (archives and entries over 4 GB), AES-256 and
// ZipCrypto with a password. Read in place: the central directory and each member are read by offset from a
// lazy Blob of the file (fs.openAsBlob), so nothing is loaded whole and nothing is extracted under its name.
import { openAsBlob } from 'node:fs';
import { BlobReader, configure, ZipReader, type Entry } from '@zip.js/zip.js';
import { ArchiveUnreadable, type Member, type MemberSource } from './member.js';

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
    throw new ArchiveUnreadable(`not a readable ZIP (${(err as Error).message}): truncated, or its central directory is damaged`);
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
