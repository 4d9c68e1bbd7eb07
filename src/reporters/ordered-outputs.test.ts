// The ordered outputs from parts (a final merge's ranges) and from lines give the same files: timeline.csv's
// header once, the first parts moved into place where they can be, copied where they cannot; and exhunt scan's
// sinks give --jsonl its lines from the same parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attackCatalog } from '../attack/index.js';
import { OrderedOutputs } from './ordered-outputs.js';
import { timelineCsvHeader } from './csv-timeline.js';
import { orderedSinks } from '../cli/commands/scan.js';

const HEADER = timelineCsvHeader();
const rows = (n: number, from = 0): { json: string[]; csv: string[]; sketch: string[] } => {
  const r = { json: [] as string[], csv: [] as string[], sketch: [] as string[] };
  for (let i = from; i < from + n; i++) {
    r.json.push(`{"n":${i},"s":"é\\u0000"}`);
    r.csv.push(`"${i}","a,""b"""\r\n`);
    r.sketch.push(`{"n":${i}}`);
  }
  return r;
};
function parts(dir: string, name: string, r: ReturnType<typeof rows>, csvHeader: boolean) {
  const p = { findings: join(dir, `${name}.findings`), csv: join(dir, `${name}.csv`), sketch: join(dir, `${name}.sketch`), csvHeader };
  writeFileSync(p.findings, r.json.map((x) => x + '\n').join(''));
  writeFileSync(p.csv, (csvHeader ? HEADER : '') + r.csv.join(''));
  writeFileSync(p.sketch, r.sketch.map((x) => x + '\n').join(''));
  return p;
}
const read = (dir: string) => ['findings.jsonl', 'timeline.csv', 'timeline.jsonl'].map((n) => readFileSync(join(dir, n), 'utf8'));
const expected = (r: ReturnType<typeof rows>) => [r.json.map((x) => x + '\n').join(''), HEADER + r.csv.join(''), r.sketch.map((x) => x + '\n').join('')];

async function byLines(dir: string, r: ReturnType<typeof rows>): Promise<string[]> {
  const o = await OrderedOutputs.open(dir, attackCatalog(), true);
  for (let i = 0; i < r.json.length; i++) await o.writeLines(r.json[i]!, { csv: r.csv[i]!, sketch: r.sketch[i]! });
  await o.close();
  return read(dir);
}

test('outputs from parts equal outputs from lines: header once, whichever comes first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-oo-'));
  try {
    const a = rows(3);
    const b = rows(1500, 3);
    const all = { json: [...a.json, ...b.json], csv: [...a.csv, ...b.csv], sketch: [...a.sketch, ...b.sketch] };
    assert.deepEqual(await byLines(join(dir, 'lines'), all), expected(all));

    // the first range's parts (csv with the header) moved into place, the second's copied after
    const o = await OrderedOutputs.open(join(dir, 'parts'), attackCatalog(), true);
    const first = parts(dir, 'p0', a, true);
    await o.appendParts(first);
    assert.ok(!existsSync(first.findings) && !existsSync(first.csv) && !existsSync(first.sketch), 'moved, not copied');
    const second = parts(dir, 'p1', b, false);
    await o.appendParts(second);
    assert.ok(existsSync(second.findings), 'copied (the caller removes it)');
    await o.close();
    assert.deepEqual(read(join(dir, 'parts')), expected(all));

    // lines first, then a part that begins with the header: the header is not written twice
    const m = await OrderedOutputs.open(join(dir, 'mixed'), attackCatalog(), true);
    for (let i = 0; i < a.json.length; i++) await m.writeLines(a.json[i]!, { csv: a.csv[i]!, sketch: a.sketch[i]! });
    await m.appendParts(parts(dir, 'p2', b, true));
    await m.close();
    assert.deepEqual(read(join(dir, 'mixed')), expected(all));

    // a first part without the header: the header is written before it
    const h = await OrderedOutputs.open(join(dir, 'headless'), attackCatalog(), true);
    await h.appendParts(parts(dir, 'p3', all, false));
    await h.close();
    assert.deepEqual(read(join(dir, 'headless')), expected(all));

    // nothing at all: the header alone
    const none = await OrderedOutputs.open(join(dir, 'none'), attackCatalog(), true);
    await none.close();
    assert.deepEqual(read(join(dir, 'none')), ['', HEADER, '']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// /dev/shm is another file system than the temp folder on most Linux machines: moving fails there (EXDEV)
const other = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? '/dev/shm' : null;
test('parts on another file system are copied', { skip: other === null && 'no second file system (/dev/shm) here' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-oo-'));
  const out = mkdtempSync(join(other!, 'exhunt-oo-'));
  try {
    const a = rows(5);
    const o = await OrderedOutputs.open(out, attackCatalog(), true);
    const p = parts(dir, 'p0', a, true);
    await o.appendParts(p);
    assert.ok(existsSync(p.findings), 'copied: the part is still there');
    await o.close();
    assert.deepEqual(read(out), expected(a));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }
});

test('exhunt scan --out --jsonl by ranges: stdout and findings.jsonl both get every line, though the first part is moved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-oo-'));
  try {
    const a = rows(4);
    const b = rows(3, 4);
    const outputs = await OrderedOutputs.open(join(dir, 'out'), attackCatalog(), true);
    const stdout: Buffer[] = [];
    const sinks = orderedSinks(outputs, true, async (t) => void stdout.push(Buffer.from(t)));
    await sinks.onOrderedParts!(parts(dir, 'p0', a, true));
    await sinks.onOrderedParts!(parts(dir, 'p1', b, false));
    await outputs.close();
    const all = { json: [...a.json, ...b.json], csv: [...a.csv, ...b.csv], sketch: [...a.sketch, ...b.sketch] };
    assert.deepEqual(read(join(dir, 'out')), expected(all));
    assert.equal(Buffer.concat(stdout).toString('utf8'), expected(all)[0]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
