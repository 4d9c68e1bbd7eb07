// Reading an EVTX file read-only in windows of chunk slots (header area + N chunks), so memory stays flat on
// multi-gigabyte logs and worker threads can each read their own part of a file.

import { openSync, readSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { CHUNK_SIZE, FILE_HEADER_SIZE, chunkSlots } from './parse.js';

/** Chunk slots per window: 256 × 64 KiB = 16 MiB. */
export const WINDOW_SLOTS = 256;

export interface Window {
  firstSlot: number;
  slots: number;
}

/** Windows covering every chunk slot of a file of `size` bytes (one empty window for a header-only file). */
export function windowsOf(size: number, per = WINDOW_SLOTS): Window[] {
  const total = chunkSlots(size);
  const out: Window[] = [];
  for (let s = 0; s < total; s += per) out.push({ firstSlot: s, slots: Math.min(per, total - s) });
  if (out.length === 0) out.push({ firstSlot: 0, slots: 0 });
  return out;
}

function layout(size: number, w: Window): { len: number; chunkStart: number; chunkLen: number } {
  const chunkStart = FILE_HEADER_SIZE + w.firstSlot * CHUNK_SIZE;
  const chunkLen = Math.max(0, Math.min(size, chunkStart + w.slots * CHUNK_SIZE) - chunkStart);
  const headLen = w.firstSlot === 0 ? Math.min(size, FILE_HEADER_SIZE) : FILE_HEADER_SIZE;
  return { len: chunkLen > 0 ? FILE_HEADER_SIZE + chunkLen : headLen, chunkStart, chunkLen };
}

/**
 * Window bytes: the file header (or zeros for later windows) then the window's chunks. `spare`, when big enough,
 * holds them instead of new memory (a worker's recycled buffer); whatever the file does not fill is zeroed.
 */
export function readWindowSync(absPath: string, size: number, w: Window, spare?: ArrayBuffer): Uint8Array {
  const { len, chunkStart, chunkLen } = layout(size, w);
  const reuse = spare !== undefined && spare.byteLength >= len;
  const buf = reuse ? new Uint8Array(spare, 0, len) : new Uint8Array(len);
  const fd = openSync(absPath, 'r');
  try {
    const headLen = Math.min(len, FILE_HEADER_SIZE);
    const head = w.firstSlot === 0 ? readFully((b, o, l, p) => readSync(fd, b, o, l, p), buf, 0, headLen, 0) : 0;
    if (reuse) buf.fill(0, head, headLen);
    if (chunkLen > 0) {
      const got = readFully((b, o, l, p) => readSync(fd, b, o, l, p), buf, FILE_HEADER_SIZE, chunkLen, chunkStart);
      if (reuse) buf.fill(0, FILE_HEADER_SIZE + got, len);
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

export async function readWindow(absPath: string, size: number, w: Window): Promise<Uint8Array> {
  const { len, chunkStart, chunkLen } = layout(size, w);
  const buf = new Uint8Array(len);
  const fh = await open(absPath, 'r');
  try {
    const rd = async (off: number, n: number, pos: number): Promise<void> => {
      let done = 0;
      while (done < n) {
        const { bytesRead } = await fh.read(buf, off + done, n - done, pos + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    };
    if (w.firstSlot === 0) await rd(0, Math.min(len, FILE_HEADER_SIZE), 0);
    if (chunkLen > 0) await rd(FILE_HEADER_SIZE, chunkLen, chunkStart);
  } finally {
    await fh.close();
  }
  return buf;
}

/** Bytes read (fewer than `n` at the end of the file). */
function readFully(read: (b: Uint8Array, o: number, l: number, p: number) => number, buf: Uint8Array, off: number, n: number, pos: number): number {
  let done = 0;
  while (done < n) {
    const r = read(buf, off + done, n - done, pos + done);
    if (r === 0) break;
    done += r;
  }
  return done;
}
