// Block reader tests: whatever the chunk size, the blocks' lines (text blocks split at '\n' with a final CR
// dropped) and diagnostics equal a reference that applies the rules to the whole file at once — BOM, CRLF,
// UTF-8 across reads, long, binary and bad lines; and readLineBatches gives the same lines.
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

/**
 * The reading rules applied to the whole file in memory, line by line (the oracle): lines end at '\n' (a final
 * newline ends the last line); a UTF-8 BOM opening the file and one CR before the break are not part of a line;
 * a line over maxLine bytes is dropped (LOG_LINE_TOO_LONG), so is one holding NUL (LOG_BINARY) or mostly bad or
 * control bytes (LOG_BINARY); other bad bytes become U+FFFD (LOG_INVALID_UTF8).
 */
function reference(content: Buffer, maxLine: number): Read {
  const raw: Buffer[] = [];
  for (let start = 0; ; ) {
    const nl = content.indexOf(10, start);
    raw.push(content.subarray(start, nl === -1 ? content.length : nl));
    if (nl === -1) break;
    start = nl + 1;
  }
  if (raw.length > 1 && raw.at(-1)!.length === 0) raw.pop();
  const lines: [number, string][] = [];
  const diags: Diagnostic[] = [];
  const drop = (no: number, code: string): void => {
    diags.push({ code, severity: 'warning', message: '', location: { line: no } } as Diagnostic);
    lines.push([no, '']);
  };
  raw.forEach((b0, i) => {
    const no = i + 1;
    let b = i === 0 && b0[0] === 0xef && b0[1] === 0xbb && b0[2] === 0xbf ? b0.subarray(3) : b0;
    if (b.length > 0 && b[b.length - 1] === 13) b = b.subarray(0, b.length - 1);
    if (b.length > maxLine) return drop(no, 'LOG_LINE_TOO_LONG');
    if (b.includes(0)) return drop(no, 'LOG_BINARY');
    const s = b.toString('utf8');
    if (s.includes('\uFFFD')) {
      const bad = [...s].filter((c) => c === '\uFFFD' || (c < ' ' && c !== '\t')).length;
      if (bad * 10 > s.length) return drop(no, 'LOG_BINARY');
      diags.push({ code: 'LOG_INVALID_UTF8', severity: 'warning', message: '', location: { line: no } } as Diagnostic);
    }
    lines.push([no, s]);
  });
  return { lines, diags, textBlocks: 0 };
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

test('any chunk size gives the lines, numbers and diagnostics of the whole-file reference, as blocks and as line batches', async () => {
  const content = Buffer.concat([
    Buffer.from('\uFEFFfirst é\r\n\r\nsecond — ünïcödé 😀\nthird\r\n\r\nx\r\r\n'),
    Buffer.from(`${'L'.repeat(70)}\nshort\n${'M'.repeat(30)}\r\nbad \0 nul\nok\na longer line with bad `),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' bytes in it\n'),
    Buffer.from([0x01, 0x02, 0xff, 0xff, 0xff, 0x03]),
    Buffer.from('\nlast without newline ✓'),
  ]);
  await withFile(content, async (abs) => {
    const want = reference(content, 50);
    assert.deepEqual(byLine(want.diags), ['10 LOG_BINARY', '12 LOG_INVALID_UTF8', '13 LOG_BINARY', '7 LOG_LINE_TOO_LONG'], 'the reference sees every kind of bad line');
    for (const chunk of [1, 2, 3, 5, 7, 16, 31, 64, 200, 1 << 16])
      for (const got of [await viaBlocks(abs, chunk, 50), await viaLines(abs, chunk, 50)]) {
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
