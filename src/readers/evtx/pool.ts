// Parallel EVTX reading: files split into chunk windows, parsed by worker threads and by this thread when it would
// wait, handed back in file order then record order. In-thread only when workers cannot load (e.g. under tsx).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Diagnostic, DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import { jobEvents, learnBuilds, runJob, runJobPacked, unpack, type EvtxJob, type PackedJobResult } from './job.js';
import { compileFlat, type FlatBuild } from './plan.js';
import { windowsOf } from './window.js';

export interface ParallelOptions {
  /**
   * Parsing threads, this one included: N > 1 starts N - 1 worker threads and this thread parses whichever job
   * it would otherwise wait for. Default: one less than the available cores (measured on the shared 2-core
   * machine, in-thread parsing costs half the CPU of a worker plus this thread). 0 or 1 parses in this thread only.
   */
  workers?: number;
  /** Chunk slots per job (default 16 = 1 MiB: smaller batches die young, and this thread can take one quickly). */
  slotsPerJob?: number;
}

function jobsOf(files: Evidence[], per: number): EvtxJob[] {
  const jobs: EvtxJob[] = [];
  for (const f of files) for (const window of windowsOf(f.size, per)) jobs.push({ absPath: f.absPath, path: f.path, size: f.size, window });
  return jobs;
}

function workerUrl(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * This thread's builder table for the jobs it packs itself: module-wide like plan.ts's numbering, which sends each
 * builder's source only once per thread.
 */
const mine: FlatBuild[] = [];

function tick(): Promise<void> {
  return new Promise((res) => setImmediate(res));
}

/** A finished job: packed by a worker (with that worker's builder table), or parsed in-thread after a failure. */
type Done = { packed: PackedJobResult; builds: FlatBuild[] } | { events: WinEvent[]; diagnostics: Diagnostic[] };

/** WinEvents of all `files` (file order, then record order); diagnostics go to `sink` in the same order. */
export async function* readEvtxParallel(files: Evidence[], sink: DiagnosticSink, opts: ParallelOptions = {}): AsyncGenerator<WinEvent> {
  const jobs = jobsOf(files, opts.slotsPerJob ?? 16);
  const want = Math.min(opts.workers ?? availableParallelism() - 1, jobs.length);
  const url = want > 1 ? workerUrl() : undefined;
  if (!url) {
    for (const job of jobs) yield* jobEvents(job, sink);
    return;
  }
  const results = new Map<number, Done>();
  const waiters = new Map<number, () => void>();
  const workers: Worker[] = [];
  let next = 0;
  let failure: unknown;
  const lookahead = want * 4;
  let consumed = 0;
  const inflight = new Map<Worker, number>();
  // Each worker keeps three jobs queued, so it does not wait while this thread is busy with a job of its own.
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
    // This thread is one of the `want` parsers: it takes the next job whenever the one it must yield is not ready.
    for (let i = 0; i < want - 1; i++) {
      const w = new Worker(url);
      // Builders arrive with the first result that uses them; each worker numbers its own.
      const builds: FlatBuild[] = [];
      w.on('message', (m: { id: number; result: PackedJobResult }) => {
        learnBuilds(m.result, builds, compileFlat);
        results.set(m.id, { packed: m.result, builds });
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
        if (next < jobs.length && next < consumed + lookahead) {
          const k = next++;
          const packed = runJobPacked(jobs[k]!);
          learnBuilds(packed, mine, compileFlat);
          results.set(k, { packed, builds: mine });
          await tick(); // let finished workers' messages in before choosing again
          r = results.get(id);
          continue;
        }
        await new Promise<void>((res) => waiters.set(id, res));
        r = results.get(id);
      }
      results.delete(id);
      consumed = id + 1;
      for (const w of workers) dispatch(w);
      if ('packed' in r) {
        for (const d of r.packed.diagnostics) sink(d);
        yield* unpack(jobs[id]!.path, r.packed, r.builds);
      } else {
        for (const d of r.diagnostics) sink(d);
        yield* r.events;
      }
      // A consumer that never awaits anything pending would otherwise starve the workers of their next jobs.
      await tick();
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
