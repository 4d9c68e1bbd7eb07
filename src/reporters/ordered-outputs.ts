// The outputs with a line per finding — findings.jsonl, timeline.csv, timeline.jsonl — written as the findings
// stream past in output order, a batch at a time with back-pressure: memory holds one batch, not the findings.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { timelineCsvHeader, timelineCsvRow, TIMELINE_CHUNK_ROWS } from './csv-timeline.js';
import { timesketchLine } from './timesketch.js';
import { timelineRow } from './timeline-rows.js';

/** A finding's line in timeline.csv and in timeline.jsonl (null: left out, no usable time). */
export interface TimelineLines {
  csv: string;
  sketch: string | null;
}
/** Made wherever the finding is (a worker thread renders them, so the main thread need not parse it). */
export function timelineLines(f: Finding, catalog: AttackCatalog): TimelineLines {
  const row = timelineRow(f, catalog);
  return { csv: timelineCsvRow(row), sketch: timesketchLine(f, catalog, row) };
}

class TextFile {
  private readonly out: WriteStream;
  private error: Error | null = null;
  constructor(path: string) {
    this.out = createWriteStream(path, { encoding: 'utf8' });
    this.out.on('error', (e) => (this.error = e));
  }
  async write(text: string | Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (text.length > 0 && !this.out.write(text)) {
      // both waits are removed once one settles: a long stream must not pile up 'error' listeners
      const done = new AbortController();
      try {
        await Promise.race([once(this.out, 'drain', { signal: done.signal }), once(this.out, 'error', { signal: done.signal })]);
      } finally {
        done.abort();
      }
    }
    if (this.error) throw this.error;
  }
  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.out.end();
    await once(this.out, 'finish');
  }
  destroy(): void {
    this.out.destroy();
  }
}

/** A file's bytes given to `write` a MB at a time, in order (each chunk its own buffer: a stream may hold it). */
export async function copyFileTo(path: string, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const b = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(b, 0, b.length, null);
      if (bytesRead === 0) break;
      await write(bytesRead === b.length ? b : b.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
}

export const ORDERED_FILES = ['findings.jsonl', 'timeline.csv', 'timeline.jsonl'] as const;

export class OrderedOutputs {
  private readonly files: { jsonl: TextFile | null; csv: TextFile; sketch: TextFile };
  private rows = 0;
  private jsonl: string[] = [];
  private csv: string[] = [];
  private sketch: string[] = [];

  private constructor(dir: string, private readonly catalog: AttackCatalog, withFindings: boolean) {
    this.files = {
      jsonl: withFindings ? new TextFile(join(dir, 'findings.jsonl')) : null,
      csv: new TextFile(join(dir, 'timeline.csv')),
      sketch: new TextFile(join(dir, 'timeline.jsonl')),
    };
  }

  /** Opens the files in `dir` (made if needed); findings.jsonl only when `withFindings` (`exhunt report` reads it). */
  static async open(dir: string, catalog: AttackCatalog, withFindings: boolean): Promise<OrderedOutputs> {
    await mkdir(dir, { recursive: true });
    const o = new OrderedOutputs(dir, catalog, withFindings);
    await o.files.csv.write(timelineCsvHeader());
    return o;
  }

  /** The next finding in output order; `json` is its findings.jsonl line. */
  async write(f: Finding, json: string): Promise<void> {
    await this.writeLines(json, timelineLines(f, this.catalog));
  }

  /** The same, already rendered: `json` its findings.jsonl line, `lines` its timeline lines (timelineLines). */
  async writeLines(json: string, lines: TimelineLines): Promise<void> {
    if (this.files.jsonl) this.jsonl.push(json + '\n');
    this.csv.push(lines.csv);
    if (lines.sketch !== null) this.sketch.push(lines.sketch + '\n');
    if (++this.rows >= TIMELINE_CHUNK_ROWS) await this.flush();
  }

  /**
   * The next stretch of the outputs as files of their own lines (a range of the final merge: OrderedParts),
   * appended as bytes after what was written so far; timeline parts are needed (null ones are refused).
   */
  async appendParts(parts: { findings: string; csv: string | null; sketch: string | null }): Promise<void> {
    if (parts.csv === null || parts.sketch === null) throw new Error('OrderedOutputs: parts without timelines');
    await this.flush();
    const { jsonl, csv, sketch } = this.files;
    if (jsonl) await copyFileTo(parts.findings, (b) => jsonl.write(b));
    await copyFileTo(parts.csv, (b) => csv.write(b));
    await copyFileTo(parts.sketch, (b) => sketch.write(b));
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    this.rows = 0;
    const [jsonl, csv, sketch] = [this.jsonl, this.csv, this.sketch];
    [this.jsonl, this.csv, this.sketch] = [[], [], []];
    if (this.files.jsonl) await this.files.jsonl.write(jsonl.join(''));
    await this.files.csv.write(csv.join(''));
    await this.files.sketch.write(sketch.join(''));
  }

  /** Writes what is left and closes the files; returns their names. */
  async close(): Promise<string[]> {
    await this.flush();
    for (const f of [this.files.jsonl, this.files.csv, this.files.sketch]) await f?.close();
    return ORDERED_FILES.filter((n) => n !== 'findings.jsonl' || this.files.jsonl !== null);
  }

  /** Abandons the files (after an error elsewhere). */
  destroy(): void {
    for (const f of [this.files.jsonl, this.files.csv, this.files.sketch]) f?.destroy();
  }
}
