// CSV row tests: whenever the fast d3-dsv path accepts a row, its values equal csv-parse's (the reader's
// options); rows where the two parsers disagree (damaged quoting, bare CR) are refused and left to csv-parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { parseCsvRow } from './csv-row.js';

const OPTS = { relax_column_count: true, relax_quotes: true, skip_empty_lines: false } as const;
function reference(line: string): string[] | null {
  try {
    const recs = parseCsv(line, OPTS) as string[][];
    return recs.length === 1 ? recs[0]! : null;
  } catch {
    return null;
  }
}

test('well-formed rows: the values csv-parse gives', () => {
  for (const line of [
    'a,b,c',
    '2021-03-03T06:15:00.100Z,,"ServerInfo~a]@x:444/ecp/a?x=1,y#",python,"S:M=POST;note ""quoted"""',
    '"",x,""',
    'a,',
    ',',
    '"a,b"',
    '"""lead",trail""',
    'ab"c,d',
    ' "sp",x',
    '"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",10.0.0.1',
  ]) {
    assert.deepEqual(parseCsvRow(line), reference(line), line);
    assert.notEqual(parseCsvRow(line), null, line);
  }
});

test('damaged rows are refused, not guessed', () => {
  for (const line of ['"ab"x,c', 'a,"unclosed', 'a,"b"c"', 'a\rb,c', '"a"\r', 'x,"y""', '']) {
    assert.equal(parseCsvRow(line), null, JSON.stringify(line));
  }
});

test('random rows: an accepted row always equals csv-parse', () => {
  let s = 12345;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  const alphabet = ['a', 'b', ',', '"', '""', ' ', '\r', 'é', ';', '='];
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    let line = '';
    const len = 1 + rnd(14);
    for (let k = 0; k < len; k++) line += alphabet[rnd(alphabet.length)];
    const got = parseCsvRow(line);
    if (got === null) continue;
    accepted++;
    assert.deepEqual(got, reference(line), JSON.stringify(line));
  }
  assert.ok(accepted > 2000, `${accepted} rows accepted`);
});
