// EVTX records as evtx_dump JSON (EvtxRecord) and as WinEvents: the synchronous per-file API that the
// reader, the worker pool and `exhunt evtx dump` share.

import type { DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { parseEvtxTrees, type EvtxTree, type ParseOptions } from './parse.js';
import { filetimeIsoParts } from './values.js';

export interface EvtxRecord {
  /** The record header's identifier (evtx_dump's "Record N"); exported logs renumber it, System.EventRecordID keeps the original. */
  recordId: number;
  /** Absolute byte offset of the record in the file. */
  offset: number;
  /** 0-based chunk slot index. */
  chunk: number;
  /** System.TimeCreated SystemTime (UTC ISO 8601, µs), else the record header's written time. */
  time: string | null;
  /** The event in the nested evtx_dump JSON shape: `{ Event: { System, EventData | UserData, ... } }`. */
  data: Record<string, unknown>;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function systemOf(data: Record<string, unknown>): Record<string, unknown> | undefined {
  return obj(obj(data['Event'])?.['System']);
}

function timeCreated(sys: Record<string, unknown> | undefined): string | null {
  const t = obj(obj(sys?.['TimeCreated'])?.['#attributes'])?.['SystemTime'];
  return typeof t === 'string' ? t : null;
}

/** Records of one file in file order; damage goes to `sink` as EVTX_* diagnostics, never as an exception. */
export function* parseEvtx(buf: Uint8Array, path: string, sink: DiagnosticSink, opts?: ParseOptions): Generator<EvtxRecord> {
  for (const t of parseEvtxTrees(buf, path, sink, opts)) yield treeToRecord(t);
}

export function treeToRecord(t: EvtxTree): EvtxRecord {
  const data = t.json();
  return { recordId: t.recordId, offset: t.offset, chunk: t.chunk, time: timeCreated(systemOf(data)) ?? t.written(), data };
}

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return null;
}

/**
 * A record as a WinEvent. `ref.record` is the record header's identifier (what evtx_dump shows as "Record N";
 * equal to System.EventRecordID except in exported/filtered logs); `ref.offset` is its byte offset in the file.
 */
export function toWinEvent(rec: EvtxRecord, path: string): WinEvent {
  const f = systemFields(systemOf(rec.data), rec.time);
  const ref = { path, record: rec.recordId, offset: rec.offset, kind: 'evtx' as const };
  return { source: 'evtx', time: f.time, host: f.host, channel: f.channel, eventId: f.eventId, provider: f.provider, data: rec.data, ref };
}

/** A WinEvent from a record's data and header (the worker transport); `lo`/`hi`: the header's written FILETIME. */
export function winEventOf(data: Record<string, unknown>, recordId: number, offset: number, lo: number, hi: number, path: string): WinEvent {
  const f = systemFields(systemOf(data), null);
  const ref = { path, record: recordId, offset, kind: 'evtx' as const };
  return { source: 'evtx', time: f.time ?? filetimeIsoParts(lo, hi), host: f.host, channel: f.channel, eventId: f.eventId, provider: f.provider, data, ref };
}

type SystemFields = Pick<WinEvent, 'time' | 'host' | 'channel' | 'eventId' | 'provider'>;

function systemFields(sys: Record<string, unknown> | undefined, fallbackTime: string | null): SystemFields {
  const eid = sys?.['EventID'];
  const eidv = obj(eid) ? obj(eid)!['#text'] : eid;
  const eventId = typeof eidv === 'number' ? eidv : typeof eidv === 'string' && /^\d+$/.test(eidv) ? Number(eidv) : null;
  const provider = str(obj(obj(sys?.['Provider'])?.['#attributes'])?.['Name']);
  return { time: timeCreated(sys) ?? fallbackTime, host: str(sys?.['Computer']), channel: str(sys?.['Channel']), eventId, provider };
}
