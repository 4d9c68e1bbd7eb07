// Which conditions may run over value sets: those that read the event only through named columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SqlGroup } from '../../engines/sigma/index.js';
import { partitionForValueSets, readsEvent, splitColumns } from './value-sets.js';

test('readsEvent: a stored column named outside string literals, whatever the literal holds', () => {
  assert.equal(readsEvent("fld_3 != 0 AND position(fld_4, 'keys') > 0"), false);
  assert.equal(readsEvent("fld_1 = 'vals[1]' OR fld_2 IN ('channel', 'it''s', 'a\\'keys')"), false);
  assert.equal(readsEvent("arrayExists(x -> x = 'a', vals)"), true);
  assert.equal(readsEvent("has(keys, 'Image')"), true);
  assert.equal(readsEvent('h_12 = 1'), true);
  assert.equal(readsEvent('bitAnd(hot_mask, 4) != 0'), true);
  assert.equal(readsEvent("lowerUTF8(channel) = 'security'"), true);
  assert.equal(readsEvent('fld_12 = 1'), false);
});

test('splitColumns: columns reading the event form the value set, written out in full; the rest are computed from them', () => {
  const columns: [string, string][] = [
    ['fld_1', "indexOf(keys, 'Image')"],
    ['fld_2', 'vals[fld_1]'],
    ['fld_3', 'lowerUTF8(fld_2)'],
    ['fld_4', 'h_0'],
    ['fld_7', 'bitAnd(hot_mask, 4)'],
    ['fld_8', 'bitAnd(hot_mask, 1024)'],
  ];
  const { base, derived } = splitColumns([{ columns }]);
  assert.deepEqual(base, [
    ['fld_1', "indexOf(keys, 'Image')"],
    ['fld_2', "vals[(indexOf(keys, 'Image'))]"],
    ['fld_4', 'h_0'],
    ['set_mask', 'bitAnd(hot_mask, 1028)'],
  ]);
  assert.deepEqual(derived, [
    ['fld_7', 'bitAnd(set_mask, 4)'],
    ['fld_8', 'bitAnd(set_mask, 1024)'],
    ['fld_3', 'lowerUTF8(fld_2)'],
  ]);
  // A rule reading every value of the event (a keyword search), or the row itself, stays with the events.
  const all: [string, string][] = [...columns, ['fld_5', 'vals'], ['fld_6', 'arrayMap(v -> lowerUTF8(v), fld_5)']];
  const group = { label: 'g', where: '1', rules: [1, 2, 3, 4].map((index) => ({ index })), conds: ["endsWith(fld_3, 'x')", "has(keys, 'Image')", "hasAny(fld_6, ['a'])", 'fld_4 = 1'], columns: all } as unknown as SqlGroup;
  const { sets, rows } = partitionForValueSets([group]);
  assert.deepEqual(sets.map((g) => [g.rules.map((r) => r.index), g.conds, g.columns.map(([n]) => n)]), [[[1, 4], ["endsWith(fld_3, 'x')", 'fld_4 = 1'], ['fld_1', 'fld_2', 'fld_3', 'fld_4']]]);
  assert.deepEqual(rows.map((g) => [g.rules.map((r) => r.index), g.columns.map(([n]) => n)]), [[[2, 3], ['fld_5', 'fld_6']]]);
});
