// `exhunt report` end to end through main(): rebuilds every report file from a scan folder without
// rescanning; exit codes 0 (clean input), 1 (unreadable lines) and 2 (nothing readable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../main.js';
import { sampleFindings, sampleSummary, sampleTaken } from '../../engines/story/testdata/sample-scan.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}

test('exhunt report DIR --out OUT writes every report file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-report-cli-'));
  try {
    const f = sampleFindings();
    writeFileSync(join(dir, 'findings.jsonl'), f.map((x) => JSON.stringify(x)).join('\n') + '\n');
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(sampleSummary(f)));
    writeFileSync(join(dir, 'taken.json'), JSON.stringify(sampleTaken()));
    const out = join(dir, 'out');
    const r = await run(['report', dir, '--out', out]);
    assert.equal(r.code, 0, r.err);
    for (const name of ['report.html', 'timeline.csv', 'timeline.jsonl', 'attack-layer.json', 'stix.json']) assert.ok(existsSync(join(out, name)), name);
    assert.equal(r.out.trim().split('\n').length, 5);
    assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /ceo@corp\.example/, 'taken.json was used');

    writeFileSync(join(dir, 'findings.jsonl'), '{broken\n' + JSON.stringify(f[0]) + '\n');
    const r1 = await run(['report', join(dir, 'findings.jsonl')]);
    assert.equal(r1.code, 1);
    assert.match(r1.err, /REPORT_BAD_INPUT.*findings\.jsonl:1/);
    assert.ok(existsSync(join(dir, 'report.html')), 'default output is beside the findings');

    const r2 = await run(['report', join(dir, 'missing')]);
    assert.equal(r2.code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
