// A finding's digest record, read back where the records are merged (another thread's shapes sent as a part would
// send them), is the view of the whole finding: every fact the digest's tallies read, with the fields left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Finding } from '../finding.js';
import { findingAgent, findingFileKey, findingIp, findingPath, findingUser, findingView, wantsSample } from '../engines/activity/index.js';
import { digestRecord, shapeDelta, ShapeBook, type ShapeDelta } from './digest-record.js';
import type { TimelineLines } from './ordered-outputs.js';
import { FindingsDigest } from './digest.js';

const base = { engine: 'sigma' as const, time: '2021-03-03T01:02:03Z' as string | null, rule: { id: 'r', title: 'R', author: null, source: 's', tags: ['attack.t1505.003'] }, host: 'EX01' as string | null };
const cases: Finding[] = [
  { ...base, level: 'high', cves: [], attack: ['T1505.003'], evidence: { path: 'C/a.evtx', kind: 'evtx', record: 7 }, message: 'm', fields: { Event: { System: { Computer: 'EX01' }, EventData: { CommandLine: 'w3wp.exe -c C:\\inetpub\\shell.aspx', User: 'CORP\\alice', Hashes: 'MD5=' + 'a'.repeat(32) + ',SHA256=' + 'b'.repeat(64), Noise: 'x'.repeat(5000) } } } },
  { ...base, level: 'critical', cves: ['CVE-2021-26855'], attack: ['T1190'], evidence: { path: 'C/x.log', kind: 'iis-w3c', line: 3 }, fields: { 'c-ip': '10.0.0.9', 'proxy-ip': '10.0.0.9', 'client-ip': '203.0.113.7', 'cs-uri-stem': '/owa/auth/x.aspx', 'cs(User-Agent)': 'python-requests/2.25', 'cs-host': 'mail.example.org', big: 'y'.repeat(3000) } },
  { ...base, time: null, host: null, level: 'low', cves: [], attack: [], evidence: { path: 'C/y.log', kind: 'iis-w3c', line: 9 }, fields: { clientip: '198.51.100.4', useragent: 'curl/7.1', FileName: 'dump.dmp', sha1: 'C'.repeat(40) } },
  { ...base, engine: 'exposure', level: 'medium', cves: ['CVE-2021-26855'], attack: [], evidence: { path: 'C/z.log', kind: 'exchange-httpproxy', line: 1 }, fields: { IpAddress: '192.0.2.1' } },
];

/** This thread's records as another thread would have made them: its shapes renumbered under another thread id. */
function fromAnotherThread(record: string, d: ShapeDelta): [string, ShapeDelta] {
  const tab = record.indexOf('\t');
  const head = JSON.parse(record.slice(0, tab)) as unknown[];
  head[0] = threadId + 1000;
  return [JSON.stringify(head) + record.slice(tab), { ...d, thread: threadId + 1000 }];
}

test('a digest record read back is the view of the whole finding, without its fields', () => {
  shapeDelta(); // what earlier tests numbered is sent already
  const records = cases.map((f) => digestRecord(f, null));
  const delta = shapeDelta();
  assert.ok(delta.shapes.length >= 3, 'findings of other levels, techniques or kinds are other shapes');
  const book = new ShapeBook();
  for (const [i, f] of cases.entries()) {
    const [record, d] = fromAnotherThread(records[i]!, delta);
    book.learn(d);
    assert.ok(record.length < 1000, `the fields stay behind (${record.length} characters)`);
    const whole = JSON.parse(JSON.stringify(f)) as Finding;
    const view = book.read(record, () => whole);
    const lines = book.lines(record);
    const { whole: _a, sample, sampleText, ...got } = view;
    // the same view from the record's bytes (where the range merge reads it)
    const fromBytes = book.readBytes(Buffer.from(record), () => whole);
    const { whole: _c, sample: _d, sampleText: bytesText, ...gotBytes } = fromBytes;
    assert.deepEqual(gotBytes, got, `case ${i}: the view from bytes`);
    if (wantsSample(f)) assert.equal(bytesText(), sampleText(), `case ${i}: the sample copy from bytes`);
    else assert.throws(() => bytesText(), /no sample copy/);
    const { whole: _b, sample: wanted, sampleText: wantedText, ...want } = findingView(f);
    assert.deepEqual(got, { ...want, evidence: { path: f.evidence.path, kind: f.evidence.kind } }, `case ${i}`);
    assert.equal(lines, null);
    const rule = { ...f.rule, title: 'shared' };
    if (!wantsSample(f)) {
      assert.throws(() => sample(rule), /no sample copy/, `case ${i}: no story samples it, no copy was made`);
      assert.throws(() => sampleText(), /no sample copy/);
      continue;
    }
    assert.equal(sampleText(), wantedText(), `case ${i}: the sample copy's text`);
    const [x, y] = [sample(rule), wanted(rule)];
    assert.equal(JSON.stringify(x), JSON.stringify(y), `case ${i}: the sample copy`);
    for (const fact of [findingIp, findingAgent, findingUser, findingFileKey, findingPath]) assert.equal(fact(x), fact(y), `case ${i}: ${fact.name} of the sample`);
  }
  assert.throws(() => book.read(JSON.stringify([threadId + 2000, 0, null, null, 'p', null, null, null, null]) + '\t[]', () => cases[0]!), /never sent/);
});

