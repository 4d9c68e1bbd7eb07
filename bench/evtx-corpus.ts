// Builds the EVTX benchmark corpus from ../shared's regression files: each 1–7-record chunk is filled to ~64 KiB
// with copies of its own records (templates referenced, not redefined, as in real logs), then packed into big files.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, parseEvtx } from '../src/readers/evtx/index.js';

const FH = 4096;
const CS = 65536;

/** Cut the inline template definition out of an instance at `at` (chunk offset `pos`): the copy refers back to it. */
function cutInstance(bytes: Uint8Array, at: number, pos: number): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  const defOff = dv.getUint32(at + 6, true);
  if (defOff !== pos + 10) return bytes;
  const defLen = 24 + dv.getUint32(at + 10 + 20, true);
  const out = new Uint8Array(bytes.length - defLen);
  out.set(bytes.subarray(0, at + 10), 0);
  out.set(bytes.subarray(at + 10 + defLen), at + 10);
  return out;
}

/**
 * A record rewritten so that a copy placed anywhere later in the same chunk renders identically: inline
 * template definitions (the record's own and those of nested BinXml values) are cut out and referenced instead.
 */
function asReference(chunk: Uint8Array, rec: number): Uint8Array | undefined {
  const dv = new DataView(chunk.buffer, chunk.byteOffset);
  const size = dv.getUint32(rec + 4, true);
  if (chunk[rec + 24] !== 0x0f || chunk[rec + 28] !== 0x0c) return undefined;
  const whole = chunk.slice(rec, rec + size);
  const defOff = dv.getUint32(rec + 34, true);
  const inlineLen = defOff === rec + 38 ? 24 + dv.getUint32(rec + 38 + 20, true) : 0;
  let out = cutInstance(whole, 28, rec + 28);
  // Instance values: count, descriptors, data; nested BinXml values may define their templates inline too.
  const odv = new DataView(out.buffer);
  const count = odv.getUint32(38, true);
  let vp = 42 + 4 * count;
  const parts: Uint8Array[] = [out.subarray(0, vp)];
  const sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    const vsize = odv.getUint16(42 + 4 * i, true);
    const type = out[42 + 4 * i + 2];
    let v = out.subarray(vp, vp + vsize);
    if (type === 0x21 && vsize > 14 && v[0] === 0x0f && v[4] === 0x0c) v = cutInstance(v.slice(), 4, rec + vp + inlineLen + 4);
    parts.push(v);
    sizes.push(v.length);
    vp += vsize;
  }
  parts.push(out.subarray(vp));
  const total = parts.reduce((a, b) => a + b.length, 0);
  const rebuilt = new Uint8Array(total);
  let q = 0;
  for (const part of parts) {
    rebuilt.set(part, q);
    q += part.length;
  }
  const rdv = new DataView(rebuilt.buffer);
  sizes.forEach((n, i) => rdv.setUint16(42 + 4 * i, n, true));
  rdv.setUint32(4, total, true);
  rdv.setUint32(total - 4, total, true);
  out = rebuilt;
  return out;
}

function copyWorks(file: Uint8Array, chunk: Uint8Array, ref: Uint8Array, data: unknown): boolean {
  const test = file.slice(0, FH + CS);
  const free = new DataView(chunk.buffer).getUint32(48, true);
  if (free + ref.length > CS) return false;
  test.set(ref, FH + free);
  new DataView(test.buffer).setUint32(FH + 48, free + ref.length, true);
  const got = [...parseEvtx(test, 'x', () => undefined)];
  return JSON.stringify(got[got.length - 1]?.data) === JSON.stringify(data);
}

/** One regression chunk filled with copies of its records; undefined if a copy would not parse identically. */
export function densify(file: Uint8Array, firstId: number): { chunk: Uint8Array; records: number } | undefined {
  const chunk = file.slice(FH, FH + CS);
  const dv = new DataView(chunk.buffer);
  const recs = [...parseEvtx(file, 'x', () => undefined)];
  if (recs.length === 0) return undefined;
  // A record whose values hold nested inline definitions cannot be copied as is; keep the ones that can.
  const refs: Uint8Array[] = [];
  const sources: number[] = [];
  recs.forEach((r, k) => {
    const ref = asReference(chunk, r.offset - FH);
    if (ref && copyWorks(file, chunk, ref, r.data)) {
      refs.push(ref);
      sources.push(k);
    }
  });
  if (refs.length === 0) return undefined;
  let p = dv.getUint32(48, true);
  let n = recs.length;
  let i = 0;
  let last = recs[recs.length - 1]!.offset - FH;
  for (;;) {
    const r = refs[i++ % refs.length]!;
    if (p + r.length > CS) break;
    chunk.set(r, p);
    last = p;
    p += r.length;
    n++;
  }
  // Renumber records, then fix the header counters and both checksums.
  let q = 512;
  for (let k = 0; k < n; k++) {
    dv.setBigUint64(q + 8, BigInt(firstId + k), true);
    q += dv.getUint32(q + 4, true);
  }
  chunk.fill(0, p);
  dv.setBigUint64(8, BigInt(firstId), true);
  dv.setBigUint64(16, BigInt(firstId + n - 1), true);
  dv.setBigUint64(24, BigInt(firstId), true);
  dv.setBigUint64(32, BigInt(firstId + n - 1), true);
  dv.setUint32(44, last, true);
  dv.setUint32(48, p, true);
  dv.setUint32(52, crc32(chunk, 512, p), true);
  dv.setUint32(124, crc32(chunk, 128, 512, crc32(chunk, 0, 120)), true);
  // Every copy must render exactly like the record it copies.
  const test = new Uint8Array(FH + CS);
  test.set(file.subarray(0, FH));
  test.set(chunk, FH);
  const got = [...parseEvtx(test, 'x', () => undefined)];
  if (got.length !== n) return undefined;
  for (let k = 0; k < n; k++) {
    const want = k < recs.length ? recs[k]! : recs[sources[(k - recs.length) % sources.length]!]!;
    if (JSON.stringify(got[k]!.data) !== JSON.stringify(want.data)) return undefined;
  }
  return { chunk, records: n };
}

/** Dense chunks from every regression file (in manifest order), with the header of the first file. */
export function denseChunks(sharedDir: string): { header: Uint8Array; chunks: Uint8Array[]; records: number[] } {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  const chunks: Uint8Array[] = [];
  const records: number[] = [];
  let header: Uint8Array | undefined;
  let id = 1;
  for (const m of manifest) {
    const file = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
    header ??= file.slice(0, FH);
    const d = densify(file, id);
    if (!d) continue;
    chunks.push(d.chunk);
    records.push(d.records);
    id += d.records;
  }
  return { header: header!, chunks, records };
}

/** A file: header (chunk count, next record id, CRC fixed) + the given chunks. */
export function packFile(header: Uint8Array, chunks: Uint8Array[], nextId: number): Uint8Array {
  const out = new Uint8Array(FH + chunks.length * CS);
  out.set(header, 0);
  chunks.forEach((c, i) => out.set(c, FH + i * CS));
  const dv = new DataView(out.buffer);
  dv.setBigUint64(8, 0n, true);
  dv.setBigUint64(16, BigInt(chunks.length - 1), true);
  dv.setBigUint64(24, BigInt(nextId), true);
  dv.setUint16(42, Math.min(0xffff, chunks.length), true);
  dv.setUint32(120, 0, true);
  dv.setUint32(124, crc32(out, 0, 120), true);
  return out;
}
