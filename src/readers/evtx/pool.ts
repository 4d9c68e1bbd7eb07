// Parallel EVTX reading: files split into chunk windows, parsed by a pool of worker threads, results handed
// back in file order then record order. Falls back to in-thread parsing when workers cannot load (e.g. tsx).

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DiagnosticSink } from '../../diagnostics.js';
import type { WinEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import { runJob, unpack, type EvtxJob, type EvtxJobResult, type PackedJobResult } from './job.js';
import { windowsOf } from './window.js';

export interface ParallelOptions {
  /**
   * Worker threads. Default: one less than the available cores (the main thread needs a core to consume the
   * events), so a 2-core machine parses in-thread. 0 or 1 parses in this thread.
   */
  workers?: number;
  /** Chunk slots per job (default 64 = 4 MiB). */
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

/** WinEvents of all `files` (file order, then record order); diagnostics go to `sink` in the same order. */
export async function* readEvtxParallel(files: Evidence[], sink: DiagnosticSink, opts: ParallelOptions = {}): AsyncGenerator<WinEvent> {
  const jobs = jobsOf(files, opts.slotsPerJob ?? 64);
  const want = Math.min(opts.workers ?? availableParallelism() - 1, jobs.length);
  const url = want > 1 ? workerUrl() : undefined;
  if (!url) {
    for (const job of jobs) {
      const r = runJob(job);
      for (const d of r.diagnostics) sink(d);
      yield* r.events;
    }
    return;
  }
  const results = new Map<number, EvtxJobResult>();
  const waiters = new Map<number, () => void>();
  const workers: Worker[] = [];
  let next = 0;
  let failure: unknown;
  const lookahead = want * 3;
  let consumed = 0;
  const idle: Worker[] = [];
  const dispatch = (w: Worker): void => {
    if (next >= jobs.length || next >= consumed + lookahead) {
      idle.push(w);
      return;
    }
    const id = next++;
    w.postMessage({ id, job: jobs[id] });
  };
  const wake = (id: number): void => {
    const f = waiters.get(id);
    if (f) {
      waiters.delete(id);
      f();
    }
  };
  try {
    for (let i = 0; i < want; i++) {
      const w = new Worker(url);
      w.on('message', (m: { id: number; result: PackedJobResult }) => {
        results.set(m.id, { events: unpack(jobs[m.id]!.path, m.result), diagnostics: m.result.diagnostics });
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
      while (idle.length > 0 && next < jobs.length && next < consumed + lookahead) dispatch(idle.pop()!);
      for (const d of r.diagnostics) sink(d);
      yield* r.events;
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
