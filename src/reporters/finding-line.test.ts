// The line a job writes for a finding is JSON.stringify's, byte for byte: hostile strings (quotes, backslashes,
// control characters, lone surrogates, non-ASCII), integer-like and odd keys, left-out values, shared rules and
// fields objects (the caches), findings that share a rule object but not their fields; and the story's slim copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../finding.js';
import { findingLineParts, Pieces } from './finding-line.js';

/** The whole line the pieces join to. */
function findingLine(f: Finding): string {
  const out = new Pieces();
  findingLineParts(f, out);
  return out.text();
}

const NASTY = ['', 'plain', 'quote " and \\ backslash', 'tab\tnl\ncr\r\u0000nul\u001fus', 'lone \ud800 high', 'lone \udfff low', 'pair 😀', 'ünïcödé ✓', '\u2028\u2029', '</script><b>', "'); DROP TABLE events; --", '{placeholder}'];

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function value(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * 9);
  switch (k) {
    case 0: return NASTY[Math.floor(r() * NASTY.length)];
    case 1: return Math.floor(r() * 1e6) - 5e5;
    case 2: return [1.5, -0, 1e21, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53][Math.floor(r() * 6)];
    case 3: return r() < 0.5;
    case 4: return null;
    case 5: return undefined;
    case 6: return depth > 2 ? 'x' : Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    case 7: return depth > 2 ? 'y' : obj(r, depth + 1);
    default: return NASTY[Math.floor(r() * NASTY.length)]!.repeat(1 + Math.floor(r() * 3));
  }
}
function obj(r: () => number, depth: number): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const keys = ['a', '10', '2', 'Image', 'cs-uri-query', 'k"q', 'nul\u0000key', '__proto__x', 'ü'];
  for (let i = 0, n = Math.floor(r() * 6); i < n; i++) o[keys[Math.floor(r() * keys.length)]!] = value(r, depth);
  return o;
}

test('the pieces join to JSON.stringify(finding) for random findings with hostile values', () => {
  const r = rand(7);
  const rules = Array.from({ length: 4 }, (_, i) => ({ id: `r${i}`, title: NASTY[i * 3 % NASTY.length]!, author: i ? 'a "b"' : null, source: `x${i}.yml`, tags: ['attack.t1190'] }));
  let fields = obj(r, 0);
  let evidence: Finding['evidence'] = { path: 'C/first.log', kind: 'evtx', record: 0 };
  for (let i = 0; i < 3000; i++) {
    // else: the next finding shares the previous one's fields and evidence objects (one event, several rules)
    if (r() < 0.5) {
      fields = obj(r, 0);
      evidence = { path: `C/${NASTY[i % NASTY.length]}.log`, kind: 'evtx', record: i, ...(i % 3 ? { offset: i * 7 } : {}) };
    }
    const f: Finding = {
      engine: 'sigma', time: r() < 0.1 ? null : `2021-03-02T0${i % 10}:00:00Z`, level: 'high', rule: rules[i % rules.length]!,
      cves: i % 5 ? [] : ['CVE-2021-26855'], attack: ['T1190'], host: r() < 0.2 ? null : NASTY[i % NASTY.length]!,
      evidence: r() < 0.1 ? { ...evidence } : evidence, // an equal evidence object that is not the same one, now and then
      fields,
      ...(i % 4 === 0 ? { message: NASTY[(i >> 2) % NASTY.length]! } : {}),
    };
    if (i % 7 === 0) (f as { message?: string }).message = undefined; // a key JSON leaves out
    const parts = new Pieces();
    parts.push('x'.repeat(i % 3)); // pieces already there stay where they are
    const from = parts.n;
    findingLineParts(f, parts);
    assert.equal(parts.text(from), JSON.stringify(f), `finding ${i}`);
    const slim = new Pieces();
    findingLineParts(f, slim, true);
    assert.equal(slim.text(), JSON.stringify({ ...f, rule: 0, fields: {} }), `slim copy of finding ${i}`);
  }
});

test('a slim copy reuses its line\'s texts once: a finding changed afterwards gets a fresh copy', () => {
  const f: Finding = { engine: 'sigma', time: '2021-03-02T01:00:00Z', level: 'high', rule: { id: 'r', title: 't', author: null, source: 's' }, cves: [], attack: [], host: 'EX01', evidence: { path: 'p', kind: 'evtx', record: 1 }, fields: { a: 1 } };
  const copy = (): string => {
    const p = new Pieces();
    findingLineParts(f, p, true);
    return p.text();
  };
  findingLineParts(f, new Pieces());
  assert.equal(copy(), JSON.stringify({ ...f, rule: 0, fields: {} }));
  f.host = 'EX02';
  assert.equal(copy(), JSON.stringify({ ...f, rule: 0, fields: {} }), 'the second copy is made anew');
});

test('key order is JSON.stringify\'s (integer-like keys first), and an object with no keys is {}', () => {
  const odd = { 2: 'two', b: 1, 1: 'one', a: undefined, fields: { 10: 'x', 9: 'y', z: 'z' }, rule: { 1: 'r', id: 'q' } } as unknown as Finding;
  assert.equal(findingLine(odd), JSON.stringify(odd));
  assert.equal(findingLine({} as Finding), '{}');
  assert.equal(findingLine({ a: undefined } as unknown as Finding), '{}');
});

test('a new fields object is written anew even where it equals the last one in content but not identity, and the other way round', () => {
  const rule = { id: 'r', title: 't', author: null, source: 's' };
  const base: Omit<Finding, 'fields'> = { engine: 'sigma', time: null, level: 'low', rule, cves: [], attack: [], host: null, evidence: { path: 'p', kind: 'evtx' } };
  const f1: Finding = { ...base, fields: { a: '1' } };
  const f2: Finding = { ...base, fields: { a: '2' } };
  assert.equal(findingLine(f1), JSON.stringify(f1));
  assert.equal(findingLine(f2), JSON.stringify(f2));
  assert.equal(findingLine(f1), JSON.stringify(f1));
});
