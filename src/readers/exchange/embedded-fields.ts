// Structured values inside one Exchange log column, added to a row's fields: `S:Key=Value` lists (ECP/OWA
// EventData, MessageTracking custom-data), `Key=Value;` lists (GenericInfo), and the audit queue's JSON `Data`.
import { splitEventData } from './log-names.js';

/** What to split out of a row: the column index and how. Built once per header. */
export interface EmbeddedColumn {
  index: number;
  how: 'typed-pairs' | 'pairs' | 'json';
}

// GenericInfo keys: `PSSenderInfo`, `OnEndRequest.End.ContentType`, `S:ServiceCommonMetadata.HttpMethod`.
const PAIR_KEY_RE = /^[A-Za-z][A-Za-z0-9_.:[\]-]{0,80}$/;
/** Bound on what one value may add (a hostile row cannot blow up a fields object). */
const MAX_KEYS = 256;
const MAX_JSON = 1 << 20;

/** ECP and OWA server logs put `S:KEY=value` pairs in any column (EventData mostly): every column is split. */
export function typedPairsInEveryColumn(log: string | null): boolean {
  return log === 'ecp-server' || log === 'ecp-activity' || log === 'owa-server';
}

/**
 * The columns of a header whose values hold more fields (research exchange-logs.md §0.2, §6.3-6.5).
 * (The `S:` pairs of logs that put them in any column are split by the reader from every column instead.)
 */
export function embeddedColumns(names: readonly string[], log: string | null): EmbeddedColumn[] {
  const out: EmbeddedColumn[] = [];
  const everyColumn = typedPairsInEveryColumn(log);
  names.forEach((n, index) => {
    if (n === 'EventData' || n === 'custom-data') {
      if (!everyColumn) out.push({ index, how: 'typed-pairs' });
    }
    // HttpProxy's GenericInfo holds latency breadcrumbs only, and its rows are the bulk of a collection.
    else if ((n === 'GenericInfo' || n === 'BackEndGenericInfo') && log !== 'httpproxy') out.push({ index, how: 'pairs' });
    else if (n === 'Data' && (log === 'unified-audit' || names.includes('RecordType'))) out.push({ index, how: 'json' });
  });
  return out;
}

/**
 * Adds a row's embedded fields; returns false when a JSON column could not be read (the caller says so).
 * Existing names (the columns) are never overridden.
 */
export function addEmbedded(cols: readonly EmbeddedColumn[], vals: readonly string[], fields: Record<string, string>): boolean {
  let ok = true;
  for (const c of cols) {
    const v = vals[c.index];
    if (v === undefined || v === '') continue;
    if (c.how === 'typed-pairs') {
      if (v.indexOf(':') !== -1) splitEventData(v, fields);
    } else if (c.how === 'pairs') splitPairs(v, fields);
    else if (!addJson(v, fields)) ok = false;
  }
  return ok;
}

/**
 * `Key=Value;Key=Value` as HttpProxy, EWS and CmdletInfra write GenericInfo. Exchange replaces ';' and '='
 * inside appended values with spaces before writing (exchange-logs.md §0.2), so splitting at ';' and the
 * first '=' is exact for what it appended.
 */
export function splitPairs(value: string, fields: Record<string, string>): void {
  let added = 0;
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    if (!PAIR_KEY_RE.test(key) || key in fields) continue;
    fields[key] = part.slice(eq + 1);
    if (++added >= MAX_KEYS) return;
  }
}

/**
 * The unified-audit queue's `Data` column: one JSON audit record (quotes doubled by the CSV layer, undone by
 * the CSV parser). Scalars become `Data.<key>`, one level of nested objects `Data.<key>.<sub>`, and the
 * cmdlet's `Parameters: [{Name, Value}]` list `Data.Parameters.<Name>`.
 */
export function addJson(value: string, fields: Record<string, string>): boolean {
  if (value.length > MAX_JSON || value.charCodeAt(0) !== 123 /* { */) return false;
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    return false;
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return false;
  let added = 0;
  const put = (k: string, v: unknown): void => {
    if (added >= MAX_KEYS || k in fields) return;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      fields[k] = String(v);
      added++;
    }
  };
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    if (k === 'Parameters' && Array.isArray(v)) {
      for (const p of v) {
        if (p !== null && typeof p === 'object' && typeof (p as { Name?: unknown }).Name === 'string') {
          put(`Data.Parameters.${(p as { Name: string }).Name}`, (p as { Value?: unknown }).Value ?? '');
        }
      }
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) put(`Data.${k}.${k2}`, v2);
    } else put(`Data.${k}`, v);
  }
  return true;
}
