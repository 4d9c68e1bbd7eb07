// Splitting a big text log into byte ranges at line starts, so worker threads can each read one: a pre-scan
// counts lines (line numbers stay exact) and keeps the header lines whose state applies at each range's start.
import { closeSync, openSync, readSync } from 'node:fs';

/** A header line as read: its 1-based number and text (line break and a UTF-8 BOM removed). */
export interface HeaderLine {
  line: number;
  text: string;
}

/**
 * One range of a text file: [start, end) in bytes, starting at a line start (the file's end is the last range's
 * end). `headers` are the lines before `start` a parser replays to be in the state it would have reached reading
 * from the file's start: line 1 (some logs open with a bare CSV header row) and, per `#Directive:`, its first and
 * its last occurrence (W3C's #Fields: holds until the next one; an Exchange log's first #Log-type: wins).
 */
export interface TextRange {
  start: number;
  end: number;
  firstLine: number;
  headers: HeaderLine[];
}

/** Longest header line kept for replay; a longer '#' line is no header a reader would honour. */
const MAX_HEADER_BYTES = 64 * 1024;
const NL = 10;
const HASH = 35;

/** The directive a '#' line sets ('#Fields', '#Version', ...): the text before its first ':' or space. */
function directive(text: string): string {
  const m = /^#[^:\s]*/.exec(text);
  return m ? m[0] : '#';
}

/** The state of the header lines seen so far, kept small: line 1, and the first and last of each directive. */
class HeaderState {
  private first: HeaderLine | null = null;
  private readonly firstOf = new Map<string, HeaderLine>();
  private readonly lastOf = new Map<string, HeaderLine>();

  add(h: HeaderLine): void {
    if (h.line === 1) {
      this.first = h;
      if (h.text.charCodeAt(0) !== HASH) return;
    }
    const d = directive(h.text);
    if (!this.firstOf.has(d)) this.firstOf.set(d, h);
    else this.lastOf.set(d, h);
  }

  /** The lines to replay, in file order. */
  lines(): HeaderLine[] {
    const all = new Map<number, HeaderLine>();
    if (this.first) all.set(1, this.first);
    for (const h of this.firstOf.values()) all.set(h.line, h);
    for (const h of this.lastOf.values()) all.set(h.line, h);
    return [...all.values()].sort((a, b) => a.line - b.line);
  }
}

/**
 * Plans the ranges of a text file of `size` bytes, each about `rangeBytes` long (one range when the file is not
 * bigger). Reads the whole file once, counting line breaks; a range boundary is the first line start at or after
 * each multiple of `rangeBytes`, so ranges cover every line exactly once.
 */
export function planTextRanges(absPath: string, size: number, rangeBytes: number): TextRange[] {
  if (size <= rangeBytes) return [{ start: 0, end: size, firstLine: 1, headers: [] }];
  const out: TextRange[] = [];
  const state = new HeaderState();
  const fd = openSync(absPath, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    let range: TextRange = { start: 0, end: size, firstLine: 1, headers: [] };
    let nextCut = rangeBytes;
    let line = 1; // number of the line that starts after the newline just found
    const headerAt = (at: number, no: number): void => {
      const h = readHeaderLine(fd, at, no);
      if (h) state.add(h);
    };
    headerAt(0, 1);
    let pos = 0;
    while (pos < size) {
      const got = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (got === 0) break;
      for (let p = buf.indexOf(NL, 0); p !== -1 && p < got; p = buf.indexOf(NL, p + 1)) {
        const lineStart = pos + p + 1;
        if (lineStart >= size) break;
        line++;
        if (lineStart >= nextCut) {
          // The headers seen so far apply at the new range's start; its own '#' lines are read by its reader.
          out.push({ ...range, end: lineStart });
          range = { start: lineStart, end: size, firstLine: line, headers: state.lines() };
          nextCut = lineStart + rangeBytes;
        }
        if ((p + 1 < got ? buf[p + 1] : peek(fd, lineStart)) === HASH) headerAt(lineStart, line);
      }
      pos += got;
    }
    out.push(range);
  } finally {
    closeSync(fd);
  }
  return out;
}

function peek(fd: number, at: number): number {
  const b = Buffer.alloc(1);
  return readSync(fd, b, 0, 1, at) === 1 ? b[0]! : -1;
}

/** The line at byte `at` when it is a header candidate (line 1, or a '#' line), else null. */
function readHeaderLine(fd: number, at: number, no: number): HeaderLine | null {
  const b = Buffer.allocUnsafe(MAX_HEADER_BYTES + 4);
  const got = readSync(fd, b, 0, b.length, at);
  let end = b.indexOf(NL, 0);
  if (end === -1 || end > got) {
    if (got < b.length) end = got;
    else return null; // too long to be a header
  }
  let from = 0;
  if (no === 1 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) from = 3;
  if (end > from && b[end - 1] === 13) end--;
  const text = b.toString('utf8', from, end);
  if (no !== 1 && text.charCodeAt(0) !== HASH) return null;
  return { line: no, text };
}
