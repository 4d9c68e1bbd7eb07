// JSON evidence reader: Windows events in evtx_dump's nested shape given as JSON Lines, a JSON array,
// or evtx_dump text output (`Record N` lines between pretty-printed objects). Streams all three.
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { EvidenceRef, WinEvent } from '../../event.js';
import { batchReader, type Reader } from '../reader.js';
import { DiagnosticLimiter, readLineBatches, toUtcIso } from '../text/index.js';

export type JsonLayout = 'jsonl' | 'array' | 'concatenated';

export interface JsonReadOptions {
  /**
   * Largest single record kept, in characters; bigger ones get JSON_BAD_RECORD (LOG_LINE_TOO_LONG in JSON Lines).
   * Default 4 Mi: an EVTX record is at most 64 KiB, so even pretty-printed it stays far below.
   */
  maxRecordChars?: number;
}

/** Decides the layout from the start of the file. Null when it is not JSON at all. */
export async function jsonLayout(absPath: string): Promise<JsonLayout | null> {
  const fh = await open(absPath, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
    const start = head.search(/\S/);
    if (start < 0) return 'jsonl'; // empty or blank: nothing to read, nothing wrong
    const c = head[start];
    if (c === '[') return 'array';
    if (c === 'R' && /^Record \d+/.test(head.slice(start))) return 'concatenated';
    if (c !== '{') return null;
    const nl = head.indexOf('\n', start);
    const firstLine = (nl < 0 ? head.slice(start) : head.slice(start, nl)).trim();
    try {
      JSON.parse(firstLine);
      return 'jsonl';
    } catch {
      return 'concatenated';
    }
  } finally {
    await fh.close();
  }
}

function attr(v: unknown, name: string): unknown {
  if (v && typeof v === 'object') {
    const a = (v as Record<string, unknown>)['#attributes'];
    if (a && typeof a === 'object') return (a as Record<string, unknown>)[name];
  }
  return undefined;
}

function eventIdOf(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v && typeof v === 'object') return eventIdOf((v as Record<string, unknown>)['#text']);
  return null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Maps one parsed evtx_dump-shaped object to a WinEvent; null when it has no Event.System. */
export function toWinEvent(obj: unknown, ref: EvidenceRef): WinEvent | null {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const ev = (obj as Record<string, unknown>)['Event'];
  if (!ev || typeof ev !== 'object') return null;
  const sys = (ev as Record<string, unknown>)['System'];
  if (!sys || typeof sys !== 'object') return null;
  const s = sys as Record<string, unknown>;
  const t = attr(s['TimeCreated'], 'SystemTime');
  return {
    source: 'json',
    time: typeof t === 'string' ? toUtcIso(t) : null,
    host: str(s['Computer']),
    channel: str(s['Channel']),
    eventId: eventIdOf(s['EventID']),
    provider: str(attr(s['Provider'], 'Name')),
    data: obj as Record<string, unknown>,
    ref,
  };
}

/**
 * Scans a character stream for complete JSON values: top-level objects (concatenated / evtx_dump), or
 * the elements of a top-level array. Strings are skipped with indexOf so braces inside them do not count.
 */
class ValueScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: string[] = [];
  private size = 0;
  private capturing = false;
  private oversized = false;
  records = 0;
  constructor(
    private readonly arrayMode: boolean,
    private readonly maxChars: number,
    private readonly onValue: (text: string | null, record: number) => void,
  ) {}

  push(s: string): void {
    const base = this.arrayMode ? 1 : 0;
    let segStart = this.capturing ? 0 : -1;
    let i = 0;
    const n = s.length;
    while (i < n) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        const q = s.indexOf('"', i);
        const b = s.indexOf('\\', i);
        if (q === -1 && b === -1) {
          i = n;
          break;
        }
        if (b !== -1 && (q === -1 || b < q)) {
          this.escape = true;
          i = b + 1;
          continue;
        }
        this.inString = false;
        i = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 34 /* " */) {
        if (this.depth > 0) this.inString = true;
      } else if (c === 123 /* { */ || c === 91 /* [ */) {
        if (this.depth === base && (c === 123 || base === 1)) {
          this.capturing = true;
          this.oversized = false;
          this.parts = [];
          this.size = 0;
          segStart = i;
        }
        this.depth++;
      } else if (c === 125 /* } */ || c === 93 /* ] */) {
        this.depth = Math.max(0, this.depth - 1);
        if (this.capturing && this.depth === base) {
          this.keep(s, segStart, i + 1);
          this.records++;
          this.onValue(this.oversized ? null : this.parts.join(''), this.records);
          this.capturing = false;
          this.parts = [];
          segStart = -1;
        }
      }
      i++;
    }
    if (this.capturing && segStart >= 0) this.keep(s, segStart, n);
  }

  private keep(s: string, from: number, to: number): void {
    if (this.oversized) return;
    this.size += to - from;
    if (this.size > this.maxChars) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(s.slice(from, to));
  }

  /** True when the input ended inside a value (truncated file). */
  get open(): boolean {
    return this.capturing;
  }
}

/** Reads one JSON evidence file; yields one array of events per chunk read. */
export async function* readJsonBatches(evidence: Evidence, sink: DiagnosticSink, opts: JsonReadOptions = {}): AsyncGenerator<WinEvent[]> {
  const limiter = new DiagnosticLimiter(sink, evidence.path);
  const maxChars = opts.maxRecordChars ?? 4 * 1024 * 1024;
  let notEvents = 0;
  try {
    const layout = await jsonLayout(evidence.absPath);
    if (layout === null) {
      limiter.report('UNKNOWN_FORMAT', 'warning', 'not JSON (no object or array at the start)');
      return;
    }
    if (layout === 'jsonl') {
      for await (const batch of readLineBatches(evidence.absPath, limiter, { maxLineBytes: maxChars })) {
        const out: WinEvent[] = [];
        for (let i = 0; i < batch.lines.length; i++) {
          const line = batch.lines[i]!.trim();
          if (line.length === 0) continue;
          const lineNo = batch.firstLine + i;
          let obj: unknown;
          try {
            obj = JSON.parse(line);
          } catch (err) {
            limiter.report('JSON_BAD_RECORD', 'warning', `not valid JSON: ${(err as Error).message}`, { line: lineNo });
            continue;
          }
          const ev = toWinEvent(obj, { path: evidence.path, line: lineNo, kind: 'json' });
          if (ev) out.push(ev);
          else notEvents++;
        }
        if (out.length > 0) yield out;
      }
      return;
    }
    let out: WinEvent[] = [];
    const scanner = new ValueScanner(layout === 'array', maxChars, (text, record) => {
      if (text === null) {
        limiter.report('JSON_BAD_RECORD', 'warning', `record larger than ${maxChars} characters skipped`, { record });
        return;
      }
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        limiter.report('JSON_BAD_RECORD', 'warning', `not valid JSON: ${(err as Error).message}`, { record });
        return;
      }
      const ev = toWinEvent(obj, { path: evidence.path, record, kind: 'json' });
      if (ev) out.push(ev);
      else notEvents++;
    });
    const decoder = new StringDecoder('utf8');
    for await (const chunk of createReadStream(evidence.absPath, { flags: 'r', highWaterMark: 1 << 20 })) {
      scanner.push(decoder.write(chunk as Buffer));
      if (out.length > 0) {
        yield out;
        out = [];
      }
    }
    scanner.push(decoder.end());
    if (out.length > 0) yield out;
    if (scanner.open) {
      limiter.report('LOG_TRUNCATED', 'warning', `file ends inside record ${scanner.records + 1} (truncated); that record is lost`, {
        record: scanner.records + 1,
      });
    }
  } catch (err) {
    limiter.report('IO_ERROR', 'error', `read failed: ${(err as Error).message}`);
  } finally {
    if (notEvents > 0) {
      limiter.report('JSON_BAD_RECORD', 'info', `${notEvents} JSON records are not events in the evtx_dump shape (no Event.System); ignored`);
    }
    limiter.flush();
  }
}

export const jsonReader: Reader = batchReader('json', readJsonBatches);
