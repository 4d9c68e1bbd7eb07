// HuntEvent → EventRow: an event flattened the way the Sigma engine resolves its fields (engines/sigma/fields.ts),
// so a field a rule names reads the same value from the store as in-process.
import type { HuntEvent } from '../../event.js';
import { logsourceOf } from '../../event.js';
import { flattenWinEvent } from '../../engines/sigma/index.js';
import type { EventRow } from './schema.js';

export interface RowContext {
  readonly host: string;
  readonly collection: string;
  readonly sha256: string;
  readonly ingestId: string;
}

/** Text of a flattened value, as FieldContext.str gives it: arrays give one entry per element. */
function pushValue(keys: string[], vals: string[], k: string, v: unknown): void {
  if (v === undefined) return;
  if (v === null) {
    keys.push(k);
    vals.push('');
  } else if (typeof v === 'string') {
    keys.push(k);
    vals.push(v);
  } else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    keys.push(k);
    vals.push(String(v));
  } else if (Array.isArray(v)) {
    for (const x of v) pushValue(keys, vals, k, x);
  } else if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('#text' in o) pushValue(keys, vals, k, o['#text']);
    else {
      keys.push(k);
      vals.push(JSON.stringify(v));
    }
  }
}

/** A time as the store keeps it: seconds since the epoch, microseconds (from the text's fraction), and whether known. */
export function timeParts(iso: string | null | undefined): { t: number; us: number; has: number } {
  if (!iso) return { t: 0, us: 0, has: 0 };
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 0) return { t: 0, us: 0, has: 0 };
  const frac = /\.(\d{1,6})/.exec(iso);
  const us = frac ? Number(frac[1]!.padEnd(6, '0')) : 0;
  return { t: Math.floor(ms / 1000), us, has: 1 };
}

export function eventToRow(e: HuntEvent, ctx: RowContext): EventRow {
  const keys: string[] = [];
  const vals: string[] = [];
  const { t, us, has } = timeParts(e.time);
  const common = {
    host: ctx.host,
    collection: ctx.collection,
    path: e.ref.path,
    sha256: ctx.sha256,
    ingest_id: ctx.ingestId,
    line: e.ref.line ?? 0,
    record: e.ref.record ?? 0,
    offset: e.ref.offset ?? 0,
    kind: e.ref.kind,
    source: e.source,
    t,
    us,
    has_time: has,
    time_text: has ? (e.time ?? '') : '',
    event_host: e.host ?? '',
    keys,
    vals,
  };
  if (e.source !== 'w3c' && e.source !== 'exchange') {
    const flat = flattenWinEvent(e.data);
    for (const k in flat) pushValue(keys, vals, k, flat[k]);
    // The channel and EventID the Sigma engine places the event by (ruleset.ts eventChannel): the record's,
    // else the Channel and EventID fields (EventID only when all digits).
    const ch = e.channel ?? flat['Channel'];
    const idText = e.eventId === null ? flat['EventID'] : null;
    const id = e.eventId ?? (typeof idText === 'string' && /^\d+$/.test(idText) ? Number(idText) : typeof idText === 'number' && Number.isInteger(idText) ? idText : -1);
    return {
      ...common,
      product: 'windows',
      service: '',
      category: '',
      channel: typeof ch === 'string' ? ch : '',
      event_id: id,
      provider: e.provider ?? '',
      site: '',
      log: '',
      protocol: '',
      version: '',
    };
  }
  for (const k in e.fields) pushValue(keys, vals, k, e.fields[k]);
  const ls = logsourceOf(e);
  return {
    ...common,
    product: ls.product ?? '',
    service: ls.service ?? '',
    category: ls.category ?? '',
    channel: '',
    event_id: -1,
    provider: '',
    site: e.source === 'w3c' ? (e.site ?? '') : '',
    log: e.source === 'exchange' ? e.log : '',
    protocol: e.source === 'exchange' ? (e.protocol ?? '') : '',
    version: e.source === 'exchange' ? (e.version ?? '') : '',
  };
}
