// One unit of work: a window of one EVTX file → its WinEvents and diagnostics. The same function runs in a
// worker thread and in-thread (fallback), so both paths produce identical results.

import type { Diagnostic } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { parseEvtx, toWinEvent } from './records.js';
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
