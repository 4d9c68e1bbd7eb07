// timeline.csv for Timeline Explorer and spreadsheets: UTC ISO timestamps first, one finding per physical line,
// RFC 4180 quoting by csv-stringify, and formula neutralisation (a leading ' before = + - @ TAB CR LF NUL).
import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { TIMELINE_COLUMNS, timelineRow, type TimelineRow } from './timeline-rows.js';
import { cmpStr } from '../engines/activity/index.js';
import { Pieces } from './finding-line.js';

/** Spreadsheet-safe cell: line breaks made visible, formula starters neutralised (OWASP CSV injection). */
export function safeCell(value: string): string {
  const oneLine = value.replace(/\r\n|\r|\n/g, ' ¦ ');
  return /^[=+\-@\t\r\n\0]/.test(oneLine) ? `'${oneLine}` : oneLine;
}

/** Rows per chunk: a chunk stays a few MB however many findings there are. */
export const TIMELINE_CHUNK_ROWS = 1000;

/**
 * timeline.csv as text chunks (the header, then at most TIMELINE_CHUNK_ROWS rows each), so a scan with
 * hundreds of thousands of findings is written piece by piece instead of as one string beyond V8's limit.
 */
const CSV_OPTS = { quoted: true, quoted_empty: true, record_delimiter: '\r\n' } as const;

export function timelineCsvHeader(): string {
  return stringify([TIMELINE_COLUMNS], CSV_OPTS);
}
/** Rows for findings already in timeline order (a batch of a stream). */
export function timelineCsvRows(findings: readonly Finding[], catalog: AttackCatalog): string {
  return findings.map((f) => timelineCsvRow(timelineRow(f, catalog))).join('');
}
/** One finding's line of timeline.csv (csv-stringify writes each record and its delimiter alone). */
export function timelineCsvRow(r: TimelineRow): string {
  const out = new Pieces();
  timelineCsvPieces(r, out);
  return out.text() + '\r\n';
}

const DETAILS_AT = TIMELINE_COLUMNS.indexOf('Details');
/** Two records in one call, split at the newline between them (no cell holds a line break once safeCell made it one line). */
const CSV_SPLIT = { ...CSV_OPTS, record_delimiter: '\n' } as const;

/**
 * One finding's timeline.csv row as pieces, without its closing CRLF: exactly stringify([cells])'s row (a record
 * is its cells, each quoted alone, joined by the delimiter). The cells before Details and those after it are
 * quoted by csv-stringify in one call; Details (a KB or more, the same for every finding of an event) is made
 * safe and quoted once per event and given as a piece of its own, not copied into a row per finding.
 */
export function timelineCsvPieces(r: TimelineRow, out: Pieces): void {
  const head: string[] = [];
  const tail: string[] = [];
  for (let i = 0; i < TIMELINE_COLUMNS.length; i++) if (i !== DETAILS_AT) (i < DETAILS_AT ? head : tail).push(safeCell(r[TIMELINE_COLUMNS[i]!]));
  const both = stringify([head, tail], CSV_SPLIT);
  const nl = both.indexOf('\n');
  out.push(both.slice(0, nl) + ',', quotedDetails(r.Details));
  out.push(',' + both.slice(nl + 1, -1));
}

// The findings of one event come one after another with the same details (a KB or more): made safe and quoted once.
let lastDetails: string | null = null;
let lastQuoted = '';
function quotedDetails(details: string): string {
  if (details !== lastDetails) {
    lastQuoted = stringify([[safeCell(details)]], CSV_OPTS).slice(0, -2);
    lastDetails = details;
  }
  return lastQuoted;
}

/**
 * timeline.csv as text chunks (the header, then at most TIMELINE_CHUNK_ROWS rows each), so a scan with
 * hundreds of thousands of findings is written piece by piece instead of as one string beyond V8's limit.
 */
export function* timelineCsvChunks(findings: readonly Finding[], catalog: AttackCatalog): Generator<string> {
  yield timelineCsvHeader();
  const sorted = [...findings].sort((a, b) => cmpStr(a.time ?? '~', b.time ?? '~'));
  for (let i = 0; i < sorted.length; i += TIMELINE_CHUNK_ROWS) yield timelineCsvRows(sorted.slice(i, i + TIMELINE_CHUNK_ROWS), catalog);
}
export function timelineCsv(findings: readonly Finding[], catalog: AttackCatalog): string {
  return [...timelineCsvChunks(findings, catalog)].join('');
}
