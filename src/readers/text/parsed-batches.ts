// The read loops of the line-based readers (W3C, Exchange CSV): lines in bounded batches or blocks, parsed by
// a format's parser, with I/O failures reported once and the per-file diagnostic limiter always flushed.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { readTextBlocks, type TextBlock } from './blocks.js';
import { DiagnosticLimiter } from './limiter.js';
import { readLineBatches, type LineOptions } from './lines.js';

export interface LineParser<E> {
  parse(lines: string[], firstLine: number): E[];
}

export interface BlockParser<E> {
  parse(block: TextBlock): E[];
}

export async function* readParsedBatches<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => LineParser<E>,
  opts: LineOptions,
): AsyncGenerator<E[]> {
  const limiter = new DiagnosticLimiter(sink, evidence.path);
  const parser = makeParser(evidence.path, limiter);
  try {
    for await (const batch of readLineBatches(evidence.absPath, limiter, opts)) {
      const out = parser.parse(batch.lines, batch.firstLine);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    limiter.report('IO_ERROR', 'error', `read failed: ${(err as Error).message}`);
  } finally {
    limiter.flush();
  }
}

/** As readParsedBatches, over text blocks (readTextBlocks): the parser walks each block's lines itself. */
export async function* readParsedBlocks<E>(
  evidence: Evidence,
  sink: DiagnosticSink,
  makeParser: (path: string, limiter: DiagnosticLimiter) => BlockParser<E>,
  opts: LineOptions,
): AsyncGenerator<E[]> {
  const limiter = new DiagnosticLimiter(sink, evidence.path);
  const parser = makeParser(evidence.path, limiter);
  try {
    for await (const block of readTextBlocks(evidence.absPath, limiter, opts)) {
      const out = parser.parse(block);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    limiter.report('IO_ERROR', 'error', `read failed: ${(err as Error).message}`);
  } finally {
    limiter.flush();
  }
}
