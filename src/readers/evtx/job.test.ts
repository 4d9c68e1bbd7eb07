// The worker transport (job.ts): records packed as the window's bytes plus value locations, values left undecoded
// by the parsing thread, then built from the bytes, give exactly the events and diagnostics of in-thread parsing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import type { Diagnostic } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { jobEvents, learnBuilds, runJobPacked, unpack, type EvtxJob } from './job.js';
import { compileFlat, type FlatBuild } from './plan.js';
import { readWindowSync, windowsOf } from './window.js';

/** Every job of `file` both ways: packed then unpacked (as a worker's result), and streamed in this thread. */
function bothWays(absPath: string, size: number, builds: FlatBuild[]): { packed: WinEvent[]; direct: WinEvent[]; pd: Diagnostic[]; dd: Diagnostic[]; viaBuilders: number } {
  const packed: WinEvent[] = [];
  const direct: WinEvent[] = [];
  const pd: Diagnostic[] = [];
  const dd: Diagnostic[] = [];
  let viaBuilders = 0;
  for (const window of windowsOf(size, 2)) {
    const job: EvtxJob = { absPath, path: 'f.evtx', size, window };
    const r = runJobPacked(job);
    learnBuilds(r, builds, compileFlat);
    pd.push(...r.diagnostics);
    for (let m = 2; m < r.meta.length; m += 6) if (r.meta[m]! >= 0) viaBuilders++;
    packed.push(...unpack('f.evtx', r, builds));
    direct.push(...jobEvents(job, (d) => void dd.push(d)));
  }
  return { packed, direct, pd, dd, viaBuilders };
}

test('packed jobs equal in-thread parsing on every regression file and damaged copies', { skip: !hasShared && 'needs ../shared' }, () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-job-'));
  const builds: FlatBuild[] = [];
  let events = 0;
  let viaBuilders = 0;
  let damagedEvents = 0;
  try {
    for (const [i, m] of manifest.entries()) {
      const orig = new Uint8Array(readFileSync(join(sharedDir, 'sigma', m.data_path)));
      const variants = [orig];
      // Flipped bytes inside the records (values, sizes, tokens): lazily left values must fail exactly as decoded ones.
      for (let v = 0; v < 3; v++) {
        const bad = orig.slice();
        for (let k = 0; k < 1 + v; k++) bad[4096 + 512 + ((i * 131 + v * 4099 + k * 577) % Math.max(1, Math.min(orig.length - 4608, 6000)))] ^= [0x01, 0x80, 0xff][(v + k) % 3]!;
        variants.push(bad);
      }
      for (const [k, buf] of variants.entries()) {
        const p = join(dir, 'f.evtx');
        writeFileSync(p, buf);
        const r = bothWays(p, buf.length, builds);
        assert.deepStrictEqual(r.packed, r.direct, `${m.data_path} variant ${k}`);
        assert.deepStrictEqual(r.pd, r.dd, `${m.data_path} variant ${k} diagnostics`);
        events += r.packed.length;
        viaBuilders += r.viaBuilders;
        if (k > 0) damagedEvents += r.packed.length;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(events > 700, `events compared (${events})`);
  assert.ok(viaBuilders > events / 2, `most records built from locations (${viaBuilders} of ${events})`);
  assert.ok(damagedEvents > 0);
});

test('a recycled buffer reads a window exactly as fresh memory does (stale bytes zeroed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-win-'));
  try {
    // A header, two full chunk slots and a partial third: every window shape, including the short read at the end.
    const file = new Uint8Array(4096 + 2 * 65536 + 5000).map((_, i) => (i * 31 + 7) & 0xff);
    const p = join(dir, 'w.evtx');
    writeFileSync(p, file);
    for (const per of [1, 2, 3]) {
      for (const w of windowsOf(file.length, per)) {
        const fresh = readWindowSync(p, file.length, w);
        const spare = new ArrayBuffer(4096 + 3 * 65536);
        new Uint8Array(spare).fill(0xaa);
        assert.deepStrictEqual(readWindowSync(p, file.length, w, spare), fresh, `window ${w.firstSlot}+${w.slots}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
