// The read loops of the line-based readers (W3C, Exchange CSV): lines in bounded batches or blocks, parsed by
// a format's parser, with I/O failures reported once and the per-file diagnostic limiter always flushed.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { readTextBlocks, type LineOptions, type TextBlock } from './blocks.js';
import { DiagnosticLimiter } from './limiter.js';
import { readLineBatches } from './lines.js';
import type { HeaderLine, TextRange } from './ranges.js';

export interface LineParser<E> {
  parse(lines: string[], firstLine: number): E[];
}

export interface BlockParser<E> {
  parse(block: TextBlock): E[];
}

/**
 * Reading one range of a file (planTextRanges) rather than the whole: the parser first replays the range's header
 * lines (its diagnostics muted: they were given where those lines were read), and the caller's limiter is used
 * and left unflushed, so the caller can pass on the first few of each code across all ranges of the file.
 */
export interface RangeRead {
  range: TextRange;
  limiter: DiagnosticLimiter;
}

/** The shared loop: each unit the source yields is parsed; I/O failures reported once; limiter flushed. */
async function* parseUnits<U, E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  read: (limiter: DiagnosticLimiter) => AsyncIterable<U>,
  makeParse: (path: string, limiter: DiagnosticLimiter) => (unit: U) => E[],
  part: RangeRead | undefined,
  headerUnit: (h: HeaderLine) => U,
): AsyncGenerator<E[]> {
  const limiter = part?.limiter ?? new DiagnosticLimiter(sink, evidence.path);
  const parse = makeParse(evidence.path, limiter);
  if (part && part.range.headers.length > 0) {
    limiter.muted = true;
    try {
      for (const h of part.range.headers) parse(headerUnit(h));
    } finally {
      limiter.muted = false;
    }
  }
  try {
    for await (const unit of read(limiter)) {
      const out = parse(unit);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    limiter.report('IO_ERROR', 'error', `read failed: ${(err as Error).message}`);
  } finally {
    if (!part) limiter.flush();
  }
}

export function readParsedBatches<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => LineParser<E>,
  opts: LineOptions,
  part?: RangeRead,
): AsyncGenerator<E[]> {
  return parseUnits(
    evidence,
    sink,
    (limiter) => readLineBatches(evidence.absPath, limiter, part ? { ...opts, range: part.range } : opts),
    (path, limiter) => {
      const parser = makeParser(path, limiter);
      return (batch) => parser.parse(batch.lines, batch.firstLine);
    },
    part,
    (h) => ({ firstLine: h.line, lines: [h.text], bytesRead: 0 }),
  );
}

/** As readParsedBatches, over text blocks (readTextBlocks): the parser walks each block's lines itself. */
export function readParsedBlocks<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => BlockParser<E>,
  opts: LineOptions,
  part?: RangeRead,
): AsyncGenerator<E[]> {
  return parseUnits(
    evidence,
    sink,
    (limiter) => readTextBlocks(evidence.absPath, limiter, part ? { ...opts, range: part.range } : opts),
    (path, limiter) => {
      const parser = makeParser(path, limiter);
      return (block) => parser.parse(block);
    },
    part,
    (h) => ({ firstLine: h.line, text: null, lines: [h.text], lineCount: 1, bytesRead: 0 }),
  );
}
