// The outputs with a line per finding — findings.jsonl, timeline.csv, timeline.jsonl — written as the findings
// stream past in output order, a batch at a time with back-pressure: memory holds one batch, not the findings.
import { createWriteStream, renameSync, type WriteStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { timelineCsvHeader, timelineCsvPieces, TIMELINE_CHUNK_ROWS } from './csv-timeline.js';
import { timesketchPieces } from './timesketch.js';
import { Pieces } from './finding-line.js';
import { timelineRow } from './timeline-rows.js';

/** A finding's line in timeline.csv and in timeline.jsonl (null: left out, no usable time). */
export interface TimelineLines {
  csv: string;
  sketch: string | null;
}
/** Made wherever the finding is (a worker thread renders them, so the main thread need not parse it). */
export function timelineLines(f: Finding, catalog: AttackCatalog): TimelineLines {
  const row = timelineRow(f, catalog);
  const out = new Pieces();
  timelineCsvPieces(row, out, f.rule);
  const csv = out.text() + '\r\n';
  out.clear();
  return { csv, sketch: timesketchPieces(f, catalog, row, out) ? out.text() : null };
}

/**
 * A finding's timeline lines as the end of its digest record wants them (digestRecord's timelineParts: a tab, the
 * CSV row without its CRLF, a tab, the Timesketch line or nothing), appended to `out` as pieces: the details, a
 * KB or more shared by an event's findings, are pieces of their own, never copied into a line per finding (what a
 * worker writes into its record buffer). The same bytes timelineParts(timelineLines(f)) gives.
 */
export function timelineLinePieces(f: Finding, catalog: AttackCatalog, out: Pieces): void {
  const row = timelineRow(f, catalog);
  out.push('\t');
  timelineCsvPieces(row, out, f.rule);
  out.push('\t');
  timesketchPieces(f, catalog, row, out);
}

class TextFile {
  private out: WriteStream;
  private error: Error | null = null;
  /** Anything was written (or a part moved in). */
  private written = false;
  constructor(private readonly path: string) {
    this.out = this.open('w');
  }
  private open(flags: 'w' | 'a'): WriteStream {
    const out = createWriteStream(this.path, { encoding: 'utf8', flags });
    out.on('error', (e) => (this.error = e));
    return out;
  }
  async write(text: string | Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (text.length === 0) return;
    this.written = true;
    if (!this.out.write(text)) {
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
  /**
   * A file's bytes from `skip` on, after what was written: a file nothing was written to yet becomes the part
   * itself where it can be moved there (same file system, nothing to skip), else they are copied.
   */
  async append(part: string, skip = 0): Promise<void> {
    if (!this.written && skip === 0) {
      await this.close();
      try {
        renameSync(part, this.path);
        this.written = true;
        this.out = this.open('a');
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        this.out = this.open('a');
      }
    }
    await copyFileTo(part, (b) => this.write(b), skip);
  }
  /** The file, once it exists (the stream opens it on its own time). */
  async ready(): Promise<string> {
    if (this.error) throw this.error;
    if (this.out.pending) await once(this.out, 'ready');
    return this.path;
  }
  /** Bytes were written to the file elsewhere, in place (the final merge's ranges): nothing more goes through the stream. */
  filledElsewhere(): void {
    this.written = true;
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

/** A file's bytes from `from` to `to` (default: its end) given to `write` a MB at a time, in order (each chunk its own buffer: a stream may hold it). */
export async function copyFileTo(path: string, write: (chunk: Buffer) => Promise<void>, from = 0, to = Infinity): Promise<void> {
  const fh = await open(path, 'r');
  try {
    for (let at = from; at < to; ) {
      const b = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(b, 0, Math.min(b.length, to - at), at);
      at += bytesRead;
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
  /** timeline.csv's header row is written with its first rows (or a part that begins with it is that file). */
  private csvHeader: string | null = timelineCsvHeader();

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
    return new OrderedOutputs(dir, catalog, withFindings);
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
   * appended as bytes after what was written so far — the first stretch, where it can, by moving the files into
   * place (no copy: the parts are gone afterwards). Timeline parts are needed (null ones are refused).
   */
  async appendParts(parts: { findings: string; csv: string | null; sketch: string | null; csvHeader: boolean }): Promise<void> {
    if (parts.csv === null || parts.sketch === null) throw new Error('OrderedOutputs: parts without timelines');
    await this.flush();
    const { jsonl, csv, sketch } = this.files;
    if (jsonl) await jsonl.append(parts.findings);
    // the part's header row is the file's where none was written yet, else it is left out
    const skip = this.csvHeader === null && parts.csvHeader ? Buffer.byteLength(timelineCsvHeader()) : 0;
    if (!parts.csvHeader) await this.headerIfNone();
    this.csvHeader = null;
    await csv.append(parts.csv, skip);
    await sketch.append(parts.sketch);
  }

  /**
   * The files themselves, made and empty, for the final merge's ranges to write their stretches into in place
   * (then placed()); null for an output not written.
   */
  async targets(): Promise<{ findings: string | null; csv: string; sketch: string }> {
    if (this.rows > 0 || this.csvHeader === null) throw new Error('OrderedOutputs: lines were written already');
    const { jsonl, csv, sketch } = this.files;
    return { findings: jsonl ? await jsonl.ready() : null, csv: await csv.ready(), sketch: await sketch.ready() };
  }

  /** A range's stretch was written into the files in place (targets()): the header row with it where it begins with it. */
  placed(parts: { csvHeader: boolean }): void {
    if (parts.csvHeader) this.csvHeader = null;
    for (const f of [this.files.jsonl, this.files.csv, this.files.sketch]) f?.filledElsewhere();
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    this.rows = 0;
    await this.headerIfNone();
    const [jsonl, csv, sketch] = [this.jsonl, this.csv, this.sketch];
    [this.jsonl, this.csv, this.sketch] = [[], [], []];
    if (this.files.jsonl) await this.files.jsonl.write(jsonl.join(''));
    await this.files.csv.write(csv.join(''));
    await this.files.sketch.write(sketch.join(''));
  }

  private async headerIfNone(): Promise<void> {
    if (this.csvHeader === null) return;
    await this.files.csv.write(this.csvHeader);
    this.csvHeader = null;
  }

  /** Writes what is left and closes the files; returns their names. */
  async close(): Promise<string[]> {
    await this.flush();
    await this.headerIfNone();
    for (const f of [this.files.jsonl, this.files.csv, this.files.sketch]) await f?.close();
    return ORDERED_FILES.filter((n) => n !== 'findings.jsonl' || this.files.jsonl !== null);
  }

  /** Abandons the files (after an error elsewhere). */
  destroy(): void {
    for (const f of [this.files.jsonl, this.files.csv, this.files.sketch]) f?.destroy();
  }
}
