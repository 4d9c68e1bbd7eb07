// Streaming block reader for text logs, the one place a text log's bytes are read: one reused buffer that
// always starts at a line start, each run of whole lines decoded as ONE string (no string per line), with a
// 10 MB line never buffered whole. Line checks (too long, binary, invalid UTF-8) are done here for every reader.
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { DiagnosticLimiter } from './limiter.js';

export interface LineOptions {
  /** Longest line kept, in bytes; longer lines are dropped with LOG_LINE_TOO_LONG. Default 1 MiB. */
  maxLineBytes?: number;
  /** Read size. Default 1 MiB. */
  chunkBytes?: number;
  /**
   * Only the bytes [start, end), which start at a line start (a range planned by planTextRanges): lines are
   * numbered from `firstLine`, and a UTF-8 BOM is looked for only at the file's start.
   */
  range?: { start: number; end: number; firstLine: number };
}

export const DEFAULT_MAX_LINE = 1 << 20;
/** Bytes read between two yields to the event loop's macrotask queue (reads are synchronous). */
export const BREATHE_BYTES = 4 << 20;

/**
 * A run of consecutive lines. Exactly one of `text` and `lines` is set:
 * - `text`: the lines joined by '\n' as read (clean bytes: valid UTF-8 without U+FFFD, no NUL, none too
 *   long). A '\r' just before a '\n' or at the very end belongs to the line break, not to the line.
 * - `lines`: lines already checked and repaired (CR stripped, dropped lines ''), for the rare runs that
 *   needed it.
 */
export interface TextBlock {
  /** 1-based number of the block's first line. */
  firstLine: number;
  text: string | null;
  lines: string[] | null;
  /** Number of lines in the block. */
  lineCount: number;
  /** Bytes consumed from the file so far (for progress). */
  bytesRead: number;
}

const NL = 10;

/** Number of lines in a block text: its '\n' count plus one. */
function countLines(text: string): number {
  let n = 1;
  let p = text.indexOf('\n');
  while (p !== -1) {
    n++;
    p = text.indexOf('\n', p + 1);
  }
  return n;
}

/**
 * Yields the file's lines as blocks (about one per `chunkBytes` read), in order and without gaps, so a
 * consumer walking `text` with indexOf never allocates a string per line. Problems go to `limiter`:
 * LOG_LINE_TOO_LONG (line dropped), LOG_BINARY (line holding NUL bytes or mostly undecodable bytes, dropped),
 * LOG_INVALID_UTF8 (line kept, bad bytes shown as U+FFFD). A missing final newline is not a problem.
 */
