// CRC32 (zlib / RFC 1952, initial value 0) used by EVTX file headers, chunk headers and record data.
// Native zlib.crc32 when Node has it (20.15+), else a table-driven fallback; never copies the buffer.

import * as zlib from 'node:zlib';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Table-driven CRC32 (exported for the test that checks it against the native one). */
export function crc32Table(buf: Uint8Array, start: number, end: number, crc = 0): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** Continue a CRC32 over buf[start, end); pass the previous result as `crc` to chain ranges. */
export function crc32(buf: Uint8Array, start: number, end: number, crc = 0): number {
  if (native && end - start > 64) return native(buf.subarray(start, end), crc) >>> 0;
  return crc32Table(buf, start, end, crc);
}
