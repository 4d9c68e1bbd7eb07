// A ZIP whose central directory is lost (a truncated download, a damaged end) read from its local file headers
// (APPNOTE 4.3.7): each 'PK\3\4' header found in order gives a member; a member cut by the truncation is damaged.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Member, MemberSource } from './member.js';

const LOCAL = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const CHUNK = 1 << 20;

export interface LocalEntry {
  name: string;
  /** Where the member's data starts, and the furthest it may end (the next header, or the end of the file). */
  dataStart: number;
  dataEnd: number;
  method: number;
  encrypted: boolean;
  /** From the local header; null where a data descriptor after the data holds them (flag bit 3). */
  crc: number | null;
  compressed: number | null;
  size: number | null;
  mtime: Date | null;
}

/** MS-DOS date and time (APPNOTE 4.4.6) as UTC, or null. */
function dosTime(time: number, date: number): Date | null {
  if (date === 0) return null;
  const d = new Date(Date.UTC(1980 + (date >> 9), ((date >> 5) & 15) - 1, date & 31, time >> 11, (time >> 5) & 63, (time & 31) * 2));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The local header at `at` in `b`, or null when the bytes there are not a plausible one. */
function parseHeader(b: Buffer, at: number, fileAt: number): (LocalEntry & { next: number | null }) | null {
  if (at + 30 > b.length) return null;
  const flags = b.readUInt16LE(at + 6);
  const method = b.readUInt16LE(at + 8);
  const nameLen = b.readUInt16LE(at + 26);
  const extraLen = b.readUInt16LE(at + 28);
  if (nameLen === 0 || at + 30 + nameLen + extraLen > b.length || b.readUInt16LE(at + 4) > 63) return null;
  const nameBytes = b.subarray(at + 30, at + 30 + nameLen);
  if (nameBytes.includes(0)) return null;
  const name = nameBytes.toString(flags & 0x800 ? 'utf8' : 'latin1');
  const descriptor = (flags & 8) !== 0;
  let compressed: number | null = descriptor ? null : b.readUInt32LE(at + 18);
  let size: number | null = descriptor ? null : b.readUInt32LE(at + 22);
  // ZIP64: 0xFFFFFFFF sizes are in the extra field 0x0001 (uncompressed, then compressed)
  for (let x = at + 30 + nameLen; x + 4 <= at + 30 + nameLen + extraLen; ) {
    const id = b.readUInt16LE(x);
    const len = b.readUInt16LE(x + 2);
    if (id === 1 && !descriptor && len >= 16) {
      size = Number(b.readBigUInt64LE(x + 4));
      compressed = Number(b.readBigUInt64LE(x + 12));
    }
    x += 4 + len;
  }
  const dataStart = fileAt + 30 + nameLen + extraLen;
  return {
    name,
    dataStart,
    dataEnd: dataStart,
    method,
    encrypted: (flags & 1) !== 0,
    crc: descriptor ? null : b.readUInt32LE(at + 14),
    compressed,
    size,
    mtime: dosTime(b.readUInt16LE(at + 10), b.readUInt16LE(at + 12)),
    next: compressed === null ? null : dataStart + compressed,
  };
}

/** Every local header in file order, skipping over the data of members whose length the header gives. */
export async function scanLocalHeaders(absPath: string): Promise<LocalEntry[]> {
  const fh = await open(absPath, 'r');
  const out: LocalEntry[] = [];
  try {
    const fileSize = (await fh.stat()).size;
    const buf = Buffer.alloc(CHUNK + 30 + 65535 * 2);
    let pos = 0;
    while (pos + 30 <= fileSize) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      const b = buf.subarray(0, bytesRead);
      const i = b.indexOf(LOCAL);
      if (i < 0 || i > CHUNK) {
        pos += Math.max(1, Math.min(bytesRead, CHUNK) - 3);
        continue;
      }
      const e = parseHeader(b, i, pos + i);
      if (e === null) {
        pos += i + 1;
        continue;
      }
      const { next, ...entry } = e;
      if (out.length > 0) out[out.length - 1]!.dataEnd = Math.min(out[out.length - 1]!.dataEnd, pos + i);
      entry.dataEnd = next !== null ? Math.min(next, fileSize) : fileSize;
      out.push(entry);
      pos = next !== null && next > pos + i ? next : e.dataStart;
    }
  } finally {
    await fh.close();
  }
  return out;
}

/**
 * A member's bytes [start, end) of the file, inflated when `method` is 8 (deflate), streamed to `write`: its CRC-32
 * and size. A deflate stream knows its own end, so what follows it (a data descriptor, the next header) is left unread.
 */
export async function inflateRange(absPath: string, start: number, end: number, method: number, write: (chunk: Uint8Array) => void): Promise<{ crc: number; size: number }> {
  const raw = createReadStream(absPath, { start, end: end - 1, highWaterMark: 1 << 20 });
  const stream: Readable = method === 8 ? raw.pipe(createInflateRaw({ chunkSize: 1 << 18 })) : raw;
  raw.on('error', (err) => stream.destroy(err));
  let crc = 0;
  let size = 0;
  try {
    for await (const chunk of stream) {
      crc = crc32(chunk as Buffer, crc);
      size += (chunk as Buffer).length;
      write(chunk as Buffer);
    }
  } finally {
    raw.destroy();
  }
  return { crc, size };
}

async function readEntry(absPath: string, e: LocalEntry, write: (chunk: Uint8Array) => void): Promise<void> {
  if (e.encrypted) throw new Error('encrypted, and the central directory its decryption needs is lost');
  if (e.method !== 0 && e.method !== 8) throw new Error(`compression method ${e.method} is not read without the central directory`);
  if (e.method === 0 && e.compressed === null) throw new Error('stored with a data descriptor: its length was only in the lost central directory');
  if (e.compressed !== null && e.dataStart + e.compressed > e.dataEnd) throw new Error('cut short: the archive ends inside this member');
  if (e.dataEnd <= e.dataStart) return;
  let got: { crc: number; size: number };
  try {
    got = await inflateRange(absPath, e.dataStart, e.dataEnd, e.method, write);
  } catch (err) {
    // the expander's own refusals (limits, bombs) pass through as they are
    if ((err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' || /unexpected end/i.test((err as Error).message)) throw new Error('cut short: the archive ends inside this member');
    throw err;
  }
  const { crc, size } = got;
  if (e.size !== null && size !== e.size) throw new Error(`size ${size} differs from the recorded ${e.size}`);
  if (e.crc !== null && crc >>> 0 !== e.crc >>> 0) throw new Error('CRC-32 mismatch: the member is damaged');
}

/** The members found by their local headers, as a source the expander reads like any other. */
export function localHeaderSource(absPath: string, entries: LocalEntry[]): MemberSource {
  return {
    consumed: () => null,
    names: () => entries.map((e) => e.name),
    async *members(): AsyncGenerator<Member> {
      for (const e of entries) {
        const dir = e.name.endsWith('/') && (e.size === 0 || e.size === null) && e.compressed !== null && e.compressed <= 2;
        yield {
          name: e.name,
          type: dir ? 'dir' : 'file',
          size: e.size,
          // without a recorded compressed size, the most it can be: the ratio check still bounds a bomb
          packed: e.compressed ?? e.dataEnd - e.dataStart,
          mtime: e.mtime,
          encrypted: false, // refused by read(): no password can help without the central directory
          read: (write) => readEntry(absPath, e, write),
        };
      }
    },
  };
}
