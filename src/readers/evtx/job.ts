// One unit of work: a window of one EVTX file → its WinEvents and diagnostics, streamed in this thread or packed
// in a worker thread (the window's bytes plus where each value lies in them) and unpacked one by one.

import type { Diagnostic, DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import { VT, type Scalar } from './ir.js';
import { decodeUtf16, isJsonNumeric, scalarAt, stringIn } from './values.js';
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

function read(job: EvtxJob, sink: DiagnosticSink, spare?: ArrayBuffer): Uint8Array | undefined {
  try {
    return readWindowSync(job.absPath, job.size, job.window, spare);
  } catch (e) {
    sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path } });
    return undefined;
  }
}

/** A drained in-thread job's buffer, for the next one to read into (see readWindowSync's `spare`). */
let spare: ArrayBuffer | undefined;

/** The job's WinEvents in record order, each made as it is asked for; diagnostics go to `sink` as they arise. */
export function* jobEvents(job: EvtxJob, sink: DiagnosticSink): Generator<WinEvent> {
  const mine = spare;
  spare = undefined; // a job left half-read never shares its buffer
  const buf = read(job, sink, mine);
  if (buf === undefined) return;
  const first = job.window.firstSlot;
  for (const t of parseEvtxTrees(buf, job.path, sink, { firstSlot: first, quietHeader: first > 0, fileSize: job.size })) {
    yield toWinEvent(treeToRecord(t), job.path);
  }
  // Events hold strings and objects only, nothing of the bytes.
  if (buf.buffer instanceof ArrayBuffer && buf.byteLength >= 65536) spare = buf.buffer;
}

export function runJob(job: EvtxJob): EvtxJobResult {
  const diagnostics: Diagnostic[] = [];
  const events = [...jobEvents(job, (d) => void diagnostics.push(d))];
  return { events, diagnostics };
}

/** Numbers per record in PackedJobResult.meta. */
const META = 6;

/**
 * A job's records packed for the trip back from a worker: the window's bytes themselves (transferred, not copied)
 * and where in them each value lies, so the receiving thread makes every string once, straight from the bytes,
 * when the event is asked for (nothing is built twice, nothing piles up on either heap while a job waits).
 * Per record, in `meta`: record id, byte offset, builder id (-1: the data is the next string of `json`), index of
 * its first value in `locs`, written FILETIME low and high halves. Per value, in `locs`: offset in `bytes` (integers
 * and booleans: the value itself), then type << 16 | size. `sources` holds [id, source] of builders this worker has not sent before (plan.ts compileFlat).
 */
export interface PackedJobResult {
  bytes: Uint8Array;
  meta: Float64Array;
  locs: Float64Array;
  json: string[];
  sources: (number | string)[];
  diagnostics: Diagnostic[];
}

/** The buffers postMessage can move instead of copying. */
export function transferables(r: PackedJobResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const a of [r.bytes, r.meta, r.locs]) if (a.buffer instanceof ArrayBuffer && !out.includes(a.buffer)) out.push(a.buffer);
  return out;
}

export function emptyPacked(diagnostics: Diagnostic[]): PackedJobResult {
  return { bytes: new Uint8Array(0), meta: new Float64Array(0), locs: new Float64Array(0), json: [], sources: [], diagnostics };
}

