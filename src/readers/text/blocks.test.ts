// Block reader tests: whatever the chunk size, the blocks' lines (text blocks split at '\n' with a final CR
// dropped) and diagnostics equal readLineBatches' — BOM, CRLF, UTF-8 across reads, long, binary and bad lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { DiagnosticLimiter, readLineBatches, readTextBlocks } from './index.js';

interface Read {
  lines: [number, string][];
  diags: Diagnostic[];
  textBlocks: number;
}

async function withFile<T>(content: Buffer, f: (abs: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-blocks-'));
  try {
    const abs = join(dir, 'x.log');
    writeFileSync(abs, content);
    return await f(abs);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function viaBlocks(abs: string, chunkBytes: number, maxLineBytes: number): Promise<Read> {
  const diags: Diagnostic[] = [];
  const lines: [number, string][] = [];
  let textBlocks = 0;
  let expectFirst = 1;
  for await (const b of readTextBlocks(abs, new DiagnosticLimiter((d) => diags.push(d), 'x.log', 1000), { chunkBytes, maxLineBytes })) {
    assert.equal(b.firstLine, expectFirst, 'blocks follow each other without gaps');
    assert.ok((b.text === null) !== (b.lines === null), 'exactly one of text and lines');
    let ls: string[];
    if (b.text !== null) {
      textBlocks++;
      ls = b.text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    } else ls = b.lines!;
    assert.equal(ls.length, b.lineCount);
    ls.forEach((l, i) => lines.push([b.firstLine + i, l]));
    expectFirst += b.lineCount;
  }
  return { lines, diags, textBlocks };
}

async function viaLines(abs: string, chunkBytes: number, maxLineBytes: number): Promise<Read> {
  const diags: Diagnostic[] = [];
  const lines: [number, string][] = [];
  for await (const b of readLineBatches(abs, new DiagnosticLimiter((d) => diags.push(d), 'x.log', 1000), { chunkBytes, maxLineBytes })) {
    b.lines.forEach((l, i) => lines.push([b.firstLine + i, l]));
  }
  return { lines, diags, textBlocks: 0 };
}

const byLine = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.location?.line} ${d.code}`).sort();
const nonEmpty = (ls: [number, string][]): [number, string][] => ls.filter(([, l]) => l !== '');

test('any chunk size gives the lines, numbers and diagnostics of readLineBatches', async () => {
  const content = Buffer.concat([
    Buffer.from('\uFEFFfirst é\r\n\r\nsecond — ünïcödé 😀\nthird\r\n\r\nx\r\r\n'),
    Buffer.from(`${'L'.repeat(70)}\nshort\n${'M'.repeat(30)}\r\nbad \0 nul\nok\nbad `),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' bytes\n'),
    Buffer.from([0x01, 0x02, 0xff, 0xff, 0xff, 0x03]),
    Buffer.from('\nlast without newline ✓'),
  ]);
  await withFile(content, async (abs) => {
    for (const chunk of [1, 2, 3, 5, 7, 16, 31, 64, 200, 1 << 16]) {
      const want = await viaLines(abs, 1 << 16, 50);
      const got = await viaBlocks(abs, chunk, 50);
      assert.deepEqual(nonEmpty(got.lines), nonEmpty(want.lines), `chunk ${chunk}`);
      assert.equal(got.lines.at(-1)![0], want.lines.at(-1)![0], `chunk ${chunk}: last line number`);
      assert.deepEqual(byLine(got.diags), byLine(want.diags), `chunk ${chunk}`);
    }
  });
});

test('clean bytes come as text blocks; a line longer than the buffer is still read whole', async () => {
  const long = 'y'.repeat(5000);
  const text = `a b c\r\nd e f\n${long}\ng h\r\n`;
  await withFile(Buffer.from(text), async (abs) => {
    const got = await viaBlocks(abs, 1024, 1 << 20);
    assert.ok(got.textBlocks >= 2);
    assert.deepEqual(got.diags, []);
    assert.deepEqual(nonEmpty(got.lines), [
      [1, 'a b c'],
      [2, 'd e f'],
      [3, long],
      [4, 'g h'],
    ]);
  });
});

test('timers still run while a large file is read', async () => {
  const content = Buffer.from(('x'.repeat(99) + '\n').repeat(100_000)); // ~10 MB
  await withFile(content, async (abs) => {
    let fired = false;
    setImmediate(() => (fired = true));
    let firedBeforeEnd = false;
    let n = 0;
    for await (const b of readTextBlocks(abs, new DiagnosticLimiter(() => {}, 'big.log'), { chunkBytes: 64 * 1024 })) {
      n += b.lineCount;
      if (fired && b.bytesRead < content.length) firedBeforeEnd = true;
    }
    assert.equal(n, 100_000);
    assert.ok(firedBeforeEnd, 'a setImmediate callback ran before the file was finished');
  });
});
