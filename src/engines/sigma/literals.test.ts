// The shared literal tables and the keyword scanner agree with plain string tests on random and tricky
// values (differential tests: a wrong hit kind or a skipped window would show as a mismatch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldId, type FieldContext } from './fields.js';
import { KeywordScanner } from './keyword-scan.js';
import { FieldLiterals, HIT_ANY, HIT_END, HIT_START, LiteralSet } from './literals.js';

/** A deterministic pseudo-random generator (tests must be repeatable). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const ALPHA = 'abcAB\\.:-x ';
function word(r: () => number, max: number): string {
  let w = '';
  const n = 1 + Math.floor(r() * max);
  for (let i = 0; i < n; i++) w += ALPHA[Math.floor(r() * ALPHA.length)];
  return w;
}

let gen = 0;
function ctxOf(field: string, value: string | string[]): FieldContext {
  const id = fieldId(field);
  return { gen: ++gen, strAt: (i: number) => (i === id ? value : undefined) } as unknown as FieldContext;
}

/** The literal ids the last ensure() found. */
const hitIds = (t: FieldLiterals): Set<number> => new Set(t.hits.subarray(0, t.hitCount));

test('field literal hits are exactly the literals the lower-cased value includes, each once', () => {
  const r = rng(7);
  const table = new FieldLiterals('F');
  const lits = Array.from({ length: 60 }, () => word(r, 4).toLowerCase());
  const ids = lits.map((l) => table.id(l));
  table.freeze();
  for (let round = 0; round < 400; round++) {
    const value = round % 5 === 0 ? [word(r, 12), word(r, 12)] : word(r, 20);
    const ctx = ctxOf('F', value);
    table.ensure(ctx);
    const found = hitIds(table);
    assert.equal(found.size, table.hitCount, 'each literal reported once');
    const values = (typeof value === 'string' ? [value] : value).map((v) => v.toLowerCase());
    lits.forEach((l, k) => {
      assert.equal(found.has(ids[k]!), values.some((v) => v.includes(l)), `contains ${l} in ${values}`);
    });
  }
});

test('field literals fold case as toLowerCase does: KELVIN SIGN, U+0130 and non-ASCII capitals', () => {
  const t = new FieldLiterals('F');
  const [kerberos, dotted, ix, apfel] = ['kerberos', 'i\u0307x', 'ix', '\u00e4pfel'].map((l) => t.id(l));
  t.freeze();
  const found = (v: string): Set<number> => {
    t.ensure(ctxOf('F', v));
    return hitIds(t);
  };
  assert.ok(found('\u212AERBEROS::golden').has(kerberos!), 'KELVIN SIGN lower-cases to k');
  const turkish = found('A\u0130X');
  assert.ok(turkish.has(dotted!), 'U+0130 lower-cases to i + U+0307');
  assert.equal(turkish.has(ix!), false, 'and so is no plain i before x');
  assert.ok(found('\u00c4PFEL').has(apfel!));
  assert.ok(found('SIX').has(ix!));
});

test('an absent field has no hits, and hits never leak into the next event', () => {
  const t = new FieldLiterals('F');
  const id = t.id('abc');
  t.freeze();
  const a = ctxOf('F', 'xxABCxx');
  t.ensure(a);
  assert.ok(hitIds(t).has(id));
  const b = ctxOf('G', 'abc');
  t.ensure(b);
  assert.equal(hitIds(t).has(id), false);
});

test('a literal set answers like the startsWith/endsWith/includes tests it replaces', () => {
  const r = rng(3);
  const kinds = [HIT_ANY, HIT_START, HIT_END];
  for (let round = 0; round < 50; round++) {
    const lits = Array.from({ length: 8 }, () => ({ lit: word(r, 4).toLowerCase(), kind: kinds[Math.floor(r() * 3)]! }));
    const set = new LiteralSet(lits);
    for (let k = 0; k < 100; k++) {
      const v = word(r, 16).toLowerCase();
      const want = lits.some(({ lit, kind }) => (kind === HIT_ANY ? v.includes(lit) : kind === HIT_START ? v.startsWith(lit) : v.endsWith(lit)));
      assert.equal(set.test(v), want, `${JSON.stringify(lits)} on ${v}`);
    }
  }
});

test('a literal set with non-ASCII literals (emoji, accents) still answers exactly like the string tests', () => {
  // Non-ASCII code units share one automaton class: hits are confirmed, so a same-class neighbour is no hit.
  const r = rng(5);
  const NON = ['é', 'ü', '\u{1F600}', '\u{1F47B}', 'ж'];
  const mixed = (max: number): string => {
    let w = '';
    const n = 1 + Math.floor(r() * max);
    for (let i = 0; i < n; i++) w += r() < 0.4 ? NON[Math.floor(r() * NON.length)]! : ALPHA[Math.floor(r() * ALPHA.length)]!;
    return w.toLowerCase();
  };
  const kinds = [HIT_ANY, HIT_START, HIT_END];
  let hits = 0;
  for (let round = 0; round < 60; round++) {
    const lits = Array.from({ length: 8 }, () => ({ lit: mixed(3), kind: kinds[Math.floor(r() * 3)]! }));
    const set = new LiteralSet(lits);
    for (let k = 0; k < 100; k++) {
      const v = mixed(12);
      const want = lits.some(({ lit, kind }) => (kind === HIT_ANY ? v.includes(lit) : kind === HIT_START ? v.startsWith(lit) : v.endsWith(lit)));
      if (want) hits++;
      assert.equal(set.test(v), want, `${JSON.stringify(lits)} on ${v}`);
    }
  }
  assert.ok(hits > 100 && hits < 5900, `both outcomes were exercised (${hits} hits)`);
  assert.equal(new LiteralSet([{ lit: '\u{1F600}', kind: HIT_ANY }]).test('x\u{1F47B}x'), false, 'another emoji is not a hit');
  assert.equal(new LiteralSet([{ lit: '\u{1F600}', kind: HIT_ANY }]).test('x\u{1F600}x'), true);
});

test('keyword scanner finds exactly the patterns contained case-insensitively', () => {
  const r = rng(11);
  for (const minLen of [1, 2, 3, 6]) {
    const pats = [...new Set(Array.from({ length: 25 }, () => (word(r, 5) + 'x'.repeat(minLen)).slice(0, Math.max(minLen, 1 + Math.floor(r() * 8))).toLowerCase()))];
    const sc = new KeywordScanner(pats);
    for (let round = 0; round < 300; round++) {
      const values = [word(r, 30), word(r, 3), word(r, 60).toUpperCase()];
      sc.scan(values, ++gen);
      const found = new Set(Array.from(sc.hits.subarray(0, sc.count), (id) => pats[id]));
      for (const p of pats) assert.equal(found.has(p), values.some((v) => v.toLowerCase().includes(p)), `${p} in ${JSON.stringify(values)}`);
    }
  }
});

test('keyword scanner folds non-ASCII capitals the way toLowerCase does', () => {
  const sc = new KeywordScanner(['kerberos::golden', 'äpfel']);
  sc.scan(['\u212Aerberos::GOLDEN', 'ÄPFEL'], ++gen);
  assert.equal(sc.count, 2);
});
