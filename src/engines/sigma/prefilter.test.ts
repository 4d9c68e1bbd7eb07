// The pre-filter picks an entry only when every one of its literal clauses has a hit (conjunctive form),
// entries without clauses always, and keeps bucket order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atomsAnd, atomsOr, type Clauses } from './detection.js';
import { fieldId, type FieldContext } from './fields.js';
import { Prefilter } from './prefilter.js';

let gen = 0;
function ctxOf(fields: Record<string, string>): FieldContext {
  const byId = new Map(Object.keys(fields).map((f) => [fieldId(f), fields[f]]));
  return {
    gen: ++gen,
    lower: (f: string) => fields[f]?.toLowerCase(),
    strAt: (id: number) => byId.get(id),
    scalars: () => Object.values(fields),
  } as unknown as FieldContext;
}
const lit = (field: string | null, l: string): Clauses => [[{ field, lit: l }]];

test('an AND keeps its best clause and long-literal clauses; an OR is one clause of the children', () => {
  const and = atomsAnd([lit('cs-method', 'get'), lit('q', '={{'), lit('q', 'freemarker')])!;
  assert.deepEqual(and.map((c) => c.map((a) => a.lit)), [['freemarker']], 'short-literal clauses (get, ={{) are not kept besides the best one');
  const keywords: Clauses = [['={{', '=${', 'freemarker.template'].map((l) => ({ field: null, lit: l }))];
  const ssti = atomsAnd([lit('cs-method', 'get'), keywords])!;
  assert.deepEqual(ssti.map((c) => c.map((a) => a.lit)), [['={{', '=${', 'freemarker.template']], 'a lone short value (GET) is the last choice');
  assert.deepEqual(atomsAnd([lit('cs-method', 'get'), null])!.map((c) => c.map((a) => a.lit)), [['get']], 'but still chosen when it is the only clause');
  const two = atomsAnd([lit('Image', '\\cmd.exe'), lit('CommandLine', 'whoami /all')])!;
  assert.equal(two.length, 2, 'two long-literal clauses are both kept');
  assert.equal(atomsOr([lit('a', 'xxxxx'), null]), null, 'an OR with an unknown branch has no necessary literal');
  assert.deepEqual(atomsOr([lit('a', 'xxxxx'), lit('b', 'yyyyy')])!.map((c) => c.map((a) => a.lit)), [['xxxxx', 'yyyyy']]);
});

test('candidates need a hit in every clause', () => {
  const entries = [
    { atoms: atomsAnd([lit('Image', '\\cmd.exe'), lit('CommandLine', 'whoami /all')]) },
    { atoms: lit('CommandLine', 'whoami') },
    { atoms: null },
    { atoms: lit(null, 'sekurlsa::') },
  ];
  const pf = new Prefilter(entries);
  const pick = (fields: Record<string, string>): number[] => Array.from(pf.picked.subarray(0, pf.candidates(ctxOf(fields))));
  assert.deepEqual(pick({ Image: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd /c WHOAMI /ALL' }), [0, 1, 2]);
  assert.deepEqual(pick({ Image: 'C:\\Windows\\cmd.exe', CommandLine: 'cmd /c dir' }), [2], 'one clause missing: not a candidate');
  assert.deepEqual(pick({ Image: 'C:\\x\\powershell.exe', CommandLine: 'whoami /all' }), [1, 2]);
  assert.deepEqual(pick({ Image: 'x', CommandLine: 'mimikatz SEKURLSA::logonpasswords' }), [2, 3]);
});
