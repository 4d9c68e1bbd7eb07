// Exchange CSV log reader (HttpProxy, EWS, CmdletInfra, ECP/OWA Server, MessageTracking, MRS, any header-described
// log) in every header mode Exchange writes; rows bound by name to the header in force, CSV via d3-dsv (csv-parse for damaged rows).
import { parse as parseCsv } from 'csv-parse/sync';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { bareHeaderNames, EXCHANGE_TIME_COLUMNS } from './bare-header.js';
import type { ExchangeEvent } from '../../event.js';
import { batchReader, type Reader } from '../reader.js';
import { compileFieldBuilder, DiagnosticLimiter, readParsedBatches, toUtcIso, type FieldBuilder, type LineOptions, type RangeRead } from '../text/index.js';
import { parseCsvRow } from './csv-row.js';
import { addEmbedded, embeddedColumns, typedPairsInEveryColumn, type EmbeddedColumn } from './embedded-fields.js';
import { logFromPath, logFromType, splitEventData } from './log-names.js';

const CSV_OPTS = { relax_column_count: true, relax_quotes: true, info: true, skip_empty_lines: false } as const;
const HOST_COLUMNS = ['ServerHostName', 'ServerName', 'ComputerName', 'server-hostname', 'MachineName', 'Server'];

interface Header {
  /** The #Fields: list as written, to recognise a bare CSV header row repeating it. */
  spec: string;
  names: string[];
  count: number;
  /** Builds a row's fields object (compiled once per header; empty values are left out). */
  build: FieldBuilder;
  timeIdx: number;
  /** StartTime, read when the time column is empty (CmdletInfra's duration-only rows, research §0.2). */
  startIdx: number;
  hostIdx: number;
  protocolIdx: number;
  /** Columns holding more fields, for the log named in `embeddedFor` (the log can be named after the header). */
  embedded: EmbeddedColumn[];
  embeddedFor: string | null | undefined;
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
  let timeIdx = first([...EXCHANGE_TIME_COLUMNS]);
  if (timeIdx < 0) timeIdx = names.findIndex((n) => /time|date/i.test(n) || n.startsWith('TS_'));
  const build = compileFieldBuilder(names.map((name) => ({ name, alias: null })), '');
  return {
    spec: raw.join(','),
    names,
    count: names.length,
    build,
    timeIdx,
    startIdx: names.indexOf('StartTime'),
    hostIdx: first(HOST_COLUMNS),
    protocolIdx: names.indexOf('Protocol'),
    embedded: [],
    embeddedFor: undefined,
  };
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
  /** The folder named the log: it wins over #Log-type (which cannot say the HttpProxy protocol). */
  private readonly logFromPath: boolean;
  private readonly folderProtocol: string | null;
  private rows: string[] = [];
  private rowLines: number[] = [];

  constructor(
    private readonly path: string,
    private readonly limiter: DiagnosticLimiter,
  ) {
    const fromPath = logFromPath(path);
    this.log = fromPath?.log ?? null;
    this.logFromPath = fromPath !== null;
    this.folderProtocol = fromPath?.protocol ?? null;
    this.kind = this.log ? `exchange-${this.log}` : 'exchange';
  }

  parse(lines: string[], firstLine: number): ExchangeEvent[] {
    const out: ExchangeEvent[] = [];
    // Rows are collected per header segment so a header change applies from its line on.
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.length === 0) continue;
      const c = line.charCodeAt(0);
      if (c === 35 /* # */) {
        this.flush(out);
        const lineNo = firstLine + i;
        if (line.startsWith('#Fields:')) this.useHeader(line.slice(8), lineNo);
        else if (line.startsWith('#Version:')) this.version = line.slice(9).trim() || null;
        else if (line.startsWith('#Log-type:') && !this.logFromPath) {
          this.log = logFromType(line.slice(10));
          this.kind = `exchange-${this.log}`;
        }
        continue;
      }
      // A bare header row: line 1 of CSV-compatible and CSV-strict files (research exchange-logs.md §0.1), or
      // mid-file where a new file was appended. Data rows start with a digit (the time) or a comma (no time).
      if (((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) && (this.header === null || line !== this.header.spec)) {
        if (bareHeaderNames(line) !== null) {
          this.flush(out);
          this.useHeader(line, firstLine + i);
          continue;
        }
      }
      this.rows.push(line);
      this.rowLines.push(firstLine + i);
    }
    this.flush(out);
    return out;
  }

  /** A #Fields: list or a bare header row; the header in force is kept when it names the same columns. */
  private useHeader(spec: string, lineNo: number): void {
    const trimmed = spec.trim();
    if (this.header !== null && this.header.spec === trimmed) return;
    this.header = compileHeader(spec, this.limiter, lineNo);
  }

  private flush(out: ExchangeEvent[]): void {
    const texts = this.rows;
    const lineNos = this.rowLines;
    if (texts.length === 0) return;
    this.rows = [];
    this.rowLines = [];
    const h = this.header;
    if (h === null) {
      this.limiter.report('LOG_BAD_HEADER', 'warning', `${texts.length} rows before any header (#Fields: or a bare header row); skipped`, {
        line: lineNos[0]!,
      });
      return;
    }
    const quotedIdx: number[] = [];
    const values: (string[] | null)[] = new Array<string[] | null>(texts.length);
    for (let i = 0; i < texts.length; i++) {
      const t = texts[i]!;
      if (t === h.spec) values[i] = null; // the bare header row repeating the header in force
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
    if (h.embeddedFor !== this.log) {
      h.embedded = embeddedColumns(h.names, this.log);
      h.embeddedFor = this.log;
    }
    const anyColumn = typedPairsInEveryColumn(this.log);
    const embedded = h.embedded;
    const extra = anyColumn || embedded.length > 0;
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
      if (anyColumn) {
        for (let c = 0; c < n; c++) {
          const v = vals[c]!;
          if (v.indexOf('S:') !== -1) splitEventData(v, fields);
        }
      }
      if (embedded.length > 0 && !addEmbedded(embedded, vals, fields)) {
        this.limiter.report('LOG_BAD_VALUE', 'warning', 'the Data column is not one JSON object; kept as text', { line: lineNo });
      }
      let time: string | null = null;
      if (h.timeIdx >= 0 && h.timeIdx < n) {
        let raw = vals[h.timeIdx]!;
        if (raw === '' && h.startIdx >= 0 && h.startIdx < n) raw = vals[h.startIdx]!;
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
        // Rows with embedded fields add to `fields`: then only fields has every value.
        values: extra ? undefined : vals,
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
