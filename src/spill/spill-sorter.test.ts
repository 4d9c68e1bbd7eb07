// The external sort: the same output whatever order items come in (with ties the key cannot break), runs
// really spilled and merged in passes, and the temp folder gone afterwards, also when the reader stops early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferedFile, SpillSorter, liveTempDirs } from './index.js';

interface Item {
  t: string;
  id: number;
  note: string;
}
function items(n: number): Item[] {
  // few distinct keys, so most order comes from the line tie-break
  return Array.from({ length: n }, (_, i) => ({ t: `2021-03-0${(i * 7) % 5}`, id: (i * 31) % 97, note: 'é✓'.repeat(i % 3) + String(i) }));
}
function shuffled<T>(xs: T[], seed: number): T[] {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
function sortWith(input: Item[], runSize: number, fanIn = 64): { lines: string[]; runs: number; dir: string | null } {
  const s = new SpillSorter<Item>({ key: (x) => `${x.t}\u0000${x.id}`, serialize: JSON.stringify, parse: JSON.parse, runSize, fanIn });
  for (const x of input) s.add(x);
  const runs = s.spilledRuns;
  const lines = [...s.drain()].map((e) => {
    assert.equal(JSON.stringify(e.item), e.line);
    return e.line;
  });
  return { lines, runs, dir: s.tempDir };
}

test('shuffled inputs give the same sorted lines, in memory, spilled, and merged in passes', () => {
  const base = items(2500);
  const expected = base.map((x) => JSON.stringify(x)).sort((a, b) => {
    const pa = JSON.parse(a) as Item;
    const pb = JSON.parse(b) as Item;
    const ka = `${pa.t}\u0000${pa.id}`;
    const kb = `${pb.t}\u0000${pb.id}`;
    return ka < kb ? -1 : ka > kb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const mem = sortWith(shuffled(base, 1), 10_000);
  assert.equal(mem.runs, 0);
  assert.deepEqual(mem.lines, expected);
  for (const seed of [2, 3, 4]) {
    const spilled = sortWith(shuffled(base, seed), 100);
    assert.equal(spilled.runs, 25, 'spilled into 25 runs of 100');
    assert.deepEqual(spilled.lines, expected);
    assert.ok(spilled.dir && !existsSync(spilled.dir), 'temp folder removed');
    const passes = sortWith(shuffled(base, seed), 37, 4);
    assert.deepEqual(passes.lines, expected, 'more runs than the fan-in: merged in passes');
    assert.ok(passes.dir && !existsSync(passes.dir));
  }
  assert.deepEqual(liveTempDirs(), []);
});

test('the temp folder goes when the reader stops early, and when nothing is drained', () => {
  const s = new SpillSorter<Item>({ key: (x) => x.t, serialize: JSON.stringify, parse: JSON.parse, runSize: 10 });
  for (const x of items(100)) s.add(x);
  const dir = s.tempDir!;
  assert.ok(readdirSync(dir).length >= 9, 'runs on disk while sorting');
  for (const e of s.drain()) {
    assert.ok(e.line);
    break;
  }
  assert.ok(!existsSync(dir));
  const t = new SpillSorter<Item>({ key: (x) => x.t, serialize: JSON.stringify, parse: JSON.parse, runSize: 10 });
  for (const x of items(50)) t.add(x);
  const dir2 = t.tempDir!;
  t.dispose();
  assert.ok(!existsSync(dir2));
  assert.deepEqual(liveTempDirs(), []);
});

test('runs written elsewhere (adoptRun) and records handed over as text (addRecords) merge as if every item were added', async () => {
  const { encodeRecord } = await import('./index.js');
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const key = (x: Item): string => `${x.t}\u0000${x.id}\t\n"`; // a key may hold anything: tabs, line breaks, quotes
  const opts = { key, serialize: JSON.stringify, parse: JSON.parse, aux: (x: Item) => JSON.stringify([x.id]), runSize: 300 };
  const all = shuffled(items(1200), 9);
  const ref = new SpillSorter<Item>(opts);
  for (const x of all) ref.add(x);
  const expected = [...ref.drain()].map((e) => [e.line, e.aux]);
  const s = new SpillSorter<Item>(opts);
  const sortedRecords = (xs: Item[]): string =>
    xs
      .map((x) => ({ k: key(x), l: JSON.stringify(x) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.l < b.l ? -1 : a.l > b.l ? 1 : 0))
      .map((r) => encodeRecord(r.k, r.l, JSON.stringify([(JSON.parse(r.l) as Item).id])))
      .join('');
  for (let i = 0; i < 3; i++) {
    const path = join(s.tempDirFor(), `other-${i}.run`);
    writeFileSync(path, sortedRecords(all.slice(i * 300, (i + 1) * 300)));
    s.adoptRun(path, 300);
  }
  s.addRecords(sortedRecords(all.slice(900, 1000)).split('\n').filter(Boolean).reverse().join('\n') + '\n'); // any order
  for (const x of all.slice(1000)) s.add(x);
  assert.equal(s.size, 1200);
  const got = [...s.drain()].map((e) => {
    assert.deepEqual(e.item, JSON.parse(e.line), 'the item parses from its line when asked');
    return [e.line, e.aux];
  });
  assert.deepEqual(got, expected);
  assert.deepEqual(liveTempDirs(), []);
});

test('run files read as bytes: records longer than a block, characters cut at block ends, a last record without its newline, merge passes', () => {
  const s = new SpillSorter<Item>({ key: (x) => `${x.t}\u0000${x.id}`, serialize: JSON.stringify, parse: JSON.parse, aux: (x) => `aux-${x.id}-${'✓'.repeat(x.id % 7)}`, runSize: 3, fanIn: 2 });
  // 'é✓' are 2 and 3 bytes in UTF-8: with lines of 40-200 KB, block ends (64 KiB) fall inside them
  const input = Array.from({ length: 20 }, (_, i) => ({ t: `2021-03-0${i % 4}`, id: (i * 13) % 17, note: 'é✓'.repeat(7000 + ((i * 7919) % 30000)) }));
  const dir = s.tempDirFor();
  // a run written elsewhere, sorted, whose last record has no newline
  const adopted = [{ t: '2021-03-00', id: 99, note: '✓'.repeat(30000) }, { t: '2021-03-09', id: 1, note: 'x' }];
  const text = adopted.map((x) => `${JSON.stringify(`${x.t}\u0000${x.id}`)}\t${JSON.stringify(x)}\taux-adopted`).join('\n');
  writeFileSync(join(dir, 'adopted.run'), text);
  s.adoptRun(join(dir, 'adopted.run'), adopted.length);
  for (const x of input) s.add(x);
  const all = [...input, ...adopted];
  const expected = all.map((x) => ({ k: `${x.t}\u0000${x.id}`, l: JSON.stringify(x) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.l < b.l ? -1 : a.l > b.l ? 1 : 0));
  const got = [...s.drain()];
  assert.deepEqual(got.map((e) => e.line), expected.map((e) => e.l), 'every line, whole, in order (entries kept past the next one stay readable)');
  for (const e of got) assert.equal(e.aux, e.item.id === 99 || e.item.note === 'x' ? 'aux-adopted' : `aux-${e.item.id}-${'✓'.repeat(e.item.id % 7)}`);
  assert.deepEqual(liveTempDirs(), []);
});

test('drain merges past the fan-in in passes (the items still in memory one more source), each pass removing the runs it merged', () => {
  const opts = { key: (x: Item) => `${x.t}\u0000${x.id}`, serialize: JSON.stringify, parse: JSON.parse, aux: (x: Item) => `a${x.id}`, runSize: 40, fanIn: 8 };
  const all = shuffled(items(1500), 3);
  const expected = all
    .map((x) => ({ k: opts.key(x), l: JSON.stringify(x), a: opts.aux(x) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.l < b.l ? -1 : a.l > b.l ? 1 : 0))
    .map((e) => [e.l, e.a]);
  const s = new SpillSorter<Item>(opts);
  for (const x of all) s.add(x);
  assert.equal(s.spilledRuns, 37, '37 runs of 40 on disk, 20 items in memory');
  const dir = s.tempDir!;
  const got: string[][] = [];
  for (const e of s.drain()) {
    if (got.length === 0) assert.ok(readdirSync(dir).length <= 8, `the passes left no more files than one merge holds open (${readdirSync(dir).length})`);
    got.push([e.line, e.aux]);
  }
  assert.ok(s.drainPasses >= 5, `merged in passes (${s.drainPasses})`);
  assert.deepEqual(got, expected);
  assert.deepEqual(liveTempDirs(), []);
});

test('a merge by ranges (planRanges, mergeSlices, readRuns) gives what one merge gives, ties kept in one range', async () => {
  const { planRanges, mergeSlices, readRuns } = await import('./index.js');
  // keys repeat (ties are ordered by line) and runs differ in size; one record is longer than a read block
  const all = shuffled(items(3000), 5).map((x, i) => ({ ...x, t: `2021-03-0${x.id % 3}`, note: i === 77 ? 'é'.repeat(90_000) : String(i) }));
  const opts = { key: (x: Item) => `${x.t}\u0000${x.id % 40}`, serialize: JSON.stringify, parse: JSON.parse, aux: (x: Item) => `a${x.id}`, runSize: 137 };
  const ref = new SpillSorter<Item>(opts);
  for (const x of all) ref.add(x);
  const expected = [...ref.drain()].map((e) => [e.line, e.aux]);
  for (const n of [1, 2, 3, 7]) {
    const s = new SpillSorter<Item>(opts);
    for (const x of all) s.add(x);
    const runs = s.sealedRuns();
    assert.equal(runs.length, Math.ceil(3000 / 137), 'every item in a run file');
    const ranges = planRanges(runs, n);
    assert.equal(ranges.length, n, `${n} ranges`);
    const outs: string[] = [];
    const seen: string[][] = [];
    const sizes: number[] = [];
    ranges.forEach((slices, i) => {
      const out = join(s.tempDirFor(), `range-${i}.run`);
      const keys: string[] = [];
      let chars = 0;
      // files held open (n = 2) or opened for each read (the others)
      const count = mergeSlices(
        slices,
        out,
        (e) => {
          keys.push(opts.key(JSON.parse(e.line) as Item));
          chars += e.line.length;
        },
        n === 2,
      );
      assert.equal(count, keys.length);
      seen.push(keys);
      sizes.push(chars);
      outs.push(out);
    });
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i - 1]!.length > 0 && seen[i - 1]!.at(-1)! < seen[i]![0]!, `range ${i - 1} ends before range ${i} begins, and no key is in two`);
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    if (n > 1) assert.ok(Math.max(...sizes) < total * 0.8, `the ranges share the bytes (${sizes.join(', ')})`);
    const got = [...readRuns<Item>(outs, JSON.parse)].map((e) => [e.line, e.aux]);
    assert.deepEqual(got, expected, `${n} ranges, read one after another, give one merge's order`);
    assert.deepEqual([...s.drain()].map((e) => [e.line, e.aux]), expected, 'drain still works after it');
  }
  assert.deepEqual(liveTempDirs(), []);
});

test("the files a final merge may hold open: half the process's soft limit where /proc/self/limits says it, else 768", async () => {
  const { heldFilesBudget } = await import('./index.js');
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-limits-'));
  try {
    const limits = (soft: string): string => {
      const p = join(dir, `limits-${soft}`);
      writeFileSync(p, `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                524288               files     \n`);
      return p;
    };
    assert.equal(heldFilesBudget(limits('1024')), 512);
    assert.equal(heldFilesBudget(limits('20000')), 10000);
    assert.equal(heldFilesBudget(limits('unlimited')), 65536);
    assert.equal(heldFilesBudget(limits('40')), 64);
    assert.equal(heldFilesBudget(join(dir, 'absent')), 768);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a BufferedFile writes exactly the bytes it is given: text encoded in place, pieces past its buffer, many pieces in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-buffered-'));
  try {
    const path = join(dir, 'out');
    const pieces: (string | Buffer)[] = [
      'plain ascii\n',
      'é😀\u2028 multi-byte\n',
      Buffer.from('bytes as they are\n'),
      'x'.repeat(400_000), // 3 bytes a unit would not fit what is left: flushed first, then encoded in place
      'é'.repeat(600_000), // more than the buffer holds at 3 bytes a unit: written on its own
      Buffer.alloc(3 << 20, 0x41), // a buffer larger than the file's own
      ...Array.from({ length: 20_000 }, (_, i) => (i % 2 ? `line ${i} ü\n` : Buffer.from(`raw ${i}\n`))),
    ];
    const f = new BufferedFile(path);
    for (const p of pieces) f.add(p);
    f.close();
    const want = Buffer.concat(pieces.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    assert.ok(readFileSync(path).equals(want), 'the file holds every piece, in order');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the runs' indexes tell what each range of a merge by ranges writes, before any is merged; a run without one (or with a damaged one) makes it null", async () => {
  const { planRanges, mergeSlices, rangeOutputBytes } = await import('./index.js');
  // what a record puts in two outputs: its line's bytes and a newline; its aux's bytes
  const measure = (b: Buffer, lineAt: number, lineEnd: number, end: number): number[] => [lineEnd - lineAt + 1, end - lineEnd - 1];
  const all = shuffled(items(2000), 9).map((x, i) => ({ ...x, note: i % 50 === 0 ? 'ü😀'.repeat(2000) : String(i) }));
  const s = new SpillSorter<Item>({ key: (x) => String(x.id % 300).padStart(4, '0'), serialize: JSON.stringify, parse: JSON.parse, aux: (x) => `é${x.id}`, runSize: 173, measure });
  for (const x of all) s.add(x);
  const runs = s.sealedRuns();
  try {
    for (const n of [1, 2, 5]) {
      const ranges = planRanges(runs, n);
      const said = rangeOutputBytes(ranges);
      assert.ok(said !== null);
      const wrote = ranges.map((slices) => {
        const w = [0, 0];
        mergeSlices(slices, null, (e) => {
          w[0]! += Buffer.byteLength(e.line) + 1;
          w[1]! += Buffer.byteLength(e.aux);
        });
        return w;
      });
      assert.deepEqual(said, wrote, `${n} ranges: what the indexes say each range writes is what it writes`);
    }
    const index = `${runs[3]!}.index`;
    const good = readFileSync(index);
    writeFileSync(index, good.subarray(0, good.length - 8));
    assert.equal(rangeOutputBytes(planRanges(runs, 2)), null, 'a cut index');
    writeFileSync(index, Buffer.concat([good.subarray(0, good.length - 24), Buffer.alloc(24)]));
    assert.equal(rangeOutputBytes(planRanges(runs, 2)), null, 'an index whose last row is not its run\'s end');
    rmSync(index);
    assert.equal(rangeOutputBytes(planRanges(runs, 2)), null, 'no index');
  } finally {
    s.dispose();
  }
});

test('ranges share the bytes evenly when every run is alike (their sampling errors add up, not cancel); without indexes too, less evenly', async () => {
  const { planRanges } = await import('./index.js');
  const measure = (b: Buffer, lineAt: number, lineEnd: number, end: number): number[] => [lineEnd - lineAt + 1, end - lineEnd - 1];
  // 12 runs alike: the same keys in each, records growing with the key (most bytes late in every run), as runs of
  // logs read the same way are
  const records = (run: number): Item[] => Array.from({ length: 600 }, (_, i) => ({ t: `k${String(i).padStart(4, '0')}`, id: run, note: 'x'.repeat(20 + ((i * i) >> 5)) }));
  const share = (indexed: boolean, n: number): number[] => {
    const s = new SpillSorter<Item>({ key: (x) => `${x.t}\u0000${x.id}`, serialize: JSON.stringify, parse: JSON.parse, runSize: 600, ...(indexed ? { measure } : {}) });
    try {
      for (let r = 0; r < 12; r++) for (const x of records(r)) s.add(x);
      const runs = s.sealedRuns();
      assert.equal(runs.length, 12);
      const ranges = planRanges(runs, n);
      assert.equal(ranges.length, n);
      const bytes = ranges.map((slices) => slices.reduce((t, x) => t + x.end - x.start, 0));
      const total = bytes.reduce((a, b) => a + b, 0);
      return bytes.map((b) => (b / total) * n);
    } finally {
      s.dispose();
    }
  };
  for (const n of [2, 3, 4, 8]) {
    const got = share(true, n);
    assert.ok(got.every((x) => Math.abs(x - 1) <= 0.03), `indexed runs, ${n} ranges: each within 3% of its share (${got.map((x) => x.toFixed(3)).join(' ')})`);
    const rough = share(false, n);
    assert.ok(rough.every((x) => Math.abs(x - 1) <= 0.25), `runs without indexes, ${n} ranges: within 25% (${rough.map((x) => x.toFixed(3)).join(' ')})`);
  }
});
