// Writes Exchange text logs in the exact shapes Exchange's shared log writer produces (research exchange-logs.md §0):
// for fixtures, the example collection and benchmarks. Never used to read evidence.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Diagnostic } from '../../diagnostics.js';
import type { ExchangeEvent } from '../../event.js';
import { exchangeReader } from './exchange-reader.js';

/**
 * The three header modes (LogHeaderCsvOption): `csv-compatible` = a bare header row, then the five `#` lines
 * (RequestDetailsLoggerBase logs: HttpProxy, EWS, Autodiscover, OABDownload, CmdletInfra); `hash-first` = a
 * UTF-8 BOM and the `#` lines (MessageTracking, ECP/OWA server, transport, audit queue); `csv-strict` = the
 * bare header row only (MRS logs).
 */
export type HeaderMode = 'csv-compatible' | 'hash-first' | 'csv-strict';

export interface ExchangeLogHeader {
  mode: HeaderMode;
  /** `Microsoft Exchange Server` unless given (the audit queue writes `Microsoft Exchange`). */
  software?: string;
  /** Long form, e.g. 15.01.2375.007 (some loggers write 15.0.0.0). */
  version: string;
  logType: string;
  /** UTC file-creation time, yyyy-MM-ddTHH:mm:ss.fffZ. */
  date: string;
  fields: readonly string[];
}

const CRLF = '\r\n';

/** The header block a new file starts with, CRLF line ends, BOM where the mode writes one. */
export function exchangeLogHeader(h: ExchangeLogHeader): string {
  const bare = h.fields.join(',') + CRLF;
  if (h.mode === 'csv-strict') return bare;
  const hash =
    `#Software: ${h.software ?? 'Microsoft Exchange Server'}${CRLF}#Version: ${h.version}${CRLF}` +
    `#Log-type: ${h.logType}${CRLF}#Date: ${h.date}${CRLF}#Fields: ${h.fields.join(',')}${CRLF}`;
  // No BOM in CSV-compatible mode (research §0.1, inferred from the writer's code).
  return h.mode === 'csv-compatible' ? bare + hash : '\uFEFF' + hash;
}

export interface RowOptions {
  /**
   * RequestDetailsLoggerBase logs (HttpProxy, EWS, Autodiscover, CmdletInfra) replace ',' and line breaks in
   * every value with a space before writing (research §0.2): `(KHTML, like Gecko)` becomes `(KHTML  like Gecko)`.
   */
  requestDetails: boolean;
}

/**
 * One row (no line end): values sanitised as the logger does, CR and LF written as the two characters `\r` and
 * `\n` (one record = one physical line), then quoted by RFC 4180 where a value holds ',' or '"'.
 */
export function exchangeLogRow(values: readonly string[], opts: RowOptions): string {
  const vals = values.map((v) => {
    let s = opts.requestDetails ? v.replace(/\r\n|[\r\n,]/g, ' ') : v;
    s = s.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    return s;
  });
  return stringify([vals], { record_delimiter: 'windows' }).replace(/\r\n$/, '');
}

/** A whole file: header, rows and the CRLF after each. */
export function exchangeLogText(h: ExchangeLogHeader, rows: readonly (readonly string[])[], opts: RowOptions): string {
  return exchangeLogHeader(h) + rows.map((r) => exchangeLogRow(r, opts) + CRLF).join('');
}

/** A row from named values: absent names are empty, bound by the header's field names (never by position). */
export function rowOf(fields: readonly string[], values: Readonly<Record<string, string>>): string[] {
  return fields.map((f) => values[f] ?? '');
}

/** Writes `text` at `path` (relative, so the folder layout names the log) in a temp folder and reads it back. */
export async function readLogText(path: string, text: string | Buffer): Promise<{ events: ExchangeEvent[]; diags: Diagnostic[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ex-'));
  try {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    const diags: Diagnostic[] = [];
    const events: ExchangeEvent[] = [];
    for await (const e of exchangeReader.read({ absPath: abs, path, root: dir, kind: 'exchange-csv', size: text.length, mtime: '' }, (d) => diags.push(d))) {
      events.push(e as ExchangeEvent);
    }
    return { events, diags };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