/** A ByteSink that keeps what it is given. */
class Collect {
  private readonly got: Buffer[] = [];
  add(x: Buffer | string): void {
    this.got.push(Buffer.from(x));
  }
  text(): string {
    return Buffer.concat(this.got).toString('utf8');
  }
}

/** Everything a digest holds, its Maps and Sets in their order (the catalogue aside). */
export function digestText(d: FindingsDigest): string {
  return JSON.stringify({ ...d, catalog: null, story: d.storySample() }, (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
}

test('a digest fed views from records equals the digest fed the findings', () => {
  const book = new ShapeBook();
  const many = Array.from({ length: 300 }, (_, i) => ({ ...cases[i % cases.length]!, time: `2021-03-0${1 + (i % 5)}T00:00:${String(i % 60).padStart(2, '0')}Z` }));
  const records = many.map((f) => digestRecord(f, null));
  book.learn(shapeDelta());
  const a = FindingsDigest.of(many);
  const b = new FindingsDigest();
  for (const [i, r] of records.entries()) b.addView(book.read(r, () => JSON.parse(JSON.stringify(many[i])) as Finding));
  assert.equal(digestText(b), digestText(a));
  assert.ok(a.count === 300 && a.rules.size > 0 && a.storySample().length > 0 && a.stix.sighted.size > 0);
});

test('a story sample kept by the digest does not hold its whole record (with its timeline lines) in memory', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const f = cases[0]!;
  assert.ok(wantsSample(f));
  const book = new ShapeBook();
  const big = { csv: 'c'.repeat(100_000) + '\r\n', sketch: null };
  const digest = new FindingsDigest();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) {
    // each record a string of its own, as each is read from a run file
    const record = digestRecord(f, big);
    digest.addView(book.read(record, () => f));
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(digest.count, 1000);
  assert.ok(digest.storySample().length >= 1000, 'the samples are kept');
  // 1,000 records of 100 KB would be 100 MB held through the samples
  assert.ok(grown < 20e6, `heap grew by ${(grown / 1e6).toFixed(1)} MB`);
});

test('timeline lines ride at the end of a digest record and come back as they were, hostile cells too', () => {
  const f = cases[1]!;
  const book = new ShapeBook();
  const rows: TimelineLines[] = [
    { csv: '"2021-03-03T01:02:03Z","a\tb","x ¦ y","\'=cmd|\' /C calc\'!A0","😀"\r\n', sketch: '{"message":"a\\tb","k":"\\n"}' },
    { csv: '"t","\t\t"\r\n', sketch: null },
    { csv: '"t","é\u2028\u2029"\r\n', sketch: '{}' },
    // shapes timelineCsvRow never makes: kept exactly all the same, the JSON way
    { csv: '"t","a\nb"\r\n', sketch: '{"x":1}' },
    { csv: 'no quote, no CRLF', sketch: 'with\ttab' },
    { csv: '"t"\r\n', sketch: '' },
    { csv: '', sketch: null },
  ];
  for (const [i, lines] of rows.entries()) {
    const record = digestRecord(f, lines);
    assert.equal(record.indexOf('\n'), -1, `case ${i}: one line`);
    assert.deepEqual(book.lines(record), lines, `case ${i}`);
    assert.equal(book.read(record, () => f).ip, '203.0.113.7', `case ${i}: the view still reads its head`);
    // from the record's bytes (as a run file holds them): the bytes OrderedOutputs.writeLines writes for lines()
    const bytes = Buffer.from(record);
    const [csv, sketch] = [new Collect(), new Collect()];
    assert.equal(book.copyLines(bytes, csv, sketch), true);
    assert.equal(csv.text(), lines.csv, `case ${i}: csv bytes`);
    assert.equal(sketch.text(), lines.sketch === null ? '' : lines.sketch + '\n', `case ${i}: sketch bytes`);
    assert.equal(book.readBytes(bytes, () => f).ip, '203.0.113.7', `case ${i}: the view from bytes reads its head`);
  }
  assert.equal(book.copyLines(Buffer.from(digestRecord(f, null)), new Collect(), new Collect()), false, 'a record without timeline lines');
  // the usual shape goes as it is: no JSON escaping of the row's quotes
  assert.ok(digestRecord(f, rows[0]!).endsWith(`\t${rows[0]!.csv.slice(0, -2)}\t${rows[0]!.sketch}`));
});
