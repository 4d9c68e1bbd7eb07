// CRC32 (zlib / RFC 1952, initial value 0) used by EVTX file headers, chunk headers and record data.
// Table-driven over a byte range of a shared buffer, so checksumming never copies (research §5.1, §5.2).

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** Continue a CRC32 over buf[start, end); pass the previous result as `crc` to chain ranges. */
export function crc32(buf: Uint8Array, start: number, end: number, crc = 0): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
