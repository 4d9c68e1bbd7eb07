// exhunt hunt --store S --out DIR on chDB: each host's usual outputs under DIR/<host>/ — findings.jsonl in the scan's
// total order, the timelines, report.html, the ATT&CK layer and STIX — and a hostile host name stays inside DIR.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { findingOrderKey, type Finding } from '../../src/finding.js';
import { cli } from './store-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-hunt-out-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('hunt --out: every host gets its usual outputs, findings in output order, hostile host names kept inside DIR', async () => {
  const store = join(work, 'store');
  const hostile = '../../<script>alert(1)</script>\u202e';
  const a = await cli(['ingest', join(projectRoot, 'examples', 'exchange-2021'), '--store', store, '--no-rule-cache', '-q']);
  assert.equal(a.code, 0, a.err);
  const b = await cli(['ingest', join(projectRoot, 'test', 'fixtures', 'exchange', 'proxyshell-cmdletinfra'), '--store', store, '--host', hostile, '--no-rule-cache', '-q']);
  assert.equal(b.code, 0, b.err);
  const out = join(work, 'out');
  const r = await cli(['hunt', '--store', store, '--out', out]);
  assert.equal(r.code, 1, r.err);
  const dirs = readdirSync(out).sort();
  assert.equal(dirs.length, 2, dirs.join(', '));
  for (const d of dirs) {
    assert.ok(resolve(out, d).startsWith(resolve(out) + '/'), d);
    for (const f of ['findings.jsonl', 'timeline.csv', 'timeline.jsonl', 'report.html', 'attack-layer.json', 'stix.json']) {
      assert.ok(existsSync(join(out, d, f)), `${d}/${f}`);
    }
    const findings = readFileSync(join(out, d, 'findings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding);
    assert.ok(findings.length > 0, d);
    const keys = findings.map(findingOrderKey);
    assert.deepEqual(keys, [...keys].sort(), `${d}: findings.jsonl in the scan's total order`);
    assert.equal(new Set(findings.map((f) => f.host)).size, 1, d);
  }
  const example = dirs.find((d) => d.startsWith('EXCH01'))!;
  const n = readFileSync(join(out, example, 'findings.jsonl'), 'utf8').trim().split('\n').length;
  assert.equal(n, 187, "the example's Sigma findings, as exhunt scan gives them");
  // the same findings as the scan's, at the same time text (the store keeps the reader's time as written)
  const scanned = join(work, 'scan');
  await cli(['scan', join(projectRoot, 'examples', 'exchange-2021'), '--out', scanned, '--no-rule-cache', '-q']);
  const at = (file: string): Map<string, string | null> =>
    new Map(
      readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding).filter((f) => f.engine === 'sigma')
        .map((f) => [`${f.rule.id} ${f.evidence.path} ${f.evidence.line ?? f.evidence.record}`, f.time]),
    );
  assert.deepEqual(at(join(out, example, 'findings.jsonl')), at(join(scanned, 'findings.jsonl')));
  const other = dirs.find((d) => d !== example)!;
  assert.ok(!other.includes('/') && !other.includes('..') && !other.includes('<'), other);
  assert.ok(!readFileSync(join(out, other, 'report.html'), 'utf8').includes('<script>alert(1)'), 'the host name is escaped in the report');
});
