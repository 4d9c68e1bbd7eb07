// One unit of work: a window of one EVTX file → its WinEvents and diagnostics, streamed in this thread or packed
// in a worker thread (values as flat scalars for compiled builders, JSON text otherwise) and unpacked one by one.

import type { Diagnostic, DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import type { Scalar } from './ir.js';
import { parseEvtxTrees } from './parse.js';
import type { FlatBuild } from './plan.js';
import { toWinEvent, treeToRecord, winEventOf } from './records.js';
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

function read(job: EvtxJob, sink: DiagnosticSink): Uint8Array | undefined {
  try {
    return readWindowSync(job.absPath, job.size, job.window);
  } catch (e) {
    sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path } });
    return undefined;
  }
}

/** The job's WinEvents in record order, each made as it is asked for; diagnostics go to `sink` as they arise. */
export function* jobEvents(job: EvtxJob, sink: DiagnosticSink): Generator<WinEvent> {
  const buf = read(job, sink);
  if (buf === undefined) return;
  const first = job.window.firstSlot;
  for (const t of parseEvtxTrees(buf, job.path, sink, { firstSlot: first, quietHeader: first > 0, fileSize: job.size })) {
    yield toWinEvent(treeToRecord(t), job.path);
  }
}

export function runJob(job: EvtxJob): EvtxJobResult {
  const diagnostics: Diagnostic[] = [];
  const events = [...jobEvents(job, (d) => void diagnostics.push(d))];
  return { events, diagnostics };
}

/** Numbers per record in PackedJobResult.meta. */
const META = 6;

/**
 * A job's records packed for the trip back from a worker. Per record, in `meta`: record id, byte offset, builder id
 * (-1: the data is the next string of `json`), start of its values in `vals`, written FILETIME low and high halves.
 * `sources` holds [id, source] of builders this worker has not sent before (plan.ts compileFlat).
 */
export interface PackedJobResult {
  meta: number[];
  vals: Scalar[];
  json: string[];
  sources: (number | string)[];
  diagnostics: Diagnostic[];
}

export function runJobPacked(job: EvtxJob): PackedJobResult {
  const r: PackedJobResult = { meta: [], vals: [], json: [], sources: [], diagnostics: [] };
  const sink = (d: Diagnostic): void => void r.diagnostics.push(d);
  const buf = read(job, sink);
  if (buf === undefined) return r;
  const first = job.window.firstSlot;
  const { meta, vals, json, sources } = r;
  for (const t of parseEvtxTrees(buf, job.path, sink, { firstSlot: first, quietHeader: first > 0, fileSize: job.size })) {
    const start = vals.length;
    try {
      const id = t.packFlat(vals, sources);
      if (id < 0) json.push(JSON.stringify(t.json()));
      meta.push(t.recordId, t.offset, id, start);
      t.writtenHalves(meta);
    } catch (e) {
      // One record must not cost the job (nor a builder source other records of this worker rely on).
      vals.length = start;
      sink({ code: 'EVTX_BAD_BINXML', severity: 'error', message: `internal error while rendering: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path, chunk: t.chunk, offset: t.offset, record: t.recordId } });
    }
  }
  return r;
}

/** Number of records in a packed result. */
export function packedCount(r: PackedJobResult): number {
  return r.meta.length / META;
}

/** Compile the builders a packed result introduces into `builds` (the sending worker's table). */
export function learnBuilds(r: PackedJobResult, builds: FlatBuild[], compile: (source: string) => FlatBuild): void {
  for (let i = 0; i < r.sources.length; i += 2) builds[r.sources[i] as number] = compile(r.sources[i + 1] as string);
}

/** The packed result's WinEvents, each built when it is asked for (file order, then record order). */
export function* unpack(path: string, r: PackedJobResult, builds: readonly FlatBuild[]): Generator<WinEvent> {
  const { meta, vals, json } = r;
  let j = 0;
  for (let m = 0; m < meta.length; m += META) {
    const id = meta[m + 2]!;
    const data = id >= 0 ? builds[id]!(vals, meta[m + 3]!) : (JSON.parse(json[j++]!) as Record<string, unknown>);
    yield winEventOf(data, meta[m]!, meta[m + 1]!, meta[m + 4]!, meta[m + 5]!, path);
  }
}
