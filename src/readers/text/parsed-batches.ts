// The read loops of the line-based readers (W3C, Exchange CSV): lines in bounded batches or blocks, parsed by
// a format's parser, with I/O failures reported once and the per-file diagnostic limiter always flushed.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { readTextBlocks, type LineOptions, type TextBlock } from './blocks.js';
import { DiagnosticLimiter } from './limiter.js';
import { readLineBatches } from './lines.js';

export interface LineParser<E> {
  parse(lines: string[], firstLine: number): E[];
}

export interface BlockParser<E> {
  parse(block: TextBlock): E[];
}

/** The shared loop: each unit the source yields is parsed; I/O failures reported once; limiter flushed. */
async function* parseUnits<U, E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  read: (limiter: DiagnosticLimiter) => AsyncIterable<U>,
  makeParse: (path: string, limiter: DiagnosticLimiter) => (unit: U) => E[],
): AsyncGenerator<E[]> {
  const limiter = new DiagnosticLimiter(sink, evidence.path);
  const parse = makeParse(evidence.path, limiter);
  try {
    for await (const unit of read(limiter)) {
      const out = parse(unit);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    limiter.report('IO_ERROR', 'error', `read failed: ${(err as Error).message}`);
  } finally {
    limiter.flush();
  }
}

export function readParsedBatches<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => LineParser<E>,
  opts: LineOptions,
): AsyncGenerator<E[]> {
  return parseUnits(
    evidence,
    sink,
    (limiter) => readLineBatches(evidence.absPath, limiter, opts),
    (path, limiter) => {
      const parser = makeParser(path, limiter);
      return (batch) => parser.parse(batch.lines, batch.firstLine);
    },
  );
}

/** As readParsedBatches, over text blocks (readTextBlocks): the parser walks each block's lines itself. */
export function readParsedBlocks<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => BlockParser<E>,
  opts: LineOptions,
): AsyncGenerator<E[]> {
  return parseUnits(
    evidence,
    sink,
    (limiter) => readTextBlocks(evidence.absPath, limiter, opts),
    (path, limiter) => {
      const parser = makeParser(path, limiter);
      return (block) => parser.parse(block);
    },
  );
}