/** The job packed; `spare`: a buffer the receiving thread gave back, to read the window into. */
export function runJobPacked(job: EvtxJob, spare?: ArrayBuffer): PackedJobResult {
  const diagnostics: Diagnostic[] = [];
  const sink = (d: Diagnostic): void => void diagnostics.push(d);
  const buf = read(job, sink, spare);
  if (buf === undefined) return emptyPacked(diagnostics);
  let meta = new Float64Array(META * 1024);
  let locs = new Float64Array(2 * 32 * 1024);
  let nm = 0;
  let nl = 0;
  const json: string[] = [];
  const sources: (number | string)[] = [];
  const out = (at: number, size: number, type: number): void => {
    if (nl + 2 > locs.length) {
      const bigger = new Float64Array(locs.length * 2);
      bigger.set(locs);
      locs = bigger;
    }
    locs[nl++] = at;
    locs[nl++] = (type << 16) | size;
  };
  const first = job.window.firstSlot;
  for (const t of parseEvtxTrees(buf, job.path, sink, { firstSlot: first, quietHeader: first > 0, fileSize: job.size, keepLocs: true })) {
    const start = nl;
    try {
      const id = t.packLocs(out, sources);
      if (id < 0) {
        nl = start;
        json.push(JSON.stringify(t.json()));
      }
      if (nm + META > meta.length) {
        const bigger = new Float64Array(meta.length * 2);
        bigger.set(meta);
        meta = bigger;
      }
      meta[nm] = t.recordId;
      meta[nm + 1] = t.offset;
      meta[nm + 2] = id;
      meta[nm + 3] = start >> 1;
      t.writtenHalves(meta, nm + 4);
      nm += META;
    } catch (e) {
      // One record must not cost the job (nor a builder source other records of this worker rely on).
      nl = start;
      sink({ code: 'EVTX_BAD_BINXML', severity: 'error', message: `internal error while rendering: ${e instanceof Error ? e.message : String(e)}`, location: { path: job.path, chunk: t.chunk, offset: t.offset, record: t.recordId } });
    }
  }
  return { bytes: buf, meta: meta.subarray(0, nm), locs: locs.subarray(0, nl), json, sources, diagnostics };
}

/** Number of records in a packed result. */
export function packedCount(r: PackedJobResult): number {
  return r.meta.length / META;
}

/** Compile the builders a packed result introduces into `builds` (the sending worker's table). */
export function learnBuilds(r: PackedJobResult, builds: FlatBuild[], compile: (source: string) => FlatBuild): void {
  for (let i = 0; i < r.sources.length; i += 2) builds[r.sources[i] as number] = compile(r.sources[i + 1] as string);
}

/** The packed result's WinEvents, each built from the bytes when it is asked for (file order, then record order). */
export function* unpack(path: string, r: PackedJobResult, builds: readonly FlatBuild[]): Generator<WinEvent> {
  const { bytes, meta, locs, json } = r;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const x: Scalar[] = [];
  const values = locs.length >> 1;
  let j = 0;
  for (let m = 0; m < meta.length; m += META) {
    const id = meta[m + 2]!;
    let data: Record<string, unknown>;
    if (id >= 0) {
      const from = meta[m + 3]!;
      const to = m + META < meta.length ? meta[m + META + 3]! : values;
      // The record's strings lie in one stretch of its bytes: decoded by one native call, each value is then a
      // substring of that text (no native call each; a long one shares the text's memory).
      let lo = Infinity;
      let hi = -1;
      let strings = 0;
      for (let i = from; i < to; i++) {
        if (locs[2 * i + 1]! >>> 16 !== VT.STRING) continue;
        const at = locs[2 * i]!;
        const end = at + (locs[2 * i + 1]! & 0xffff);
        if (at < lo) lo = at;
        if (end > hi) hi = end;
        strings++;
      }
      const text = strings >= 2 ? decodeUtf16(bytes, lo, (hi - lo) >> 1) : '';
      for (let i = from, k = 0; i < to; i++, k++) {
        const tz = locs[2 * i + 1]!;
        const type = tz >>> 16;
        const at = locs[2 * i]!;
        if (type === VT.STRING && strings >= 2 && ((at - lo) & 1) === 0) x[k] = stringIn(text, (at - lo) >> 1, bytes, at, tz & 0xffff);
        else x[k] = isJsonNumeric(type) ? (type === VT.BOOL ? at !== 0 : at) : scalarAt(bytes, dv, at, tz & 0xffff, type);
      }
      data = builds[id]!(x, 0);
    } else data = JSON.parse(json[j++]!) as Record<string, unknown>;
    yield winEventOf(data, meta[m]!, meta[m + 1]!, meta[m + 4]!, meta[m + 5]!, path);
  }
}
