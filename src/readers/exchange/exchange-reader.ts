// Exchange CSV log reader (HttpProxy, ECP Server/Activity, OAB generator, any header-described log):
// binds rows to the latest #Fields: header, CSV quoting via d3-dsv (csv-parse for damaged rows), ECP `S:KEY=value` pairs as fields.
import { parse as parseCsv } from 'csv-parse/sync';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { ExchangeEvent } from '../../event.js';
import { batchReader, type Reader } from '../reader.js';
import { compileFieldBuilder, DiagnosticLimiter, readParsedBatches, toUtcIso, type FieldBuilder, type LineOptions, type RangeRead } from '../text/index.js';
import { parseCsvRow } from './csv-row.js';
import { logFromPath, logFromType, splitEventData } from './log-names.js';

const CSV_OPTS = { relax_column_count: true, relax_quotes: true, info: true, skip_empty_lines: false } as const;
const TIME_COLUMNS = ['DateTime', 'TimeStamp', 'Timestamp', 'date-time', 'DateTimeUTC', 'LogTime', 'Time', 'Date'];
const HOST_COLUMNS = ['ServerHostName', 'ServerName', 'ComputerName', 'server-hostname', 'MachineName', 'Server'];

interface Header {
  /** The #Fields: list as written, to recognise a bare CSV header row repeating it. */
  spec: string;
  names: string[];
  count: number;
  /** Builds a row's fields object (compiled once per header; empty values are left out). */
  build: FieldBuilder;
  timeIdx: number;
  hostIdx: number;
  protocolIdx: number;
}

function compileHeader(spec: string, limiter: DiagnosticLimiter, line: number): Header {
  // The #Fields: list is itself comma-separated and never quoted in practice; trim stray spaces.
  const raw = spec.split(',').map((s) => s.trim());
  const seen = new Set<string>();
  const names = raw.map((n) => {
    if (n === '' || seen.has(n)) {
      if (n !== '') limiter.report('LOG_DUPLICATE_FIELD', 'warning', `#Fields names '${n}' twice; the first column wins`, { line });
      return '';
    }
    seen.add(n);
    return n;
  });
  const first = (cands: string[]): number => {
    for (const c of cands) {
      const i = names.indexOf(c);
      if (i >= 0) return i;
    }
    return -1;
  };
  let timeIdx = first(TIME_COLUMNS);
  if (timeIdx < 0) timeIdx = names.findIndex((n) => /time|date/i.test(n));
  const build = compileFieldBuilder(names.map((name) => ({ name, alias: null })), '');
  return { spec: raw.join(','), names, count: names.length, build, timeIdx, hostIdx: first(HOST_COLUMNS), protocolIdx: names.indexOf('Protocol') };
}

/** Parses the quoted lines of one batch with csv-parse; falls back line by line when the batch is damaged. */
function parseQuoted(texts: string[], lineNos: number[], limiter: DiagnosticLimiter): (string[] | null)[] {
  const out: (string[] | null)[] = new Array<string[] | null>(texts.length).fill(null);
  try {
    const recs = parseCsv(texts.join('\n'), CSV_OPTS) as unknown as { record: string[]; info: { lines: number } }[];
    if (recs.length === texts.length && recs.every((r, i) => r.info.lines === i + 1)) {
      for (let i = 0; i < recs.length; i++) out[i] = recs[i]!.record;
      return out;
    }
  } catch {
    // fall through to the per-line path, which says which line is broken
  }
  for (let i = 0; i < texts.length; i++) {
    try {
      const recs = parseCsv(texts[i]!, CSV_OPTS) as unknown as { record: string[] }[];
      out[i] = recs.length === 1 ? recs[0]!.record : null;
      if (out[i] === null) throw new Error('not one record');
    } catch (err) {
      limiter.report('LOG_BAD_LINE', 'warning', `CSV row cannot be parsed (${(err as Error).message.split(':')[0]}); skipped`, {
        line: lineNos[i]!,
      });
    }
  }
  return out;
}

/** Parses batches of lines of one file (a plain class: V8 optimises it far better than generator code). */
class ExchangeParser {
  private header: Header | null = null;
  private version: string | null = null;
  private log: string | null;
  private kind: string;
  private readonly folderProtocol: string | null;
  private rows: string[] = [];
  private rowLines: number[] = [];

  constructor(
    private readonly path: string,
    private readonly limiter: DiagnosticLimiter,
  ) {
    const fromPath = logFromPath(path);
    this.log = fromPath?.log ?? null;
    this.folderProtocol = fromPath?.protocol ?? null;
    this.kind = this.log ? `exchange-${this.log}` : 'exchange';
  }

