// loadScan reads an earlier scan back: from a folder or a findings file, bad lines reported with their line
// number and skipped, a missing summary.json replaced by one made from the findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { HuntError } from '../diagnostics.js';
import { loadScan } from './index.js';
import { sampleFindings, sampleSummary, sampleTaken } from '../engines/story/testdata/sample-scan.js';

function scanDir(withSummary: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-load-'));
  const f = sampleFindings();
  const lines = [JSON.stringify(f[0]), '{not json', '', JSON.stringify({ engine: 'sigma' }), JSON.stringify(f[1])];
  writeFileSync(join(dir, 'findings.jsonl'), lines.join('\n') + '\n');
  if (withSummary) writeFileSync(join(dir, 'summary.json'), JSON.stringify(sampleSummary(f)));
  writeFileSync(join(dir, 'taken.json'), JSON.stringify(sampleTaken()));
  return dir;
}

test('loads findings, summary and taken from a folder; bad lines become diagnostics', async () => {
  const dir = scanDir(true);
  try {
    const diags: Diagnostic[] = [];
    const s = await loadScan(dir, (d) => diags.push(d));
    assert.equal(s.digest.count, 2);
    assert.equal(s.summary.tool.version, '0.1.0');
    assert.equal(s.taken?.mailboxes[0]?.target, 'ceo@corp.example');
    assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [['REPORT_BAD_INPUT', 2], ['REPORT_BAD_INPUT', 4]]);
    const viaFile = await loadScan(join(dir, 'findings.jsonl'));
    assert.equal(viaFile.digest.count, 2);
    assert.equal(viaFile.summary.inputs[0], '/cases/ex01-triage');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing summary.json is replaced and said so; a missing input is a HuntError', async () => {
  const dir = scanDir(false);
  try {
    const diags: Diagnostic[] = [];
    const s = await loadScan(dir, (d) => diags.push(d));
    assert.equal(s.summary.counts.findings, 2);
    assert.equal(s.summary.exposure, null);
    assert.ok(diags.some((d) => /summary\.json missing/.test(d.message)));
    await assert.rejects(loadScan(join(dir, 'nope')), (e: unknown) => e instanceof HuntError && e.code === 'NOT_READABLE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
