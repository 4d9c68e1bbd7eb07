// Digests of consecutive ranges of the findings, merged (what the scan's workers send from the final merge), equal
// the digest of all the findings made in one go: every count, capped list, first-N and story sample; and where a
// range's own cap could have kept other entries than the whole's would (IPs, indicators), the merge says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding, Level } from '../finding.js';
import { findingOrderKey } from '../finding.js';
import { attackCatalog } from '../attack/index.js';
import { FindingsDigest, RULE_ROWS, ROWS_TOTAL, type DigestPart } from './digest.js';
import { digestText } from './digest-record.test.js';

const LEVELS: Level[] = ['informational', 'low', 'medium', 'high', 'critical'];
const TAGS = [['T1505.003'], ['T1190'], ['T1003.001', 'T1059.001'], [], ['T1114'], ['T9999']];

/** Findings of `rules` rules, unevenly busy, over several hosts, IPs, kinds and engines, in output order. */
function findings(n: number, rules: number, seed: number, uniform = false): Finding[] {
  let x = seed >>> 0;
  const rnd = (k: number): number => {
    // mulberry32
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * k | 0;
  };
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    // rule r is picked with weight ~ 1/(r+1): a few busy rules, many quiet ones
    const r = uniform ? rnd(rules) : Math.min(rules - 1, Math.floor(rules ** (rnd(1000) / 1000)) - 1 + (rnd(7) === 0 ? rnd(rules) : 0)) % rules;
    const engine = r % 11 === 5 ? 'exposure' : r % 13 === 7 ? 'yara' : 'sigma';
    const kind = engine === 'yara' ? 'file' : r % 2 ? 'iis-w3c' : 'evtx';
    const attack = TAGS[r % TAGS.length]!;
    const sec = i * 3 + rnd(3);
    const time = rnd(40) === 0 ? null : `2021-03-0${1 + (sec % 7)}T${String(Math.floor(sec / 3600) % 24).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}Z`;
    out.push({
      engine,
      time,
      level: LEVELS[(r + rnd(2)) % LEVELS.length]!,
      rule: { id: `rule-${r}`, title: `Rule ${r}`, author: null, source: 'test', tags: attack.map((t) => `attack.${t.toLowerCase()}`) },
      cves: r % 9 === 1 ? ['CVE-2021-26855'] : [],
      attack,
      host: rnd(5) === 0 ? null : `EX0${rnd(6)}`,
      evidence: { path: `C/${kind}-${rnd(4)}.log`, kind, line: i + 1 },
      message: `m${i}`,
      fields: { 'c-ip': `203.0.${rnd(4)}.${rnd(250)}`, 'cs-uri-stem': `/owa/auth/s${rnd(40)}.aspx`, 'cs-host': 'mail.example.org', FileName: `C:\\inetpub\\x${rnd(40)}.aspx`, n: i },
    } as Finding);
  }
  return out.sort((a, b) => {
    const [ka, kb] = [findingOrderKey(a), findingOrderKey(b)];
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

const catalog = attackCatalog();

function digestOf(fs: readonly Finding[], caps: { perRule?: number; total?: number }): FindingsDigest {
  const d = new FindingsDigest(catalog, caps);
  for (const f of fs) d.add(f);
  return d;
}

/** The findings cut at `cuts`, each range digested apart and sent as data (a structured clone), then merged. */
function merged(fs: readonly Finding[], cuts: number[], caps: { perRule?: number; total?: number }): FindingsDigest | null {
  const at = [0, ...cuts, fs.length];
  const parts: DigestPart[] = [];
  for (let i = 1; i < at.length; i++) parts.push(structuredClone(digestOf(fs.slice(at[i - 1], at[i]), caps).part()));
  return FindingsDigest.merge(catalog, parts, caps);
}

test('merged digests of ranges equal the digest of the whole: counts, first-N lists, rows, story caps, tallies', () => {
  const caps = { perRule: 200, total: 2000 };
  const all = findings(6000, 40, 7);
  const whole = digestOf(all, caps);
  // the caps are reached: busy rules' rows and story samples are cut, the story cap shrank as rules appeared
  const rules = [...whole.rules.values()];
  assert.ok(rules.some((r) => r.count > RULE_ROWS && r.rows.length === RULE_ROWS), 'a rule with more findings than rows');
  assert.ok(whole.storyCapped().length > 0 && rules.some((r) => r.story.length > 50 && r.story.length < 200), 'the story sample was capped below the per-rule cap');
  assert.deepEqual([whole.remediation.lowestIps().length, whole.hosts.length, whole.remediation.shellPaths.values.length], [25, 4, 25], 'the capped lists are full');
  assert.ok(whole.stix.sighted.size > 5 && whole.verdict.post.size > 0 && whole.verdict.expl.size > 0, 'indicators and verdict lines');
  const want = digestText(whole);
  for (const cuts of [[], [1], [3000], [2999, 3000, 3001], [17, 400, 401, 2500, 5998], [1000, 2000, 3000, 4000, 5000]]) {
    const got = merged(all, cuts, caps);
    assert.ok(got !== null, `cuts ${cuts.join(',')}: exact`);
    assert.equal(digestText(got), want, `cuts ${cuts.join(',')}`);
  }
});

test(`merged digests keep the whole's ${ROWS_TOTAL} report rows in output order across ranges`, () => {
  const all = findings(30_000, 600, 11, true);
  const whole = digestOf(all, {});
  assert.equal([...whole.rules.values()].reduce((n, r) => n + r.rows.length, 0), ROWS_TOTAL, 'the rows are capped in all');
  const want = digestText(whole);
  for (const cuts of [[5000], [12_000, 24_000], [100, 20_000, 20_001, 29_000]]) assert.equal(digestText(merged(all, cuts, {})!), want, `cuts ${cuts.join(',')}`);
});

test('a range that dropped IPs or indicators past its cap cannot be merged exactly: the merge says so', () => {
  const all = findings(500, 10, 3);
  const parts = [digestOf(all.slice(0, 250), {}).part(), digestOf(all.slice(250), {}).part()];
  assert.ok(FindingsDigest.merge(catalog, structuredClone(parts)) !== null);
  assert.equal(FindingsDigest.merge(catalog, structuredClone([parts[0]!, { ...parts[1]!, ipsDropped: 1 }])), null, 'IPs dropped');
  assert.equal(FindingsDigest.merge(catalog, structuredClone([parts[0]!, { ...parts[1]!, stix: { ...parts[1]!.stix, dropped: 2 } }])), null, 'indicators dropped');
});
