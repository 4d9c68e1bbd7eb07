// A stored event row read back: its fields as the Sigma engine resolved them, its evidence reference, and a
// HuntEvent rebuilt from it for the rules that stay in-process (the fields it was flattened to, as EventData).
import type { EvidenceRef, HuntEvent } from '../../event.js';

/** The columns a finding (and a correlation's record) is made of: what the retro-hunt reads of each event an SQL rule matched. */
export interface MatchedEvent {
  host: string;
  path: string;
  line: number | string;
  record: number | string;
  offset: number | string;
  kind: string;
  /** Seconds since the epoch (toUInt32(t): a DateTime's JSON text differs between versions). */
  ts: number | string;
  us: number | string;
  has_time: number | string;
  /** The event's time exactly as the reader gave it ('' when none). */
  time_text: string;
  /** Field names (shared and frozen between rows where the store's decoder found them repeated). */
  keys: readonly string[];
  vals: readonly string[];
}

/** A stored event read back whole: what the in-process rules match (huntEventOf) besides what a finding needs. */
export interface StoredEvent extends MatchedEvent {
  source: string;
  channel: string;
  event_id: number | string;
  provider: string;
  site: string;
  log: string;
  protocol: string;
  version: string;
  event_host: string;
}

/**
 * The select list of MatchedEvent (t as seconds since the epoch on every ClickHouse version): the passes of the SQL
 * rules read no more of an event than its findings need (not its logsource columns, which only an in-process rule
 * reads: 9 strings fewer a row to send and decode).
 */
export const MATCHED_EVENT_COLUMNS = 'host, path, line, record, offset, kind, toUInt32(t) AS ts, us, has_time, time_text, keys, vals';

/** The same columns by name, for a SELECT over a subquery of MATCHED_EVENT_COLUMNS. */
export const MATCHED_COLUMN_NAMES = 'host, path, line, record, offset, kind, ts, us, has_time, time_text, keys, vals';

/** The select list of StoredEvent (t as seconds since the epoch on every ClickHouse version). */
export const STORED_EVENT_COLUMNS =
  'host, path, line, record, offset, kind, source, channel, event_id, provider, site, log, protocol, version, toUInt32(t) AS ts, us, has_time, time_text, event_host, keys, vals';

/** The same columns by name, for a SELECT over a subquery of STORED_EVENT_COLUMNS. */
export const STORED_COLUMN_NAMES = 'host, path, line, record, offset, kind, source, channel, event_id, provider, site, log, protocol, version, ts, us, has_time, time_text, event_host, keys, vals';

export function evidenceOf(r: MatchedEvent): EvidenceRef {
  const ref: EvidenceRef = { path: r.path, kind: r.kind };
  if (Number(r.line) > 0) ref.line = Number(r.line);
  if (Number(r.record) > 0) ref.record = Number(r.record);
  if (Number(r.offset) > 0) ref.offset = Number(r.offset);
  return ref;
}

/**
 * The event's time as the reader gave it (so a stored finding's time reads as the scan's does); rebuilt as UTC ISO
 * 8601 with microseconds from the stored seconds + microseconds where the text is missing.
 */
export function timeOf(r: MatchedEvent): string | null {
  if (Number(r.has_time) !== 1) return null;
  if (typeof r.time_text === 'string' && r.time_text !== '') return r.time_text;
  return `${isoSeconds(Number(r.ts))}.${String(r.us).padStart(6, '0')}Z`;
}

let isoDay = NaN;
let isoDayText = '';
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * `new Date(ts * 1000).toISOString().slice(0, 19)` for a stored time (UInt32 seconds): the date from Date once per
 * day (a pass reads its events in time order), the time of day by arithmetic (UTC days are 86,400 s in JavaScript).
 */
export function isoSeconds(ts: number): string {
  const day = Math.floor(ts / 86_400);
  if (day !== isoDay) [isoDay, isoDayText] = [day, new Date(day * 86_400_000).toISOString().slice(0, 11)];
  const s = ts - day * 86_400;
  return `${isoDayText}${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** Milliseconds since the epoch, as Date.parse reads the reader's time (correlation windows). */
export function msOf(r: MatchedEvent): number {
  return Number(r.ts) * 1000 + Math.floor(Number(r.us) / 1000);
}

const flatOf = new WeakMap<MatchedEvent, Record<string, unknown>>();

/**
 * The flattened fields: a field named more than once (a multi-valued one) becomes an array. Made once per row:
 * the findings of one event share them, as the in-process engine's do (EventFields.flat()).
 */
export function fieldsOf(r: MatchedEvent): Record<string, unknown> {
  let out = flatOf.get(r);
  if (out === undefined) flatOf.set(r, (out = flatten(r)));
  return out;
}

function flatten(r: MatchedEvent): Record<string, unknown> {
  let make = shapes.get(r.keys);
  if (make === undefined && Object.isFrozen(r.keys)) shapes.set(r.keys, (make = shapeOf(r.keys)));
  return make ? make(r.vals) : flattenEach(r.keys, r.vals);
}

function flattenEach(keys: readonly string[], vals: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = vals[i]!;
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/**
 * The flattening of one list of field names, made once and shared by the rows that have that list (the decoder's
 * frozen arrays, native.ts): an object literal with every name in place, which V8 builds in one step where
 * adding ~40 properties one by one cost more than decoding the row (10 M bench events: 2.3 of the hunt's main-thread
 * seconds). flattenEach's result exactly: first-named order, a repeated name's values as an array. A list naming
 * what every object has (__proto__, toString, …) keeps flattenEach, whose assignments treat those otherwise.
 */
const shapes = new WeakMap<readonly string[], ((vals: readonly string[]) => Record<string, unknown>) | null>();

function shapeOf(keys: readonly string[]): ((vals: readonly string[]) => Record<string, unknown>) | null {
  if (keys.some((k) => k in Object.prototype)) return null;
  const at = new Map<string, number[]>();
  keys.forEach((k, i) => (at.get(k) ?? at.set(k, []).get(k)!).push(i));
  const props = [...at].map(([k, is]) => `${JSON.stringify(k)}: ${is.length === 1 ? `v[${is[0]!}]` : `[${is.map((i) => `v[${i}]`).join(', ')}]`}`);
  return new Function('v', `return { ${props.join(', ')} };`) as (vals: readonly string[]) => Record<string, unknown>;
}

/** ctx.str(field) as the correlation engine reads a group-by or value field: absent → null, many → joined with ','. */
export function fieldText(r: MatchedEvent, field: string): string | null {
  let out: string | null = null;
  for (let i = 0; i < r.keys.length; i++) if (r.keys[i] === field) out = out === null ? r.vals[i]! : `${out},${r.vals[i]!}`;
  return out;
}

/** The event rebuilt for in-process matching: Windows fields as EventData, others as the reader's fields. */
export function huntEventOf(r: StoredEvent): HuntEvent {
  const common = { time: timeOf(r), host: r.event_host || null, ref: evidenceOf(r) };
  if (r.source === 'w3c') return { ...common, source: 'w3c', site: r.site || null, fields: fieldsOf(r) as Record<string, string> };
  if (r.source === 'exchange')
    return { ...common, source: 'exchange', log: r.log, protocol: r.protocol || null, version: r.version || null, fields: fieldsOf(r) as Record<string, string> };
  const id = Number(r.event_id);
  return {
    ...common,
    source: r.source === 'json' ? 'json' : 'evtx',
    channel: r.channel || null,
    eventId: id >= 0 ? id : null,
    provider: r.provider || null,
    data: { Event: { EventData: fieldsOf(r) } },
  };
}
