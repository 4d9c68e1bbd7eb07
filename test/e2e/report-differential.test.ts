// The report from bounded aggregates equals the one the findings array gave: testdata/report-golden.json was
// written by main at 8b7ba96 (buildModel on the whole array, fed in findingOrderKey order), this run uses the digest.
// Session 5 rewrote the example and the Exchange fixtures into the shapes Exchange writes (bare CSV header row,
// comma rewriting) and added the CmdletInfra/EWS/MessageTracking logs, which the 8b7ba96 code cannot read: the
// entries of those collections were re-recorded from the digest path at that merge (the array comparison having
// passed on the old shapes); exchange-benign, exchange-other-cves and exchange-sigmahq-web keep 8b7ba96's values.
// Inputs are scanned from copies with stable file times (stable-inputs.ts): git keeps none, and file findings carry them.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hunt } from '../../src/hunt.js';
import type { Finding, Level } from '../../src/finding.js';
import { buildModel, FindingsDigest, navigatorLayer, reportHtml, stixBundle } from '../../src/reporters/index.js';
import { projectRoot } from '../../src/paths.js';
import { stableInputs } from './stable-inputs.js';

interface Golden {
  inputs: string[];
  minLevel: Level;
  findings: number;
  withoutExposure: string;
  exposure: string;
  byRule: string;
  byLevel: Record<Level, number>;
  verdict: string;
  episodes: number;
  [part: string]: unknown;
}
const golden = JSON.parse(readFileSync(join(projectRoot, 'test', 'e2e', 'testdata', 'report-golden.json'), 'utf8')) as Record<string, Golden>;
const sha = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16);
/** A findings line without the file times no copy can fix (ctime, birth time, and the access time reading sets). */
function withoutCopyTimes(line: string): string {
  if (!line.includes('"birthtime"')) return line;
  const f = JSON.parse(line) as { fields: Record<string, unknown> };
  delete f.fields['ctime'];
  delete f.fields['atime'];
  delete f.fields['birthtime'];
  return JSON.stringify(f);
}

for (const [name, g] of Object.entries(golden)) {
  const inputs = g.inputs.map((i) => join(projectRoot, i));
  test(`report from aggregates = report from the array: ${name}`, { skip: !inputs.every((i) => existsSync(i)) && 'input not generated' }, async (t) => {
    // File findings carry file times: the inputs are copied with times that do not depend on the clone's.
    const stable = stableInputs(g.inputs);
    t.after(stable.done);
    const lines: string[] = [];
    const r = await hunt({ inputs: stable.paths, minLevel: g.minLevel, workers: 1, onFinding: (_f, json) => void lines.push(withoutCopyTimes(json)) });
    const summary = { ...r.summary, startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:01:00.000Z', inputs: g.inputs };
    const m = buildModel(r.digest, summary, r.taken);
    assert.equal(lines.length, g.findings);
    assert.equal(r.digest.count, g.findings, 'the digest saw every finding');
    assert.deepEqual(m.storyCapped, [], 'no cap was hit, so the comparison is exact');
    // exposure findings: their trace list was the first 20 in production order, now the earliest 20 (same count)
    const exposure = lines.filter((l) => l.startsWith('{"engine":"exposure"')).map((l) => JSON.parse(l) as Finding).map((f) => ({ ...f, fields: { ...f.fields, traces: ((f.fields['traces'] as unknown[]) ?? []).length } }));
    const parts: Record<string, unknown> = {
      withoutExposure: sha(lines.filter((l) => !l.startsWith('{"engine":"exposure"'))),
      exposure: sha(exposure),
      byRule: sha([...r.summary.counts.byRule].sort((a, b) => (a.engine + a.id < b.engine + b.id ? -1 : 1))),
      byLevel: r.summary.counts.byLevel,
      verdict: m.verdict.kind,
      episodes: m.episodes.length,
      story: sha(m.episodes),
      verdictText: sha(m.verdict),
      remediation: sha(m.remediation),
      techniques: sha(m.techniques),
      ips: sha(m.ips),
      overlap: sha(m.overlap),
      navigator: sha(navigatorLayer(m)),
      stix: sha(stixBundle(m)),
    };
    for (const [k, v] of Object.entries(parts)) assert.deepEqual(v, g[k], `${name}: ${k}`);
    assert.ok(reportHtml(m).includes('id="story"'));
  });
}

test('a capped story sample is announced in the report, with where the full list is', () => {
  const base = JSON.parse(JSON.stringify({
    engine: 'sigma', level: 'high', rule: { id: 'r1', title: 'Busy rule', author: 'a', source: 'x' }, cves: [], attack: ['T1190'], host: 'EX01',
    evidence: { path: 'W3SVC1/u_ex.log', kind: 'iis-w3c' }, fields: { 'c-ip': '203.0.113.9' },
  })) as Omit<Finding, 'time'>;
  const d = new FindingsDigest(undefined, { perRule: 10, total: 100 });
  for (let i = 0; i < 30; i++) d.add({ ...base, time: `2021-03-03T01:00:${String(i).padStart(2, '0')}.000Z`, evidence: { ...base.evidence, line: i + 1 } });
  const m = buildModel(d, { ...sampleSummary(), options: { minLevel: 'medium', since: null, until: null } }, null);
  assert.deepEqual(m.storyCapped, [{ what: 'Busy rule', kept: 10, total: 30 }]);
  assert.equal(m.episodes[0]!.steps[0]!.count, 10, 'the story counts its sample');
  assert.equal(m.digest.rules.get('sigma:r1')!.count, 30, 'the counts stay exact');
  const page = reportHtml(m);
  assert.match(page, /Capped: the story is built from the earliest findings of each rule, and 1 rule had more \(Busy rule: 10 of 30\)/);
  assert.match(page, /Every finding is in findings\.jsonl/);
  const uncapped = buildModel(FindingsDigest.of([]), sampleSummary(), null);
  assert.ok(!reportHtml(uncapped).includes('Capped:'));
});

function sampleSummary(): Parameters<typeof buildModel>[1] {
  return JSON.parse(readFileSync(join(projectRoot, 'test', 'e2e', 'testdata', 'summary-min.json'), 'utf8')) as Parameters<typeof buildModel>[1];
}
