// SigmaHQ's regression suite run from the EVTX files themselves (through our EVTX reader), plus a differential
// check that the reader's events equal the JSON-sidecar events and that the same rules fire on both paths.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { loadSigma, type SigmaRuleSet } from '../../src/engines/sigma/index.js';
import type { WinEvent } from '../../src/event.js';
import { hasShared, sharedDir } from '../../src/paths.js';
import { parseEvtx, toWinEvent } from '../../src/readers/evtx/index.js';
import { readSidecar } from './sidecar.js';

interface ManifestEntry {
  rule_id: string;
  rule_path: string;
  data_path: string;
  json_path: string;
  match_count: number | null;
}

const sigmaDir = join(sharedDir, 'sigma');
const manifest: ManifestEntry[] = hasShared ? (JSON.parse(readFileSync(join(sigmaDir, 'regression_manifest.json'), 'utf8')) as ManifestEntry[]) : [];

/** Same samples as in sigma-regression.test.ts: several records each satisfy the rule, beyond match_count. */
const OVERCOUNT: Record<string, number> = {
  '0b9ad457-2554-44c1-82c2-d56a99c42377': 3,
  '8fbf3271-1ef6-4e94-8210-03c2317947f6': 3,
  'c7dcacd0-cc59-4004-b0a4-1d6cdebe6f3e': 2,
  '45e112d0-7759-4c2a-aa36-9f8fb79d3393': 3,
};

/** Trailing whitespace and 7-digit fractions: the sidecar producer's deviations (see evtx-golden.test.ts). */
function norm(v: unknown, key = ''): unknown {
  if (typeof v === 'string') {
    const s = v.trimEnd().replace(/^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})\d*Z$/, '$1Z');
    return key === 'ParentCommandLine' ? s.toLowerCase() : s;
  }
  if (Array.isArray(v)) return v.map((x) => norm(x, key));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, k)]));
  return v;
}

describe('SigmaHQ regression tests (EVTX files through the EVTX reader)', { skip: !hasShared && 'needs ../shared' }, () => {
  let ruleSet: SigmaRuleSet;
  const evtxHits = new Map<string, number>(); // `${rule}|${sample}` → findings from EVTX events
  const jsonHits = new Map<string, number>(); // same, from sidecar events
  const evtxEvents = new Map<string, WinEvent[]>();
  const jsonEvents = new Map<string, WinEvent[]>();

  before(async () => {
    const loaded = await loadSigma([...new Set(manifest.map((m) => join(sigmaDir, m.rule_path)))]);
    assert.equal(loaded.failed, 0);
    ruleSet = loaded.ruleSet;
    const evtxRun = ruleSet.createRun();
    const jsonRun = ruleSet.createRun();
    for (const m of manifest) {
      const evs = [...parseEvtx(readFileSync(join(sigmaDir, m.data_path)), m.data_path, (d) => assert.fail(`${m.data_path}: ${d.message}`))].map((r) => toWinEvent(r, m.data_path));
      const js = readSidecar(join(sigmaDir, m.json_path), m.json_path);
      evtxEvents.set(m.data_path, evs);
      jsonEvents.set(m.data_path, js);
      for (const ev of evs) for (const f of evtxRun.match(ev)) evtxHits.set(`${f.rule.id}|${m.data_path}`, (evtxHits.get(`${f.rule.id}|${m.data_path}`) ?? 0) + 1);
      for (const ev of js) for (const f of jsonRun.match(ev)) jsonHits.set(`${f.rule.id}|${m.data_path}`, (jsonHits.get(`${f.rule.id}|${m.data_path}`) ?? 0) + 1);
    }
  });

  test('both paths ran over all 202 samples and 238 records', () => {
    assert.equal(ruleSet.size, 202);
    assert.equal(evtxEvents.size, 202);
    assert.equal([...evtxEvents.values()].reduce((a, e) => a + e.length, 0), 238);
    assert.equal([...jsonEvents.values()].reduce((a, e) => a + e.length, 0), 238);
    assert.ok(evtxHits.size > 0 && jsonHits.size > 0);
  });

  test('differential: EVTX events equal sidecar events (channel, EventID, provider, host, time, data)', () => {
    for (const m of manifest) {
      const a = evtxEvents.get(m.data_path)!;
      const b = jsonEvents.get(m.data_path)!;
      assert.equal(a.length, b.length, m.data_path);
      a.forEach((ev, i) => {
        const j = b[i]!;
        assert.equal(ev.source, 'evtx');
        assert.equal(ev.channel, j.channel, m.data_path);
        assert.equal(ev.eventId, j.eventId, m.data_path);
        assert.equal(ev.provider, j.provider, m.data_path);
        assert.equal(ev.host, j.host, m.data_path);
        assert.equal(ev.ref.kind, 'evtx');
        assert.ok(ev.time !== null && j.time !== null && ev.time.slice(0, 23) === j.time.slice(0, 23), `${m.data_path}: ${ev.time} vs ${j.time}`);
        assert.deepStrictEqual(norm(ev.data), norm(j.data), m.data_path);
      });
    }
  });

  for (const m of manifest) {
    test(`${m.rule_path} fires on its EVTX sample`, () => {
      const own = evtxHits.get(`${m.rule_id}|${m.data_path}`) ?? 0;
      const over = OVERCOUNT[m.rule_id];
      if (over !== undefined) assert.equal(own, over);
      else if (m.match_count === null) assert.ok(own >= 1, `no match on ${m.data_path}`);
      else assert.equal(own, m.match_count, `matches on ${m.data_path}`);
      // The JSON path agrees on this sample.
      assert.equal(own, jsonHits.get(`${m.rule_id}|${m.data_path}`) ?? 0, 'EVTX and JSON paths disagree');
    });
  }
});
