// The parallel path (worker threads when compiled, in-thread under tsx) and the Reader give the same events
// in the same order as the synchronous parser: file order, then record order, across chunk-window jobs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasShared, sharedDir } from '../../paths.js';
import type { Diagnostic } from '../../diagnostics.js';
import type { HuntEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import { evtxReader, parseEvtx, readEvtxBatches, readEvtxParallel, toWinEvent } from './index.js';

const skip = !hasShared && 'needs ../shared';

function evidence(absPath: string, path: string, size: number): Evidence {
  return { absPath, path, root: '/', kind: 'evtx', size, mtime: '2026-01-01T00:00:00.000Z' };
}

test('parallel and sequential reading agree, in order, with diagnostics', { skip }, async () => {
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-pool-'));
  try {
    const files: Evidence[] = [];
    // Three multi-chunk files of 9 slots (one slot zeroed), then a damaged one (truncated mid-chunk).
    for (let f = 0; f < 3; f++) {
      const buf = new Uint8Array(4096 + 9 * 65536);
      buf.set(readFileSync(join(sharedDir, 'sigma', manifest[f * 9]!.data_path)).subarray(0, 4096));
      for (let c = 0; c < 9; c++) {
        if (c === 4) continue;
        buf.set(readFileSync(join(sharedDir, 'sigma', manifest[f * 9 + c]!.data_path)).subarray(4096), 4096 + c * 65536);
      }
      const p = join(dir, `f${f}.evtx`);
      writeFileSync(p, buf);
      files.push(evidence(p, `f${f}.evtx`, buf.length));
    }
    const damaged = readFileSync(join(sharedDir, 'sigma', manifest[40]!.data_path)).subarray(0, 4096 + 3000);
    writeFileSync(join(dir, 'd.evtx'), damaged);
    files.push(evidence(join(dir, 'd.evtx'), 'd.evtx', damaged.length));

    const seqDiags: Diagnostic[] = [];
    const expected: HuntEvent[] = [];
    for (const f of files) for (const r of parseEvtx(readFileSync(f.absPath), f.path, (d) => seqDiags.push(d))) expected.push(toWinEvent(r, f.path));
    assert.equal(expected.length > 20, true);

    for (const workers of [1, 2, 3]) {
      const diags: Diagnostic[] = [];
      const got: HuntEvent[] = [];
      for await (const ev of readEvtxParallel(files, (d) => diags.push(d), { workers, slotsPerJob: 2 })) got.push(ev);
      assert.deepStrictEqual(got, expected, `workers=${workers}`);
      assert.deepStrictEqual(diags, seqDiags, `workers=${workers}`);
      const batched: HuntEvent[] = [];
      const batchDiags: Diagnostic[] = [];
      for await (const batch of readEvtxBatches(files, (d) => batchDiags.push(d), { workers, slotsPerJob: 2 })) for (const ev of batch) batched.push(ev);
      assert.deepStrictEqual(batched, expected, `batches, workers=${workers}`);
      assert.deepStrictEqual(batchDiags, seqDiags, `batches, workers=${workers}`);
    }

    // Leaving early stops the workers (the test would hang on live threads) and gives the first events unchanged.
    for (const workers of [1, 2]) {
      const first: HuntEvent[] = [];
      for await (const ev of readEvtxParallel(files, () => undefined, { workers, slotsPerJob: 2 })) {
        first.push(ev);
        if (first.length === 5) break;
      }
      assert.deepStrictEqual(first, expected.slice(0, 5), `break, workers=${workers}`);
    }

    const viaReader: HuntEvent[] = [];
    const readerDiags: Diagnostic[] = [];
    for (const f of files) for await (const ev of evtxReader.read(f, (d) => readerDiags.push(d))) viaReader.push(ev);
    assert.deepStrictEqual(viaReader, expected);
    assert.deepStrictEqual(readerDiags, seqDiags);
    assert.ok(seqDiags.some((d) => d.location?.path === 'd.evtx'), 'the truncated file is reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('WinEvent fields come from System; ref cites path, record and offset', { skip }, () => {
  const rel = 'regression_data/rules/windows/builtin/security/win_security_explicit_credential_local_logon';
  const manifest = JSON.parse(readFileSync(join(sharedDir, 'sigma', 'regression_manifest.json'), 'utf8')) as { data_path: string }[];
  const m = manifest.find((x) => x.data_path.startsWith(rel));
  assert.ok(m);
  const [rec] = [...parseEvtx(readFileSync(join(sharedDir, 'sigma', m.data_path)), 'sec.evtx', () => undefined)];
  assert.ok(rec);
  const ev = toWinEvent(rec, 'sec.evtx');
  assert.equal(ev.source, 'evtx');
  assert.equal(ev.channel, 'Security');
  assert.equal(ev.eventId, 4648);
  assert.equal(ev.provider, 'Microsoft-Windows-Security-Auditing');
  assert.match(ev.time ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  assert.deepEqual(ev.ref, { path: 'sec.evtx', record: rec.recordId, offset: rec.offset, kind: 'evtx' });
});
