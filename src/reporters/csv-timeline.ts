// timeline.csv for Timeline Explorer and spreadsheets: UTC ISO timestamps first, one finding per physical line,
// RFC 4180 quoting by csv-stringify, and formula neutralisation (a leading ' before = + - @ TAB CR LF NUL).
import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { TIMELINE_COLUMNS, timelineRow, type TimelineRow } from './timeline-rows.js';
import { cmpStr } from '../engines/activity/index.js';
import { Pieces } from './finding-line.js';

const LINE_BREAK = /[\r\n]/;

/** Spreadsheet-safe cell: line breaks made visible, formula starters neutralised (OWASP CSV injection). */
export function safeCell(value: string): string {
  // Tested first: replace() copies a cell even where nothing matches (most cells, a KB or more of Details each).
  const oneLine = LINE_BREAK.test(value) ? value.replace(/\r\n|\r|\n/g, ' ¦ ') : value;
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

/** Cells quoted as records of their own, split at the newlines between them (no cell holds a line break once safeCell made it one line). */
const CSV_SPLIT = { ...CSV_OPTS, record_delimiter: '\n' } as const;
function quoteAll(cells: readonly string[]): string[] {
  return stringify(cells.map((c) => [c]), CSV_SPLIT).slice(0, -1).split('\n');
}
/** The columns a rule's findings share (its title, level, engine, techniques, CVEs, author, id, file). */
const RULE_COLUMNS = new Set<keyof TimelineRow>(['RuleTitle', 'Level', 'Engine', 'MitreTactics', 'MitreTags', 'CVEs', 'RuleAuthor', 'RuleID', 'RuleFile']);
/**
 * The row as runs of adjoining columns of one kind — the rule's, the event's (Details is a run of its own, a KB or
 * more) — each written as its quoted cells joined by commas, with the comma before it: a row is its runs' texts one
 * after another, none of them made per finding.
 */
interface Run {
  rule: boolean;
  /** The run's columns, and where each is in its kind's list (ruleAt / eventAt). */
  at: number[];
  /** The comma before the run is its own (every run's but the first's and Details'), the comma after it too (the run before Details'). */
  lead: boolean;
  trail: boolean;
}
const ruleAt: number[] = [];
const eventAt: number[] = [];
const runs: Run[] = [];
for (const [i, c] of TIMELINE_COLUMNS.entries()) {
  const rule = RULE_COLUMNS.has(c);
  const list = rule ? ruleAt : eventAt;
  const last = runs[runs.length - 1];
  if (last && last.rule === rule && c !== 'Details' && TIMELINE_COLUMNS[i - 1] !== 'Details') last.at.push(list.length);
  else runs.push({ rule, at: [list.length], lead: i > 0 && c !== 'Details', trail: false });
  runs[runs.length - 1]!.trail = TIMELINE_COLUMNS[i + 1] === 'Details';
  list.push(i);
}
/**
 * A kind's runs' texts from its quoted cells (in ruleAt / eventAt order). Details, a KB or more, is its quoted cell
 * itself (its commas are its neighbours'): not copied into a text of its own.
 */
function runTexts(rule: boolean, quoted: readonly string[]): string[] {
  return runs
    .filter((r) => r.rule === rule)
    .map((r) => {
      const cells = r.at.length === 1 ? quoted[r.at[0]!]! : r.at.map((j) => quoted[j]!).join(',');
      return r.lead || r.trail ? (r.lead ? ',' : '') + cells + (r.trail ? ',' : '') : cells;
    });
}
/** A rule's runs per rule object, kept while its values are the same. */
const ruleRuns = new WeakMap<object, { raw: string[]; texts: string[] }>();
// The findings of one event come one after another with the same event cells and Details: their runs are made once.
let lastEvent: { raw: string[]; texts: string[] } | null = null;

/**
 * One finding's timeline.csv row as pieces, without its closing CRLF: exactly stringify([cells])'s row (a record
 * is its cells, each quoted alone, joined by the delimiter), every cell made safe and quoted by csv-stringify. The
 * rule's runs are quoted once per rule object (`rule`, where given); the event's (Details with them) once per
 * event — for as long as the next finding's cells are the same — and handed on as pieces, never joined into a row.
 */
export function timelineCsvPieces(r: TimelineRow, out: Pieces, rule: object | null = null): void {
  let known = rule ? ruleRuns.get(rule) : undefined;
  if (!known || !sameCells(known.raw, ruleAt, r)) {
    known = quotedRuns(true, ruleAt, r);
    if (rule) ruleRuns.set(rule, known);
  }
  if (lastEvent === null || !sameCells(lastEvent.raw, eventAt, r)) lastEvent = quotedRuns(false, eventAt, r);
  let k = 0;
  let e = 0;
  for (const run of runs) out.push(run.rule ? known.texts[k++]! : lastEvent.texts[e++]!);
}

/** The row's cells at `at` (ruleAt / eventAt) as they are, and their runs' texts. */
function quotedRuns(rule: boolean, at: readonly number[], r: TimelineRow): { raw: string[]; texts: string[] } {
  const raw = at.map((i) => r[TIMELINE_COLUMNS[i]!]);
  return { raw, texts: runTexts(rule, quoteAll(raw.map(safeCell))) };
}
function sameCells(raw: readonly string[], at: readonly number[], r: TimelineRow): boolean {
  return at.every((i, j) => raw[j] === r[TIMELINE_COLUMNS[i]!]);
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
