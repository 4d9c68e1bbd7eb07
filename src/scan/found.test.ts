// A job's findings leave it serialised and sorted: past its bound it writes several sorted runs, and whatever
// the bound, the spill merge gives the findings in the outputs' total order with the digest's facts beside them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../finding.js';
import { findingOrderKey } from '../finding.js';
import { SpillSorter, liveTempDirs } from '../spill/index.js';
import { ShapeBook } from '../reporters/index.js';
import { JobFindings } from './found.js';

function finding(i: number): Finding {
  return {
    engine: 'sigma', time: i % 11 === 0 ? null : `2021-03-0${1 + (i % 7)}T00:00:${String(i % 60).padStart(2, '0')}Z`,
    level: (['low', 'medium', 'high'] as const)[i % 3]!, rule: { id: `rule-${i % 5}`, title: `Rule ${i % 5}`, author: null, source: 'x.yml', tags: ['attack.t1190'] },
    cves: i % 4 === 0 ? ['CVE-2021-26855'] : [], attack: ['T1190'], host: 'EX01', evidence: { path: `C/log-${i % 3}.log`, kind: 'iis-w3c', line: i },
    fields: { 'c-ip': `203.0.113.${i % 9}`, 'cs(User-Agent)': 'python-requests/2.25', noise: 'n'.repeat(400 + (i % 200)) },
  };
}

test('past its bound a job writes sorted runs; merged, they are the shown findings in total order with their facts', () => {
  const all = Array.from({ length: 600 }, (_, i) => finding((i * 37) % 600));
  for (const bound of [1 << 30, 20_000]) {
    const sorter = new SpillSorter<Finding>({ key: findingOrderKey, serialize: JSON.stringify, parse: JSON.parse });
    const job = new JobFindings({ minLevel: 'medium', spillDir: sorter.tempDirFor(), timelines: false }, bound);
    for (const f of all) job.add(f);
    const part = job.part();
    if (bound < 1 << 20) assert.ok(part.runs.length > 5, `several runs (${part.runs.length})`);
    else assert.equal(part.runs.length, 1, 'one run when the records pass the inline size');
    for (const r of part.runs) sorter.adoptRun(r.path, r.count);
    if (part.inline) sorter.addRecords(part.inline);
    const shown = all.filter((f) => f.level !== 'low');
    const expected = shown.map((f) => ({ k: findingOrderKey(f), l: JSON.stringify(f) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.l < b.l ? -1 : 1)).map((x) => x.l);
    const got = [...sorter.drain()];
    assert.deepEqual(got.map((e) => e.line), expected);
    const book = new ShapeBook();
    book.learn(part.shapes);
    const view = book.read(got[0]!.aux, () => got[0]!.item);
    assert.ok(!got[0]!.aux.includes('"noise"'), 'the fields stay behind...');
    assert.match(view.ip ?? '', /^203\.0\.113\./, '...the facts the digest reads come instead');
    assert.equal(view.whole().fields['cs(User-Agent)'], 'python-requests/2.25', 'and the finding itself when asked for');
    assert.deepEqual(part.rules.map((r) => r.key), ['sigma:rule-0', 'sigma:rule-2', 'sigma:rule-4', 'sigma:rule-1', 'sigma:rule-3'], 'every rule that fired, low ones too, in first-fired order');
    assert.equal(part.ips.length, 6, 'the addresses of medium and higher findings only (i % 3 != 0: six of the nine)');
    assert.equal(part.traces[0]![2], all.filter((f) => f.cves.length).length, 'every CVE trace counted');
  }
  assert.deepEqual(liveTempDirs(), []);
});

test("a thread's jobs reuse record buffers: a job's records are its own, whether jobs follow or overlap", () => {
  const ctx = { minLevel: 'low' as const, spillDir: null, timelines: false };
  // A record is `key \t line \t aux \n` (JSON escapes tabs and newlines inside them): the finding is its second field.
  const linesOf = (inline: string): string[] => inline.split('\n').filter((r) => r !== '').map((r) => r.split('\t')[1]!).sort();
  const own = (fs: Finding[]): string[] => fs.map((f) => JSON.stringify(f)).sort();
  const batch = (from: number, n: number): Finding[] => Array.from({ length: n }, (_, i) => finding(from + i));
  // A big job first, so its grown buffer is the one handed on.
  const first = new JobFindings(ctx);
  const a = batch(0, 3000);
  for (const f of a) first.add(f);
  assert.deepEqual(linesOf(first.part().inline), own(a));
  // Two jobs at once (a worker's text jobs await their reads), then one after both.
  const x = new JobFindings(ctx);
  const y = new JobFindings(ctx);
  const bx = batch(5000, 700);
  const by = batch(9000, 500);
  for (let i = 0; i < 700; i++) {
    x.add(bx[i]!);
    if (i < 500) y.add(by[i]!);
  }
  const px = x.part();
  const z = new JobFindings(ctx);
  const bz = batch(20_000, 40);
  for (const f of bz) z.add(f);
  assert.deepEqual(linesOf(y.part().inline), own(by), 'the overlapping job kept its own records');
  assert.deepEqual(linesOf(px.inline), own(bx));
  assert.deepEqual(linesOf(z.part().inline), own(bz), 'a job on a reused buffer holds its records and no earlier bytes');
});
