// One unit of work: a window of one EVTX file → its WinEvents and diagnostics. The same function runs in a
// worker thread and in-thread (fallback), so both paths produce identical results.

import type { Diagnostic } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { parseEvtxTrees } from './parse.js';
import { parseEvtx, toWinEvent, treeToPacked } from './records.js';
import { readWindowSync, type Window } from './window.js';

export interface EvtxJob {
  absPath: string;
  path: string;
  size: number;
  window: Window;
}

export interface EvtxJobResult {
  events: WinEvent[];
  diagnostics: Diagnostic[];
}

export function runJob(job: EvtxJob): EvtxJobResult {
  const diagnostics: Diagnostic[] = [];
  const events: WinEvent[] = [];
  const sink = (d: Diagnostic): void => void diagnostics.push(d);
  let buf: Uint8Array;
  try {
    buf = readWindowSync(job.absPath, job.size, job.window);
  } catch (e) {
    diagnostics.push({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path } });
    return { events, diagnostics };
  }
  const first = job.window.firstSlot;
  for (const rec of parseEvtx(buf, job.path, sink, { firstSlot: first, quietHeader: first > 0, fileSize: job.size })) {
    events.push(toWinEvent(rec, job.path));
  }
  return { events, diagnostics };
}

/**
 * A job's events packed for the trip back from a worker: the few fields every consumer reads as plain values,
 * and each event's data as one JSON string, parsed on the main thread only when something reads `data`
 * (structured-cloning the nested objects costs more than parsing them).
 */
export interface PackedJobResult {
  /** Per event: time, host, channel, eventId, provider, record, offset. */
  meta: (string | number | null)[];
  json: string[];
  diagnostics: Diagnostic[];
}

export function runJobPacked(job: EvtxJob): PackedJobResult {
  const diagnostics: Diagnostic[] = [];
  const meta: (string | number | null)[] = [];
  const json: string[] = [];
  let buf: Uint8Array;
  try {
    buf = readWindowSync(job.absPath, job.size, job.window);
  } catch (e) {
    diagnostics.push({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path } });
    return { meta, json, diagnostics };
  }
  const first = job.window.firstSlot;
  for (const t of parseEvtxTrees(buf, job.path, (d) => void diagnostics.push(d), { firstSlot: first, quietHeader: first > 0, fileSize: job.size })) {
    const p = treeToPacked(t);
    meta.push(p.time, p.host, p.channel, p.eventId, p.provider, t.recordId, t.offset);
    json.push(p.json);
  }
  return { meta, json, diagnostics };
}

/** The WinEvents of a packed result; `data` is parsed from JSON on first access, then kept. */
export function unpack(path: string, r: PackedJobResult): WinEvent[] {
  const out: WinEvent[] = [];
  for (let i = 0; i < r.json.length; i++) {
    const m = i * 7;
    const text = r.json[i]!;
    let data: Record<string, unknown> | undefined;
    const ref = { path, record: r.meta[m + 5] as number, offset: r.meta[m + 6] as number, kind: 'evtx' };
    const ev = {
      source: 'evtx',
      time: r.meta[m] as string | null,
      host: r.meta[m + 1] as string | null,
      channel: r.meta[m + 2] as string | null,
      eventId: r.meta[m + 3] as number | null,
      provider: r.meta[m + 4] as string | null,
      ref,
    } as WinEvent;
    Object.defineProperty(ev, 'data', {
      enumerable: true,
      configurable: true,
      get: () => (data ??= JSON.parse(text) as Record<string, unknown>),
      set: (v: Record<string, unknown>) => void (data = v),
    });
    out.push(ev);
  }
  return out;
}
