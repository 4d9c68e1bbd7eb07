// LiteralLines keeps exactly the lines holding one of its literals, whatever the order of hits across lines,
// and starts afresh on a new text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiteralLines } from './literal-lines.js';

function keptLines(sel: LiteralLines, text: string): number[] {
  const out: number[] = [];
  let p = 0;
  let n = 0;
  for (;;) {
    let nl = text.indexOf('\n', p);
    if (nl === -1) nl = text.length;
    n++;
    if (sel.keep(text, p, nl)) out.push(n);
    if (nl === text.length) break;
    p = nl + 1;
  }
  return out;
}

test('keeps the lines with a literal, as a per-line includes() would', () => {
  const lines = ['a 192.0.2.10 x', 'b 192.0.2.100 y', 'c 10.0.0.1 python-requests/2.25', 'd nothing', 'e 192.0.2.1', '192.0.2.10', 'f python-requests/2.25 192.0.2.10'];
  const lits = ['192.0.2.10', 'python-requests/2.25', ''];
  const text = lines.join('\n');
  const expected = lines.map((l, i) => (lits.some((x) => x !== '' && l.includes(x)) ? i + 1 : 0)).filter((x) => x > 0);
  assert.deepEqual(keptLines(new LiteralLines(lits), text), expected);
  assert.deepEqual(expected, [1, 2, 3, 6, 7]);
  // A literal across a line break is not in either line.
  assert.deepEqual(keptLines(new LiteralLines(['x\nb']), text), []);
  // The same selector on another text, and on the same text again, starts afresh.
  const sel = new LiteralLines(lits);
  keptLines(sel, text);
  assert.deepEqual(keptLines(sel, 'zz\n192.0.2.10'), [2]);
  assert.deepEqual(keptLines(sel, text), expected);
  assert.equal(new LiteralLines(['', 'a', 'a']).size, 1);
});