export async function* readTextBlocks(absPath: string, limiter: DiagnosticLimiter, opts: LineOptions = {}): AsyncGenerator<TextBlock> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  // The buffer always holds the start of the current line at 0: after a chunk's whole lines are decoded,
  // the partial last line is moved to the front and the next read appends to it (no Buffer.concat per
  // chunk). Only a line longer than the whole buffer is assembled in `carry`. Reads are synchronous: files
  // are read one after another, and a promise read per chunk cost about 20% of the W3C reader's CPU time
  // (thread-pool hand-off) while a chunk read blocks for microseconds. A macrotask yield every
  // BREATHE_BYTES lets timers (progress output) still run.
  const fd = openSync(absPath, 'r');
  const buf = Buffer.allocUnsafe(Math.max(2, opts.chunkBytes ?? 1 << 20));
  let end = 0; // buf[0..end) is the start of the current line
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false; // inside an over-long line: drop bytes until the next newline
  const range = opts.range;
  const base = range?.start ?? 0;
  const limit = range?.end ?? Infinity;
  let lineNo = range?.firstLine ?? 1;
  let bytesRead = 0;
  let nextBreath = BREATHE_BYTES;
  let first = base === 0;
  const tooLong = (): void => {
    limiter.report('LOG_LINE_TOO_LONG', 'warning', `line longer than ${maxLine} bytes skipped`, { line: lineNo });
  };
  try {
    for (;;) {
      if (bytesRead >= nextBreath) {
        nextBreath = bytesRead + BREATHE_BYTES;
        await nextMacrotask();
      }
      const got = readSync(fd, buf, end, Math.min(buf.length - end, limit - base - bytesRead), base + bytesRead);
      if (got === 0) break;
      bytesRead += got;
      const filled = end + got;
      const last = buf.lastIndexOf(NL, filled - 1);
      if (last === -1) {
        end = filled;
        if (filled < buf.length) continue; // short read: keep filling
        // The whole buffer is one unfinished line: assemble it aside (or drop it once too long).
        end = 0;
        if (skipping) continue;
        carry.push(Buffer.from(buf));
        carryLen += buf.length;
        if (carryLen > maxLine) {
          skipping = true;
          carry = [];
          carryLen = 0;
        }
        continue;
      }
      let from = 0;
      if (skipping || carryLen > 0) {
        // The line assembled aside ends at the first newline of the buffer.
        const firstNl = buf.indexOf(NL);
        let head: string;
        if (skipping) {
          tooLong();
          head = '';
          skipping = false;
        } else if (carryLen + firstNl > maxLine) {
          tooLong();
          head = '';
        } else {
          carry.push(buf.subarray(0, firstNl));
          head = Buffer.concat(carry).toString('utf8');
        }
        carry = [];
        carryLen = 0;
        const lines = [head];
        if (first) first = stripBom(lines);
        clean(lines, lineNo, maxLine, limiter, 1);
        yield { firstLine: lineNo, text: null, lines, lineCount: 1, bytesRead };
        lineNo++;
        from = firstNl + 1;
      }
      if (from <= last) {
        // Whole lines from `from` up to the last newline, decoded at once.
        const text = buf.toString('utf8', from, last);
        const wasFirst = first;
        first = false;
        const suspect =
          last - from > maxLine || text.indexOf('\0') !== -1 || text.indexOf('\uFFFD') !== -1 || (wasFirst && text.charCodeAt(0) === 0xfeff);
        if (suspect) {
          const lines = text.split('\n');
          if (wasFirst) stripBom(lines);
          clean(lines, lineNo, maxLine, limiter, lines.length);
          yield { firstLine: lineNo, text: null, lines, lineCount: lines.length, bytesRead };
          lineNo += lines.length;
        } else {
          const lineCount = countLines(text);
          yield { firstLine: lineNo, text, lines: null, lineCount, bytesRead };
          lineNo += lineCount;
        }
      }
      // The partial line after the last newline moves to the front.
      end = filled - last - 1;
      if (end > 0) buf.copy(buf, 0, last + 1, filled);
    }
  } finally {
    closeSync(fd);
  }
  if (skipping) {
    tooLong();
    yield { firstLine: lineNo, text: null, lines: [''], lineCount: 1, bytesRead };
  } else if (carryLen > 0 || end > 0) {
    carry.push(buf.subarray(0, end));
    const lines = [Buffer.concat(carry).toString('utf8')];
    if (first) stripBom(lines);
    clean(lines, lineNo, maxLine, limiter, 1);
    yield { firstLine: lineNo, text: null, lines, lineCount: 1, bytesRead };
  }
}

/** Removes a UTF-8 byte-order mark from the file's first line; returns false (the first line is done). */
export function stripBom(lines: string[]): false {
  if (lines.length > 0 && lines[0]!.charCodeAt(0) === 0xfeff) lines[0] = lines[0]!.slice(1);
  return false;
}

/** Strips CR, drops over-long and binary lines, flags undecodable bytes (in lines[0..checkUpTo)). Mutates `lines`. */
export function clean(lines: string[], firstLine: number, maxLine: number, limiter: DiagnosticLimiter, checkUpTo: number): void {
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!;
    const n = s.length;
    if (n === 0) continue;
    if (s.charCodeAt(n - 1) === 13) s = lines[i] = s.slice(0, n - 1);
    if (i >= checkUpTo && s.length * 3 <= maxLine) continue;
    // A string is never shorter in UTF-16 units than a third of its UTF-8 bytes; check cheaply first.
    if (s.length * 3 > maxLine && Buffer.byteLength(s, 'utf8') > maxLine) {
      limiter.report('LOG_LINE_TOO_LONG', 'warning', `line longer than ${maxLine} bytes skipped`, { line: firstLine + i });
      lines[i] = '';
      continue;
    }
    if (s.indexOf('\0') !== -1) {
      limiter.report('LOG_BINARY', 'warning', 'line holds NUL bytes (binary data or a torn write); skipped', { line: firstLine + i });
      lines[i] = '';
      continue;
    }
    if (s.indexOf('\uFFFD') !== -1) {
      if (mostlyBinary(s)) {
        limiter.report('LOG_BINARY', 'warning', 'line is mostly undecodable or control bytes; skipped', { line: firstLine + i });
        lines[i] = '';
      } else {
        limiter.report('LOG_INVALID_UTF8', 'warning', 'invalid UTF-8 bytes replaced by U+FFFD', { line: firstLine + i });
      }
    }
  }
}

function mostlyBinary(s: string): boolean {
  let bad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9)) bad++;
  }
  return bad * 10 > s.length;
}
