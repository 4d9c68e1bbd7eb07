// Line splitter tests: whatever the chunk size, the lines (and their numbers) equal a plain split of the
// decoded text — multi-byte UTF-8 across chunk borders, CRLF, BOM, empty lines, no final newline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { DiagnosticLimiter, readLineBatches } from './index.js';

async function lines(content: Buffer, chunkBytes: number, maxLineBytes = 1 << 20): Promise<{ got: [number, string][]; diags: Diagnostic[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-lines-'));
  try {
    const abs = join(dir, 'x.log');
    writeFileSync(abs, content);
    const diags: Diagnostic[] = [];
    const got: [number, string][] = [];
    for await (const b of readLineBatches(abs, new DiagnosticLimiter((d) => diags.push(d), 'x.log'), { chunkBytes, maxLineBytes })) {
      b.lines.forEach((l, i) => got.push([b.firstLine + i, l]));
    }
    return { got, diags };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('any chunk size gives the same numbered lines as a plain split', async () => {
  const text = '\uFEFFfirst line é\r\n\r\nsecond — ünïcödé 😀 line\nthird\r\nlast without newline ✓';
  const expected = text
    .slice(1)
    .split('\n')
    .map((l, i): [number, string] => [i + 1, l.endsWith('\r') ? l.slice(0, -1) : l]);
  for (const chunk of [1, 2, 3, 5, 7, 16, 64, 1 << 16]) {
    const { got, diags } = await lines(Buffer.from(text, 'utf8'), chunk);
    assert.deepEqual(diags, [], `chunk ${chunk}`);
    assert.deepEqual(got.filter(([, l]) => l !== '' ), expected.filter(([, l]) => l !== ''), `chunk ${chunk}`);
    assert.equal(got.at(-1)![0], expected.length, `chunk ${chunk}: last line number`);
  }
});

test('a line longer than the bound is dropped at its number, whichever chunk it spans', async () => {
  const text = `a\n${'x'.repeat(100)}\nb\n${'y'.repeat(40)}\nc`;
  for (const chunk of [3, 16, 64, 4096]) {
    const { got, diags } = await lines(Buffer.from(text), chunk, 50);
    assert.deepEqual(
      got.filter(([, l]) => l !== ''),
      [
        [1, 'a'],
        [3, 'b'],
        [4, 'y'.repeat(40)],
        [5, 'c'],
      ],
      `chunk ${chunk}`,
    );
    assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [['LOG_LINE_TOO_LONG', 2]], `chunk ${chunk}`);
  }
});

test('NUL bytes and invalid UTF-8 are found in any line of a chunk', async () => {
  const content = Buffer.concat([Buffer.from('ok 1\nok 2\nbad \0 nul\nok 3\nbad '), Buffer.from([0xff]), Buffer.from(' byte\n')]);
  const { got, diags } = await lines(content, 1 << 16);
  assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [['LOG_BINARY', 3], ['LOG_INVALID_UTF8', 5]]);
  assert.equal(got[2]![1], '');
  assert.equal(got[4]![1], 'bad \uFFFD byte');
});

test('timers still run while a large file is read (reads are synchronous)', async () => {
  const line = 'x'.repeat(99) + '\n';
  const content = Buffer.from(line.repeat(100_000)); // ~10 MB
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-lines-'));
  try {
    const abs = join(dir, 'big.log');
    writeFileSync(abs, content);
    let fired = false;
    setImmediate(() => (fired = true));
    let firedBeforeEnd = false;
    let n = 0;
    for await (const b of readLineBatches(abs, new DiagnosticLimiter(() => {}, 'big.log'), { chunkBytes: 64 * 1024 })) {
      n += b.lines.length;
      if (fired && b.bytesRead < content.length) firedBeforeEnd = true;
    }
    assert.equal(n, 100_000);
    assert.ok(firedBeforeEnd, 'a setImmediate callback ran before the file was finished');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
