// maxMatchLength: an upper bound of a match's length, Infinity for unbounded or unmodelled patterns; checked
// against the longest match re2js finds on strings built to make each pattern match as long as it can.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RE2JS } from 're2js';
import { maxMatchLength } from './regex-length.js';

test('bounded patterns get a finite bound, unbounded and unmodelled ones Infinity', () => {
  const cases: [string, number][] = [
    ['a|bcd', 3], ['(?i)x', 1], ['(ab){2,3}c', 7], ['\\bfoo\\b', 3], ['a??b', 2], ['(a|b)?c', 2], ['(?P<n>a)b', 2], ['(?:ab|c){2}', 4],
    [' [0-7]{7,13}', 27], ['[]a]', 2], ['[[:alpha:]]x', 3], ['\\p{L}', 2], ['\\x{41}\\x42', 4], ['^ab$', 2],
    ['\u{1F600}{3}', 6], ['a\u{1F600}?', 3],
  ];
  for (const [p, n] of cases) assert.equal(maxMatchLength(p), n, p);
  for (const p of ['a*', 'a+', 'a+?', 'x{2,}', '(?i)(set).*&&', 'a{,2}', 'a{2', '\\Qa*\\E', '\\1', '(a', 'a)', 'a**'])
    assert.equal(maxMatchLength(p), Infinity, p);
});

test('the bound is never below the longest match re2js finds', () => {
  const patterns = ['\u{1F600}{2,3}x?', 'https?://[0-9]{1,3}\\.[0-9]{1,3}\\.0[0-9]{3,4}', ' [0-7]{7,13}', '(?i)\\$\\{`?e`?n`?v`?:`?p`?a`?t`?h`?\\}', '(a|bc){1,3}d?', '\\\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.', '(?:x\\d{2,4}|yy){2}'];
  const texts = [
    'http://123.456.01234 https://1.2.0123', ' 01234567012345 ', '${`e`n`v`:`p`a`t`h`}', 'bcbcbcd abd', '\\abcdefghijklmnopqrstuvwxyz012345.abcdef. x',
    'x1234yy x12x1234 yyyy', '\u{1F600}'.repeat(40) + 'x',
  ];
  for (const p of patterns) {
    const bound = maxMatchLength(p);
    assert.ok(Number.isFinite(bound), p);
    const re = RE2JS.compile(p);
    let longest = 0;
    for (const t of texts)
      for (let start = 0; start < t.length; start++) {
        const m = re.matcher(t.slice(start));
        if (m.find()) {
          longest = Math.max(longest, m.group(0)!.length);
          assert.ok(m.group(0)!.length <= bound, `${p}: match ${JSON.stringify(m.group(0))} longer than ${bound}`);
        }
      }
    assert.ok(longest > 0, `${p} matched none of the texts`);
  }
});
