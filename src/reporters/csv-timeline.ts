// timeline.csv for Timeline Explorer and spreadsheets: UTC ISO timestamps first, one finding per physical line,
// RFC 4180 quoting by csv-stringify, and formula neutralisation (a leading ' before = + - @ TAB CR LF NUL).
import { stringify } from 'csv-stringify/sync';
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { TIMELINE_COLUMNS, timelineRow } from './timeline-rows.js';
import { cmpStr } from '../engines/activity/index.js';

/** Spreadsheet-safe cell: line breaks made visible, formula starters neutralised (OWASP CSV injection). */
export function safeCell(value: string): string {
  const oneLine = value.replace(/\r\n|\r|\n/g, ' ¦ ');
  return /^[=+\-@\t\r\n\0]/.test(oneLine) ? `'${oneLine}` : oneLine;
}

export function timelineCsv(findings: readonly Finding[], catalog: AttackCatalog): string {
  const sorted = [...findings].sort((a, b) => cmpStr(a.time ?? '~', b.time ?? '~'));
  const rows = sorted.map((f) => {
    const r = timelineRow(f, catalog);
    return TIMELINE_COLUMNS.map((c) => safeCell(r[c]));
  });
  return stringify([TIMELINE_COLUMNS, ...rows], { quoted: true, quoted_empty: true, record_delimiter: '\r\n' });
}
