// Streaming line splitter for text logs: reads a file read-only in large chunks, decodes UTF-8 at
// newline boundaries and yields batches of lines, bounding line length so a 10 MB line is never buffered.
import { closeSync, openSync, readSync } from 'node:fs';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { DiagnosticLimiter } from './limiter.js';

export interface LineBatch {
  /** 1-based number of lines[0]; lines[i] is line firstLine + i. */
  firstLine: number;
  /** Line texts without the line break. Lines dropped by the splitter (too long, binary) are ''. */
  lines: string[];
  /** Bytes consumed from the file so far (for progress). */
  bytesRead: number;
}

export interface LineOptions {
  /** Longest line kept, in bytes; longer lines are dropped with LOG_LINE_TOO_LONG. Default 1 MiB. */
  maxLineBytes?: number;
  /** Read size. Default 1 MiB. */
  chunkBytes?: number;
}

const NL = 10;
export const DEFAULT_MAX_LINE = 1 << 20;
/** Bytes read between two yields to the event loop's macrotask queue (reads are synchronous). */
export const BREATHE_BYTES = 4 << 20;

/**
 * Yields the file's lines in batches (one per chunk read). Problems go to `limiter`:
 * LOG_LINE_TOO_LONG (line dropped), LOG_BINARY (line holding NUL bytes or mostly undecodable bytes, dropped),
 * LOG_INVALID_UTF8 (line kept, bad bytes shown as U+FFFD). A missing final newline is not a problem.
 */
export async function* readLineBatches(
  absPath: string,
  limiter: DiagnosticLimiter,
  opts: LineOptions = {},
): AsyncGenerator<LineBatch> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
  // One reused read buffer (no Buffer allocated per chunk): every byte kept past this iteration
  // (the carried partial line) is copied, and lines are decoded into strings before the next read.
  // Reads are synchronous: files are read one after another, and a promise read per chunk cost
  // about 20% of the W3C reader's CPU time (thread-pool hand-off); a chunk read blocks for microseconds.
  // Every BREATHE_BYTES the generator awaits a macrotask so timers (progress output) still run.
  const fd = openSync(absPath, 'r');
  const buf = Buffer.allocUnsafe(Math.max(1, opts.chunkBytes ?? 1 << 20));
  let carry: Buffer[] = [];
  let carryLen = 0;
  let skipping = false; // inside an over-long line: drop bytes until the next newline
  let lineNo = 1; // number of the line currently being assembled
  let bytesRead = 0;
  let nextBreath = BREATHE_BYTES;
  let first = true;
  const finishLong = (): void => {
    limiter.report('LOG_LINE_TOO_LONG', 'warning', `line longer than ${maxLine} bytes skipped`, { line: lineNo });
  };
  try {
    for (;;) {
      if (bytesRead >= nextBreath) {
        nextBreath = bytesRead + BREATHE_BYTES;
        await nextMacrotask();
      }
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      const chunk = buf.subarray(0, got);
      bytesRead += got;
      const last = chunk.lastIndexOf(NL);
      if (last === -1) {
        if (skipping) continue;
        carry.push(Buffer.from(chunk));
        carryLen += chunk.length;
        if (carryLen > maxLine) {
          skipping = true;
          carry = [];
          carryLen = 0;
        }
        continue;
      }
      const firstNl = chunk.indexOf(NL);
      const out: string[] = [];
      const batchFirst = lineNo;
      // The line that started in an earlier chunk ends at firstNl.
      if (skipping) {
        finishLong();
        out.push('');
        skipping = false;
      } else if (carryLen > 0 || firstNl > 0) {
        const tail = chunk.subarray(0, firstNl);
        if (carryLen + tail.length > maxLine) {
          finishLong();
          out.push('');
        } else {
          carry.push(tail);
          out.push(Buffer.concat(carry).toString('utf8'));
        }
      } else {
        out.push('');
      }
      carry = [];
      carryLen = 0;
      // Whole lines between the first and the last newline of the chunk, decoded at once.
      let suspect = true; // whether lines may hold NUL or undecodable bytes (checked once per chunk)
      if (last > firstNl) {
        const text = chunk.toString('utf8', firstNl + 1, last);
        suspect = text.indexOf('\0') !== -1 || text.indexOf('\uFFFD') !== -1;
        const parts = text.split('\n');
        for (let i = 0; i < parts.length; i++) out.push(parts[i]!);
      }
      // Bytes after the last newline start the next line.
      if (last + 1 < chunk.length) {
        const rest = chunk.subarray(last + 1);
        if (rest.length > maxLine) skipping = true;
        else {
          carry.push(Buffer.from(rest));
          carryLen = rest.length;
        }
      }
      // The first line (assembled across chunks) is always checked; the rest only when the chunk is suspect.
      if (first) first = stripBom(out);
      clean(out, batchFirst, maxLine, limiter, suspect ? out.length : 1);
      lineNo = batchFirst + out.length;
      yield { firstLine: batchFirst, lines: out, bytesRead };
    }
  } finally {
    closeSync(fd);
  }
  if (skipping) {
    finishLong();
    yield { firstLine: lineNo, lines: [''], bytesRead };
  } else if (carryLen > 0) {
    const out = [Buffer.concat(carry).toString('utf8')];
    if (first) stripBom(out);
    clean(out, lineNo, maxLine, limiter, 1);
    yield { firstLine: lineNo, lines: out, bytesRead };
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
