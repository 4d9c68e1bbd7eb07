// Correlation rules from the Sigma v2.1 specification: event_count, value_count, temporal and
// temporal_ordered, with group-by, timespan, aliases, generate, and their failure cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exchangeEvent, ruleSetFromText } from './testkit.js';

const base = (name: string, stem: string): string =>
  `title: base ${name}\nid: ${name}-id\nname: ${name}\nauthor: a\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    sel:\n        UrlStem: '${stem}'\n    condition: sel\n`;
const corr = (body: string): string => `title: corr\nid: corr-id\nauthor: b\nlevel: critical\ncorrelation:\n${body}\n`;
const at = (sec: number, fields: Record<string, string>) => exchangeEvent(fields, new Date(Date.UTC(2024, 0, 1, 0, 0, sec)).toISOString());

function runAll(texts: string[], events: ReturnType<typeof at>[]) {
  const { set, problems } = ruleSetFromText(texts);
  assert.deepEqual(problems, []);
  const run = set.createRun();
  const base: string[] = [];
  for (const e of events) for (const f of run.match(e)) base.push(f.rule.id);
  return { base, corr: run.finish() };
}

test('event_count per group within the timespan, base rules silent unless generate', () => {
  const texts = [base('login', '/owa/auth'), corr('    type: event_count\n    rules: [login]\n    group-by: [ClientIp]\n    timespan: 1m\n    condition:\n        gte: 3')];
  const evs = [at(0, { UrlStem: '/owa/auth', ClientIp: '1.1.1.1' }), at(10, { UrlStem: '/owa/auth', ClientIp: '1.1.1.1' }), at(20, { UrlStem: '/owa/auth', ClientIp: '2.2.2.2' }), at(30, { UrlStem: '/owa/auth', ClientIp: '1.1.1.1' })];
  const r = runAll(texts, evs);
  assert.deepEqual(r.base, []);
  assert.equal(r.corr.length, 1);
  assert.equal(r.corr[0]!.engine, 'correlation');
  assert.equal(r.corr[0]!.level, 'critical');
  assert.deepEqual(r.corr[0]!.fields['group'], { ClientIp: '1.1.1.1' });
  assert.equal(r.corr[0]!.fields['count'], 3);
  assert.equal(r.corr[0]!.time, '2024-01-01T00:00:30.000Z');
});

test('event_count: events spread wider than the timespan do not count together', () => {
  const texts = [base('login', '/owa/auth'), corr('    type: event_count\n    rules: login\n    group-by: ClientIp\n    timespan: 15s\n    condition:\n        gte: 3')];
  const evs = [0, 10, 20, 30].map((s) => at(s, { UrlStem: '/owa/auth', ClientIp: '1.1.1.1' }));
  assert.equal(runAll(texts, evs).corr.length, 0);
});

test('generate: true keeps the base rule findings', () => {
  const texts = [base('login', '/owa/auth'), corr('    type: event_count\n    rules: [login]\n    timespan: 1h\n    generate: true\n    condition:\n        gt: 1')];
  const r = runAll(texts, [at(0, { UrlStem: '/owa/auth' }), at(1, { UrlStem: '/owa/auth' })]);
  assert.deepEqual(r.base, ['login-id', 'login-id']);
  assert.equal(r.corr.length, 1);
});

test('value_count counts distinct values of a field', () => {
  const texts = [base('login', '/owa/auth'), corr('    type: value_count\n    rules: [login]\n    group-by: [ClientIp]\n    timespan: 5m\n    condition:\n        field: User\n        gte: 3')];
  const same = ['a', 'a', 'b', 'b'].map((u, i) => at(i, { UrlStem: '/owa/auth', ClientIp: '9.9.9.9', User: u }));
  assert.equal(runAll(texts, same).corr.length, 0);
  const spray = ['a', 'b', 'c'].map((u, i) => at(i, { UrlStem: '/owa/auth', ClientIp: '9.9.9.9', User: u }));
  const r = runAll(texts, spray);
  assert.equal(r.corr.length, 1);
  assert.equal(r.corr[0]!.fields['count'], 3);
});

