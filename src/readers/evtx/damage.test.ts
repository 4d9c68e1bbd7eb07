// Damaged-file suite built from the regression EVTX files: truncation, overwritten chunk header, flipped record
// bytes, a redirected template pointer, zeros, dirty and stale headers, multi-chunk files with empty slots.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import type { Diagnostic, DiagnosticCode } from '../../diagnostics.js';
import { parseEvtx, type EvtxRecord } from './index.js';
import { crc32 } from './crc32.js';

const SEVEN = 'regression_data/rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/efc21479-9e83-41da-8cf1-122e06ba8db3.evtx';
const SIX = 'regression_data/rules-emerging-threats/2025/Malware/Shai-Hulud/proc_creation_win_mal_shai_hulud_malicious_node_bun_execution/5299fadf-f228-4526-8274-251db1960be9.evtx';
const FOUR = 'regression_data/rules/windows/registry/registry_set/registry_set_disable_system_restore/5de03871-5d46-4539-a82d-3aa992a69a83.evtx';
const skip = !hasShared && 'needs ../shared';

function load(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(sharedDir, 'sigma', rel)));
}

function parse(buf: Uint8Array): { recs: EvtxRecord[]; diags: Diagnostic[]; codes: Set<DiagnosticCode> } {
  const diags: Diagnostic[] = [];
  const recs = [...parseEvtx(buf, 'x.evtx', (d) => diags.push(d))];
  return { recs, diags, codes: new Set(diags.map((d) => d.code)) };
}

function recordSizes(buf: Uint8Array, recs: EvtxRecord[]): number[] {
  const dv = new DataView(buf.buffer, buf.byteOffset);
  return recs.map((r) => dv.getUint32(r.offset + 4, true));
}

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('truncated at random offsets: every record wholly before the cut survives, the cut is reported', { skip }, () => {
  const orig = load(SEVEN);
  const clean = parse(orig).recs;
  const sizes = recordSizes(orig, clean);
  assert.equal(clean.length, 7);
  const rand = rng(7);
  const cuts = [0, 100, 4096, 4096 + 300, 4096 + 512 + 10, ...Array.from({ length: 40 }, () => 4096 + 512 + Math.floor(rand() * (orig.length - 4608)))];
  for (const cut of cuts) {
    const { recs, diags } = parse(orig.slice(0, cut));
    const expected = clean.filter((r, i) => r.offset + sizes[i]! <= cut);
    assert.deepEqual(recs.map((r) => r.data), expected.map((r) => r.data), `cut at ${cut}`);
    if (cut < orig.length) assert.ok(diags.length > 0, `cut at ${cut} must be reported`);
  }
});

test('chunk header overwritten: records are recovered by scanning, damage reported', { skip }, () => {
  const orig = load(SIX);
  const clean = parse(orig).recs;
  const buf = orig.slice();
  buf.fill(0xaa, 4096, 4096 + 128);
  const { recs, codes } = parse(buf);
  assert.ok(codes.has('EVTX_BAD_CHUNK'));
  assert.deepEqual(recs.map((r) => r.data), clean.map((r) => r.data));
});

test('bytes flipped inside the last record: checksum mismatch reported, the other records intact', { skip }, () => {
  const orig = load(SEVEN);
  const clean = parse(orig).recs;
  const sizes = recordSizes(orig, clean);
  const last = clean[clean.length - 1]!;
  const buf = orig.slice();
  const at = last.offset + sizes[sizes.length - 1]! - 40;
  for (let i = 0; i < 8; i++) buf[at + i] ^= 0x5a;
  const { recs, codes } = parse(buf);
  assert.ok(codes.has('EVTX_RECORD_CHECKSUM'));
  assert.deepEqual(recs.slice(0, 6).map((r) => r.data), clean.slice(0, 6).map((r) => r.data));
});