  parse(lines: string[], firstLine: number): ExchangeEvent[] {
    const out: ExchangeEvent[] = [];
    // Rows are collected per header segment so a mid-file #Fields: change applies from its line on.
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      if (line.charCodeAt(0) === 35 /* # */) {
        this.flush(out);
        const lineNo = firstLine + i;
        if (line.startsWith('#Fields:')) this.header = compileHeader(line.slice(8), this.limiter, lineNo);
        else if (line.startsWith('#Version:')) this.version = line.slice(9).trim() || null;
        else if (line.startsWith('#Log-type:') && this.log === null) {
          this.log = logFromType(line.slice(10));
          this.kind = `exchange-${this.log}`;
        }
        continue;
      }
      this.rows.push(line);
      this.rowLines.push(firstLine + i);
    }
    this.flush(out);
    return out;
  }

  private flush(out: ExchangeEvent[]): void {
    const texts = this.rows;
    const lineNos = this.rowLines;
    if (texts.length === 0) return;
    this.rows = [];
    this.rowLines = [];
    const h = this.header;
    if (h === null) {
      this.limiter.report('LOG_BAD_HEADER', 'warning', `${texts.length} rows before any #Fields: header; skipped`, { line: lineNos[0]! });
      return;
    }
    const quotedIdx: number[] = [];
    const values: (string[] | null)[] = new Array<string[] | null>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      if (t === h.spec) values[i] = null; // a plain CSV header row after #Fields: (some exports add one)
      else if (t.indexOf('"') === -1) values[i] = t.split(',');
      else if ((values[i] = parseCsvRow(t)) === null) quotedIdx.push(i); // not well-formed: csv-parse decides
    }
    if (quotedIdx.length > 0) {
      const parsed = parseQuoted(
        quotedIdx.map((i) => texts[i]!),
        quotedIdx.map((i) => lineNos[i]!),
        this.limiter,
      );
      quotedIdx.forEach((i, k) => (values[i] = parsed[k]!));
    }
    const ecp = this.log === 'ecp-server' || this.log === 'ecp-activity';
    for (let i = 0; i < texts.length; i++) {
      const vals = values[i];
      if (!vals) continue;
      const lineNo = lineNos[i]!;
      if (vals.length !== h.count) {
        // Fewer values (a torn last row) still bind by position; more values would misalign the columns.
        const more = vals.length > h.count;
        this.limiter.report(
          'LOG_COLUMN_COUNT',
          'warning',
          `${vals.length} values for ${h.count} #Fields columns; ${more ? 'row skipped' : 'leading columns kept'}`,
          { line: lineNo },
        );
        if (more) continue;
      }
      const n = vals.length;
      const fields = h.build(vals, n);
      if (ecp) {
        for (let c = 0; c < n; c++) {
          const v = vals[c]!;
          if (v.indexOf('S:') !== -1) splitEventData(v, fields);
        }
      }
      let time: string | null = null;
      if (h.timeIdx >= 0 && h.timeIdx < n) {
        const raw = vals[h.timeIdx]!;
        time = toUtcIso(raw);
        if (time === null && raw !== '') this.limiter.report('LOG_BAD_TIMESTAMP', 'warning', `bad timestamp '${raw.slice(0, 40)}'`, { line: lineNo });
      }
      out.push({
        source: 'exchange',
        log: this.log ?? 'exchange',
        protocol: this.folderProtocol ?? (h.protocolIdx >= 0 ? (fields['Protocol'] ?? null) : null),
        version: this.version,
        time,
        host: h.hostIdx >= 0 ? (fields[h.names[h.hostIdx]!] ?? null) : null,
        fields,
        // ECP rows add their S:KEY=value pairs to fields: then only fields has every value.
        values: ecp ? undefined : vals,
        ref: { path: this.path, line: lineNo, kind: this.kind },
      });
    }
  }
}

/** Reads one Exchange CSV log; yields one array of events per chunk read. */
export function readExchangeBatches(evidence: Evidence, sink: DiagnosticSink, opts: LineOptions & { part?: RangeRead } = {}): AsyncGenerator<ExchangeEvent[]> {
  const { part, ...lineOpts } = opts;
  return readParsedBatches(evidence, sink, (path, limiter) => new ExchangeParser(path, limiter), { chunkBytes: 256 * 1024, ...lineOpts }, part);
}

export const exchangeReader: Reader = batchReader('exchange-csv', readExchangeBatches);