test('temporal: all rules seen in the window for the same group, in any order', () => {
  const texts = [base('a', '/a'), base('b', '/b'), corr('    type: temporal\n    rules: [a, b]\n    group-by: [ClientIp]\n    timespan: 10s')];
  assert.equal(runAll(texts, [at(0, { UrlStem: '/b', ClientIp: 'x' }), at(5, { UrlStem: '/a', ClientIp: 'x' })]).corr.length, 1);
  assert.equal(runAll(texts, [at(0, { UrlStem: '/b', ClientIp: 'x' }), at(5, { UrlStem: '/a', ClientIp: 'y' })]).corr.length, 0);
  assert.equal(runAll(texts, [at(0, { UrlStem: '/b', ClientIp: 'x' }), at(50, { UrlStem: '/a', ClientIp: 'x' })]).corr.length, 0);
});

test('temporal_ordered: the rules must occur in the listed order', () => {
  const texts = [base('a', '/a'), base('b', '/b'), corr('    type: temporal_ordered\n    rules: [a, b]\n    group-by: [ClientIp]\n    timespan: 10s')];
  assert.equal(runAll(texts, [at(0, { UrlStem: '/a', ClientIp: 'x' }), at(5, { UrlStem: '/b', ClientIp: 'x' })]).corr.length, 1);
  assert.equal(runAll(texts, [at(0, { UrlStem: '/b', ClientIp: 'x' }), at(5, { UrlStem: '/a', ClientIp: 'x' })]).corr.length, 0);
});

test('aliases join differently named fields across rules', () => {
  const texts = [
    base('a', '/a'),
    base('b', '/b'),
    corr('    type: temporal\n    rules: [a, b]\n    group-by: [ip]\n    timespan: 10s\n    aliases:\n        ip:\n            a: ClientIp\n            b: ServerIp'),
  ];
  assert.equal(runAll(texts, [at(0, { UrlStem: '/a', ClientIp: '5.5.5.5' }), at(1, { UrlStem: '/b', ServerIp: '5.5.5.5' })]).corr.length, 1);
  assert.equal(runAll(texts, [at(0, { UrlStem: '/a', ClientIp: '5.5.5.5' }), at(1, { UrlStem: '/b', ServerIp: '6.6.6.6' })]).corr.length, 0);
});

test('range condition (gte + lte) and upper-bound-only conditions', () => {
  const texts = [base('a', '/a'), corr('    type: event_count\n    rules: [a]\n    timespan: 1m\n    condition:\n        gte: 2\n        lte: 3')];
  assert.equal(runAll(texts, [0, 1].map((s) => at(s, { UrlStem: '/a' }))).corr.length, 1);
  const few = [base('a', '/a'), corr('    type: event_count\n    rules: [a]\n    timespan: 1m\n    condition:\n        lt: 2')];
  assert.equal(runAll(few, [at(0, { UrlStem: '/a' })]).corr.length, 1);
  assert.equal(runAll(few, [at(0, { UrlStem: '/a' }), at(1, { UrlStem: '/a' })]).corr.length, 0);
});

test('one multi-document file holds base rules and the correlation', () => {
  const text = `${base('a', '/a')}---\n${corr('    type: event_count\n    rules: [a]\n    timespan: 1m\n    condition:\n        gte: 2')}`;
  assert.equal(runAll([text], [at(0, { UrlStem: '/a' }), at(2, { UrlStem: '/a' })]).corr.length, 1);
});

test('bad correlations are located problems', () => {
  for (const body of ['    type: event_counts\n    rules: [a]\n    timespan: 1m', '    type: event_count\n    rules: [a]\n    timespan: soon\n    condition:\n        gte: 1', '    type: value_count\n    rules: [a]\n    timespan: 1m\n    condition:\n        gte: 1', '    type: event_count\n    rules: [a]\n    timespan: 1m']) {
    const r = ruleSetFromText([corr(body)]);
    assert.equal(r.problems.length, 1, body);
    assert.equal(r.problems[0]!.code, 'SIGMA_BAD_CORRELATION', body);
    assert.ok((r.problems[0]!.location?.line ?? 0) > 4, body);
  }
});
