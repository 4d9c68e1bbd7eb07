// Text logs as batches of line strings, for the readers that want one string per line (Exchange CSV, JSON
// Lines): the text blocks of blocks.ts split at '\n', with the same checks and diagnostics.
import { readTextBlocks, type LineOptions } from './blocks.js';
import type { DiagnosticLimiter } from './limiter.js';

export interface LineBatch {
  /** 1-based number of lines[0]; lines[i] is line firstLine + i. */
  firstLine: number;
  /** Line texts without the line break. Lines dropped by the reader (too long, binary) are ''. */
  lines: string[];
  /** Bytes consumed from the file so far (for progress). */
  bytesRead: number;
}

/**
 * Yields the file's lines in batches (about one per chunk read), in order and without gaps. Problems go
 * to `limiter` as readTextBlocks reports them.
 */
export async function* readLineBatches(absPath: string, limiter: DiagnosticLimiter, opts: LineOptions = {}): AsyncGenerator<LineBatch> {
  for await (const b of readTextBlocks(absPath, limiter, opts)) {
    if (b.lines !== null) {
      yield { firstLine: b.firstLine, lines: b.lines, bytesRead: b.bytesRead };
      continue;
    }
    const lines = b.text!.split('\n');
    // A CR before the line break belongs to the break.
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    yield { firstLine: b.firstLine, lines, bytesRead: b.bytesRead };
  }
}
