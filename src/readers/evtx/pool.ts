// Parallel EVTX reading: files split into chunk windows parsed by worker threads, whose events this thread builds
// from the transferred bytes, in file order then record order. In-thread only when workers cannot load (under tsx).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic, DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import { jobEvents, learnBuilds, runJob, unpack, type EvtxJob, type PackedJobResult } from './job.js';
import { compileFlat, type FlatBuild } from './plan.js';
import { windowsOf } from './window.js';

export interface ParallelOptions {
  /**
   * Threads, this one included: N > 1 starts N - 1 worker threads that parse (structure, templates, plans) while
   * this thread decodes the values and builds the events; the two halves cost about the same, so the default is
   * the available cores (2 on a 2-core machine). 0 or 1 parses in this thread only.
   */
  workers?: number;
  /** Chunk slots per job (default 16 = 1 MiB: bytes in flight stay small, and a job's objects die young). */
  slotsPerJob?: number;
}

/** The jobs that cover `files`: one per window of `per` chunk slots (file order, then window order). */
export function jobsOf(files: Evidence[], per: number): EvtxJob[] {
  const jobs: EvtxJob[] = [];
  for (const f of files) for (const window of windowsOf(f.size, per)) jobs.push({ absPath: f.absPath, path: f.path, size: f.size, window });
  return jobs;
}

function workerUrl(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

function tick(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}

/** A finished job: packed by a worker (with that worker's builder table), or parsed in-thread after a failure. */
type Done = { packed: PackedJobResult; builds: FlatBuild[]; from: Worker } | { events: WinEvent[]; diagnostics: Diagnostic[] };

/**
 * WinEvents of all `files` (file order, then record order); diagnostics go to `sink` in the same order. Iterated
 * with `for await`; an early `break` stops the workers.
 */
export function readEvtxParallel(files: Evidence[], sink: DiagnosticSink, opts: ParallelOptions = {}): AsyncIterableIterator<WinEvent> {
  return flatten(jobBatches(files, sink, opts));
}

/**
 * The events of each job's iterator in turn, without an async-generator step per event (resuming one costs about
 * 0.6 µs; an event taken from the current job's iterator costs one resolved promise, about 0.25 µs). The next job
 * is asked for only once the current one is drained, so diagnostics keep their order among the events.
 */
function flatten(batches: AsyncGenerator<IterableIterator<WinEvent>>): AsyncIterableIterator<WinEvent> {
  let cur: Iterator<WinEvent> | undefined;
  const done: IteratorReturnResult<undefined> = { value: undefined, done: true };
  const it: AsyncIterableIterator<WinEvent> = {
    [Symbol.asyncIterator]: () => it,
    next(): Promise<IteratorResult<WinEvent>> {
      try {
        while (cur !== undefined) {
          const r = cur.next();
          if (!r.done) return Promise.resolve(r);
          cur = undefined;
        }
      } catch (e) {
        cur = undefined;
        return batches.return(undefined).then(() => Promise.reject(e));
      }
      return batches.next().then((b): Promise<IteratorResult<WinEvent>> | IteratorResult<WinEvent> => {
        if (b.done) return done;
        cur = b.value;
        return it.next();
      });
    },
    async return(): Promise<IteratorResult<WinEvent>> {
      cur = undefined;
      await batches.return(undefined);
      return done;
    },
  };
  return it;
}

/**
 * readEvtxParallel by batches (a job's events, up to 1 MiB of records): for a consumer that takes each batch with a
 * plain `for…of` (no promise per event). Drain each batch before asking for the next: its events are built, and
 * diagnostics given to `sink`, as it is iterated.
 */
export function readEvtxBatches(files: Evidence[], sink: DiagnosticSink, opts: ParallelOptions = {}): AsyncGenerator<IterableIterator<WinEvent>> {
  return jobBatches(files, sink, opts);
}

/** Each job's events as an iterator, in job order; diagnostics of packed jobs go to `sink` before their events. */
async function* jobBatches(files: Evidence[], sink: DiagnosticSink, opts: ParallelOptions): AsyncGenerator<IterableIterator<WinEvent>> {
  const jobs = jobsOf(files, opts.slotsPerJob ?? 16);
  const want = Math.min(opts.workers ?? availableParallelism(), jobs.length);
  const url = want > 1 ? workerUrl() : undefined;
  if (!url) {
    for (const job of jobs) yield jobEvents(job, sink);
    return;
  }
  const results = new Map<number, Done>();
  const waiters = new Map<number, () => void>();
  const workers: Worker[] = [];
  let next = 0;
  let failure: unknown;
  // Jobs dispatched ahead of the one this thread is building: bounds the bytes in flight (1 MiB a job).
  const lookahead = want * 4;
  let consumed = 0;
  const inflight = new Map<Worker, number>();
  // Each worker keeps three jobs queued, so it never waits for this thread to ask.
  const dispatch = (w: Worker): void => {
    while ((inflight.get(w) ?? 0) < 3 && next < jobs.length && next < consumed + lookahead) {
      const id = next++;
      inflight.set(w, (inflight.get(w) ?? 0) + 1);
      w.postMessage({ id, job: jobs[id] });
    }
  };
  const wake = (id: number): void => {
    const f = waiters.get(id);
    if (f) {
      waiters.delete(id);
      f();
    }
  };
  try {
    for (let i = 0; i < want - 1; i++) {
      const w = new Worker(url);
      // Builders arrive with the first result that uses them; each worker numbers its own.
      const builds: FlatBuild[] = [];
      w.on('message', (m: { id: number; result: PackedJobResult }) => {
        learnBuilds(m.result, builds, compileFlat);
        results.set(m.id, { packed: m.result, builds, from: w });
        inflight.set(w, inflight.get(w)! - 1);
        dispatch(w);
        wake(m.id);
      });
      w.on('error', (e) => {
        failure = e;
        for (const id of [...waiters.keys()]) wake(id);
      });
      workers.push(w);
      dispatch(w);
    }
    for (let id = 0; id < jobs.length; id++) {
      let r = results.get(id);
      while (!r) {
        if (failure) {
          // A crashed worker must not lose evidence: finish this job (and later ones) in-thread.
          r = runJob(jobs[id]!);
          break;
        }
        await new Promise<void>((res) => waiters.set(id, res));
        r = results.get(id);
      }
      results.delete(id);
      consumed = id + 1;
      for (const w of workers) dispatch(w);
      if ('packed' in r) {
        for (const d of r.packed.diagnostics) sink(d);
        yield unpack(jobs[id]!.path, r.packed, r.builds);
        // Drained (flatten and readEvtxBatches's contract): the events hold nothing of the bytes, so they go back.
        const bytes = r.packed.bytes.buffer;
        if (bytes instanceof ArrayBuffer && bytes.byteLength >= 65536 && !failure) r.from.postMessage({ recycle: bytes }, [bytes]);
      } else {
        for (const d of r.diagnostics) sink(d);
        yield r.events[Symbol.iterator]();
      }
      // A consumer that never awaits anything pending would otherwise starve the workers of their next jobs.
      await tick();
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