test('a middle record with a broken size: reported, later records found again by resynchronisation', { skip }, () => {
  const orig = load(SEVEN);
  const clean = parse(orig).recs;
  const buf = orig.slice();
  new DataView(buf.buffer).setUint32(clean[3]!.offset + 4, 0x00ffffff, true);
  const { recs, codes } = parse(buf);
  assert.ok(codes.has('EVTX_BAD_RECORD'));
  const want = clean.filter((_, i) => i !== 3);
  assert.deepEqual(recs.map((r) => r.data), want.map((r) => r.data));
});

test('a template pointer redirected: that record reports a missing template, the others parse', { skip }, () => {
  const orig = load(SEVEN);
  const clean = parse(orig).recs;
  for (const target of [0x00ffff00, 0x300, 100]) {
    const buf = orig.slice();
    // Record BinXML: fragment header (4 bytes), 0x0C, unknown byte, template id u32, definition offset u32.
    new DataView(buf.buffer).setUint32(clean[2]!.offset + 24 + 4 + 6, target, true);
    const { recs, codes } = parse(buf);
    assert.ok(codes.has('EVTX_MISSING_TEMPLATE') || codes.has('EVTX_BAD_BINXML'), `target 0x${target.toString(16)}`);
    assert.deepEqual(recs.map((r) => r.data), clean.filter((_, i) => i !== 2).map((r) => r.data));
  }
});

test('a file of zeros and an empty file: no records, reported, no crash', () => {
  for (const buf of [new Uint8Array(69632), new Uint8Array(0), new Uint8Array(4096 + 65536 * 3)]) {
    const { recs, codes } = parse(buf);
    assert.equal(recs.length, 0);
    assert.ok(codes.has('EVTX_BAD_FILE_HEADER'));
  }
});

test('dirty flag and stale counters: every chunk slot is read, dirtiness reported as info', { skip }, () => {
  const a = load(SEVEN);
  const b = load(SIX);
  const c = load(FOUR);
  // Header of A claiming one chunk, then A's chunk, an unused (zero) slot, B's chunk and C's chunk.
  const buf = new Uint8Array(4096 + 4 * 65536);
  buf.set(a.subarray(0, 4096 + 65536), 0);
  buf.set(b.subarray(4096), 4096 + 2 * 65536);
  buf.set(c.subarray(4096), 4096 + 3 * 65536);
  const dv = new DataView(buf.buffer);
  dv.setUint32(120, dv.getUint32(120, true) | 1, true);
  dv.setUint32(124, crc32(buf, 0, 120), true);
  const { recs, diags } = parse(buf);
  const want = [...parse(a).recs, ...parse(b).recs, ...parse(c).recs].map((r) => r.data);
  assert.deepEqual(recs.map((r) => r.data), want);
  assert.deepEqual([...new Set(recs.map((r) => r.chunk))], [0, 2, 3]);
  assert.ok(diags.some((d) => d.code === 'EVTX_DIRTY' && d.severity === 'info'));
  assert.ok(diags.every((d) => d.severity === 'info'), JSON.stringify(diags));
});

test('records past a stale free-space offset are still read (dirty chunk)', { skip }, () => {
  const orig = load(SEVEN);
  const clean = parse(orig).recs;
  const buf = orig.slice();
  const dv = new DataView(buf.buffer);
  dv.setUint32(4096 + 48, clean[4]!.offset - 4096, true); // free space claims only 4 records
  const { recs, codes } = parse(buf);
  assert.ok(codes.has('EVTX_DIRTY'));
  assert.deepEqual(recs.map((r) => r.data), clean.map((r) => r.data));
});

test('diagnostics carry file, chunk and offset', { skip }, () => {
  const orig = load(SEVEN);
  const buf = orig.slice();
  new DataView(buf.buffer).setUint32(parse(orig).recs[1]!.offset + 4, 3, true);
  const d = parse(buf).diags.find((x) => x.code === 'EVTX_BAD_RECORD');
  assert.ok(d?.location);
  assert.equal(d.location.path, 'x.evtx');
  assert.equal(d.location.chunk, 0);
  assert.equal(d.location.offset, parse(orig).recs[1]!.offset);
});
