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
/** Cells quoted as records of their own, split at the newlines between them (no cell holds a line break once safeCell made it one line). */
const CSV_SPLIT = { ...CSV_OPTS, record_delimiter: '\n' } as const;
function quoteAll(cells: readonly string[]): string[] {
  return stringify(cells.map((c) => [c]), CSV_SPLIT).slice(0, -1).split('\n');
}
/** The columns a rule's findings share (its title, level, engine, techniques, CVEs, author, id, file). */
const RULE_COLUMNS = new Set<keyof TimelineRow>(['RuleTitle', 'Level', 'Engine', 'MitreTactics', 'MitreTags', 'CVEs', 'RuleAuthor', 'RuleID', 'RuleFile']);
const ruleAt = TIMELINE_COLUMNS.flatMap((c, i) => (RULE_COLUMNS.has(c) ? [i] : []));
const eventAt = TIMELINE_COLUMNS.flatMap((c, i) => (!RULE_COLUMNS.has(c) && c !== 'Details' ? [i] : []));
/** Quoted rule cells per rule object, kept while its values are the same. */
const ruleCells = new WeakMap<object, { raw: string[]; quoted: string[] }>();

/**
 * One finding's timeline.csv row as pieces, without its closing CRLF: exactly stringify([cells])'s row (a record
 * is its cells, each quoted alone, joined by the delimiter), every cell quoted by csv-stringify. The cells a
 * rule's findings share are quoted once per rule object (`rule`, where given); the others in one call per finding;
 * Details (a KB or more, the same for every finding of an event) is made safe and quoted once per event and given
 * as a piece of its own, not copied into a row per finding.
 */
export function timelineCsvPieces(r: TimelineRow, out: Pieces, rule: object | null = null): void {
  const cells: string[] = new Array<string>(TIMELINE_COLUMNS.length);
  const raw = ruleAt.map((i) => r[TIMELINE_COLUMNS[i]!]);
  let known = rule ? ruleCells.get(rule) : undefined;
  if (!known || known.raw.some((v, j) => v !== raw[j])) {
    known = { raw, quoted: quoteAll(raw.map(safeCell)) };
    if (rule) ruleCells.set(rule, known);
  }
  ruleAt.forEach((i, j) => (cells[i] = known.quoted[j]!));
  const own = quoteAll(eventAt.map((i) => safeCell(r[TIMELINE_COLUMNS[i]!])));
  eventAt.forEach((i, j) => (cells[i] = own[j]!));
  let head = '';
  for (let i = 0; i < DETAILS_AT; i++) head += cells[i] + ',';
  let tail = '';
  for (let i = DETAILS_AT + 1; i < cells.length; i++) tail += ',' + cells[i];
  out.push(head, quotedDetails(r.Details));
  out.push(tail);
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
