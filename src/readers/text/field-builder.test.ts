// Field-builder tests: the compiled per-header builder yields plain objects equal to a plain loop's, and
// hostile #Fields names (quotes, backslashes, code, __proto__) stay inert data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFieldBuilder, type BuilderColumn } from './index.js';

/** The obvious loop the builder replaces. */
function reference(cols: readonly BuilderColumn[], absent: string, values: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let c = 0; c < values.length && c < cols.length; c++) {
    const col = cols[c]!;
    let v = values[c]!;
    if (col.name === '' || v === absent) continue;
    if (col.plus && v.includes('+')) v = v.replaceAll('+', ' ');
    o[col.name] = v;
    if (col.alias !== null) o[col.alias] = v;
  }
  return o;
}

test('builds plain objects with the same keys, order and values as a loop', () => {
  const cols: BuilderColumn[] = [
    { name: 'date', alias: null },
    { name: 'cs-user-agent', alias: 'cs(User-Agent)', plus: true },
    { name: '', alias: null },
    { name: 'cs-uri-query', alias: null },
  ];
  const build = compileFieldBuilder(cols, '-');
  for (const values of [
    ['2021-03-03', 'Mozilla/5.0+(X11)', 'dup', 'a+b'],
    ['2021-03-03', '-', 'dup', ''],
    ['2021-03-03', 'curl/8'], // torn line: fewer values
    [],
  ]) {
    const buf = [...values, 'stale', 'stale', 'stale', 'stale'];
    const got = build(buf, values.length);
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepEqual(Object.keys(got), Object.keys(reference(cols, '-', values)));
    assert.deepEqual(got, reference(cols, '-', values));
  }
  // the '+' memo returns the same decoding on every call
  assert.equal(build(['d', 'A+B'], 2)['cs-user-agent'], 'A B');
  assert.equal(build(['d', 'A+B'], 2)['cs(User-Agent)'], 'A B');
});

test("'' is the CSV absent marker; hostile names are stored as data", () => {
  const hostile = ['a"b', "c'd", 'e\\f', '"]; globalThis.pwned = 1; //', '\u2028x', '__proto__', 'constructor'];
  const cols = hostile.map((name) => ({ name, alias: null }));
  const build = compileFieldBuilder(cols, '');
  const values = hostile.map((_, i) => (i === 1 ? '' : `v${i}`));
  const got = build(values, values.length);
  assert.equal((globalThis as Record<string, unknown>)['pwned'], undefined);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(got, reference(cols, '', values));
  assert.equal(got['a"b'], 'v0');
  assert.ok(!("c'd" in got));
  assert.equal(got['"]; globalThis.pwned = 1; //'], 'v3');
  assert.equal(got['constructor'], 'v6');
});

test('lines whose empty columns vary without end still give the same plain objects', () => {
  // 12 columns, every line a different set of absent ones: past the builder's shape limit it switches
  // to another way of building; nothing observable may change.
  const cols: BuilderColumn[] = Array.from({ length: 12 }, (_, c) => ({ name: `col${c}`, alias: c === 3 ? 'Col(3)' : null, plus: c === 5 }));
  const build = compileFieldBuilder(cols, '');
  for (let mask = 0; mask < 1 << 12; mask += 7) {
    const values = cols.map((_, c) => ((mask >> c) & 1 ? '' : `v${c}+${mask}`));
    const n = mask % 5 === 0 ? 9 : 12; // some torn lines too
    const got = build(values, n);
    const want = reference(cols, '', values.slice(0, n));
    assert.equal(Object.getPrototypeOf(got), Object.prototype);
    assert.deepEqual(Object.keys(got), Object.keys(want), `mask ${mask}`);
    assert.deepEqual(got, want, `mask ${mask}`);
    assert.equal(JSON.stringify(got), JSON.stringify(want));
  }
});
