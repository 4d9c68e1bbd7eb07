// Mutation fuzzing of real EVTX files: the reader may never throw past its boundary nor loop forever.
// EXHUNT_FUZZ_CASES sets the number of cases (default 2,000 in CI; millions offline); EXHUNT_FUZZ_SEED replays.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import { parseEvtx, toWinEvent, parseEvtxTrees, toXml, toEvtxJson } from './index.js';

const CASES = Number(process.env['EXHUNT_FUZZ_CASES'] ?? 2000);
const SEED = Number(process.env['EXHUNT_FUZZ_SEED'] ?? 20261126);

/** Deterministic PRNG (mulberry32) so a failing case can be replayed from its seed. */
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

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  let buf = src.slice();
  const pick = (lo: number, hi: number): number => lo + Math.floor(rand() * Math.max(1, hi - lo));
  const n = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rand() * 7);
    // Most mutations hit the record area, where the Binary XML lives.
    if (buf.length === 0) break;
    const at = Math.min(buf.length - 1, rand() < 0.8 ? pick(4096 + 512, buf.length) : pick(0, buf.length));
    const dv = new DataView(buf.buffer);
    switch (kind) {
      case 0:
        buf[at] = Math.floor(rand() * 256);
        break;
      case 1:
        buf[at] ^= 1 << Math.floor(rand() * 8);
        break;
      case 2:
        if (at + 4 <= buf.length) dv.setUint32(at, [0, 1, 0xffffffff, 0x7fffffff, 0x10000, pick(0, 70000)][Math.floor(rand() * 6)]!, true);
        break;
      case 3:
        if (at + 2 <= buf.length) dv.setUint16(at, [0, 0xffff, pick(0, 0x10000)][Math.floor(rand() * 3)]!, true);
        break;
      case 4:
        buf = buf.slice(0, at);
        break;
      case 5: {
        const len = pick(1, 64);
        buf.fill(Math.floor(rand() * 256), at, Math.min(buf.length, at + len));
        break;
      }
      case 6: {
        // Copy a run of bytes from elsewhere (token-shaped garbage).
        const from = pick(4096, src.length - 64);
        buf.set(src.subarray(from, from + Math.min(64, buf.length - at)), at);
        break;
      }
    }
  }
  return buf;
}

test(`fuzz: ${CASES} mutated files never throw and always terminate`, { skip: !hasShared && 'needs ../shared', timeout: 600_000 }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  const files = manifest.slice(0, 40).map((m) => new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path))));
  const rand = rng(SEED);
  let records = 0;
  let diagnostics = 0;
  for (let i = 0; i < CASES; i++) {
    const src = files[Math.floor(rand() * files.length)]!;
    const buf = mutate(src, rand);
    const sink = (): void => void diagnostics++;
    try {
      let n = 0;
      for (const rec of parseEvtx(buf, 'f.evtx', sink)) {
        JSON.stringify(toWinEvent(rec, 'f.evtx'));
        n++;
        // Each record occupies at least 28 bytes: more records than that would mean a loop.
        assert.ok(n <= buf.length / 28);
      }
      if (i % 10 === 0) {
        for (const t of parseEvtxTrees(buf, 'f.evtx', sink)) {
          toXml(t.root);
          JSON.stringify(toEvtxJson(t.root));
        }
      }
      records += n;
    } catch (e) {
      assert.fail(`case ${i} (seed ${SEED}) threw: ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  assert.ok(records > 0 && diagnostics > 0, 'mutations must both keep some records and cause reports');
});
