// Scan jobs on worker threads: each worker loads the rules as soon as it starts (while the main thread scans the
// files), runs the jobs it is given, and the results come back in job order, with a bounded number in flight.
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SigmaRuleSet } from '../engines/sigma/index.js';
import type { RuleSpec } from './rules.js';
import { createShareRunner, type ShareContext, type ShareResult } from './run-share.js';
import type { ShareJob } from './share.js';
import type { RevisitHit } from '../engines/activity/index.js';
import { createRevisitRunner, type Attackers } from './revisit.js';

/** How long a worker took to have its rules ready (wall and CPU milliseconds), and its memory (MB). */
export interface WorkerStartup {
  ms: number;
  cpuMs: number;
  /** Its heap (V8, as committed, plus external buffers) once the rules were ready... */
  heapMb: number;
  /** ...and the most it was at the end of a job. */
  peakHeapMb: number;
  jobs: number;
}

function workerUrl(): URL | undefined {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * A worker's heap, bounded. Unbounded, V8 lets a matching thread's heap grow to ~300 MB of mostly garbage (764 MB
 * peak RSS for 2 workers on 100 MB of EVTX with all SigmaHQ rules; 465–473 MB bounded). The young generation is
 * kept at 16 MB (48 MB used the same CPU there and 50 MB more RSS; 32 MB with reused record buffers: 20 against
 * 50 old-generation collections on 404 MB of EVTX, ~1 CPU-s, +65 MB RSS). The old generation's bound is a ceiling
 * against a runaway, not a working size: V8 lets a heap grow between collections by a factor that it lowers with
 * the bound (about 1.3 under 256 MB), and at the 200–290 MB the rules needed, the old generation was collected
 * over and over at half its bound — one 1 GB IIS scan in two spent 157 collections and 44.7 CPU-s where the other
 * spent 10 and 22.9; at 512 MB, 39–42 every time; at 1 GB, 8–11 (bench:scale, session 9). Peak RSS stays where it
 * was (EVTX 404 MB, 2 workers: 442 MB). A worker past it fails, and its jobs run on the main thread
 * (SharePool.scan): slower, never lost.
 */
export function workerHeapLimits(rules: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: Math.max(1024, Math.ceil(128 + 64 + rules * 0.03)) };
}

/**
 * Young-generation collections (scavenges) without V8's helper threads, for this process from now on (a V8 flag,
 * read at every scavenge, so the workers started after it and the merge's threads have it too). A worker's young
 * generation is kept small (workerHeapLimits), so it is collected every 10–20 ms for a millisecond or two: split
 * over helper tasks, each collection spent more CPU than alone (a worker allocating small objects, 16 MB young
 * generation: 2.9 ms on the thread + 4.2 in helpers against 3.4 alone), and where every core already runs a
 * worker the thread waited for its helpers to be scheduled. exhunt scan on 404 MB of EVTX, all SigmaHQ rules, in
 * turns (session 15, this 2-core VM): two workers 40.0 / 39.4 / 41.0 / 41.2 s -> 36.4 / 37.7 / 33.3 / 34.3 s,
 * one worker 57.6 / 56.7 -> 54.2 / 51.3 s, less CPU and memory both ways. Nothing else about collection changes
 * (old-generation marking stays concurrent).
 */
export function singleThreadedScavenges(): void {
  setFlagsFromString('--no-parallel-scavenge');
}

type JobReply = { id: number; result: unknown; heapMb: number } | { id: number; error: string };
type Reply = JobReply | { ready: Omit<WorkerStartup, 'peakHeapMb' | 'jobs'> } | { failed: string };

export class SharePool {
  private readonly stats = new Map<Worker, WorkerStartup>();
  private readonly workers: Worker[] = [];
  private failure: unknown = null;
  /** The context the workers were last given. */
  private context: ShareContext | null = null;
  private onReply: (w: Worker, m: JobReply) => void = () => {};
  private onFailure: () => void = () => {};

  private constructor(url: URL, n: number, rules: RuleSpec) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(url, { workerData: { rules }, resourceLimits: workerHeapLimits(rules.rules.length) });
      w.on('message', (m: Reply) => {
        if ('ready' in m) this.stats.set(w, { ...m.ready, peakHeapMb: m.ready.heapMb, jobs: 0 });
        else if ('failed' in m) this.fail(new Error(m.failed));
        else {
          const s = this.stats.get(w);
          if (s && 'heapMb' in m) {
            s.jobs++;
            s.peakHeapMb = Math.max(s.peakHeapMb, m.heapMb);
          }
          this.onReply(w, m);
        }
      });
      w.on('error', (e) => this.fail(e));
      // Idle workers must not keep the process alive (a scan that fails before its logs are read); scan() holds them.
      w.unref();
      this.workers.push(w);
    }
  }

  /** Each worker that got its rules: startup and memory (in the order the workers were started). */
  get startup(): WorkerStartup[] {
    return this.workers.flatMap((w) => this.stats.get(w) ?? []);
  }

  /**
   * Starts `n` workers with the rule set's data; null when n < 1, no data, or workers cannot load (run under tsx).
   * One worker too: the main thread's heap cannot be bounded from inside (resourceLimits are for workers only),
   * and matching in it left a heap of 200-450 MB, mostly garbage, that the final merge then grew on.
   */
  static start(n: number, rules: RuleSpec | null): SharePool | null {
    const url = n > 0 && rules !== null ? workerUrl() : undefined;
    if (!url || rules === null) return null;
    singleThreadedScavenges();
    return new SharePool(url, n, rules);
  }

  private fail(e: unknown): void {
    this.failure ??= e;
    this.onFailure();
  }

  /**
   * The results of `jobs`, in job order. `fallback` (the main thread's rule set) runs any job a worker could not:
   * a crashed worker must not lose evidence.
   */
  scan(jobs: readonly ShareJob[], ctx: ShareContext, fallback: SigmaRuleSet): AsyncGenerator<ShareResult> {
    return this.run<ShareResult>(jobs, ctx, null, () => createShareRunner(fallback, ctx));
  }

  /** The second read of `jobs` (after scan(), same context): the attackers' requests in each, in job order. */
  revisit(jobs: readonly ShareJob[], ctx: ShareContext, who: Attackers): AsyncGenerator<RevisitHit[]> {
    return this.run<RevisitHit[]>(jobs, ctx, who, () => {
      const run = createRevisitRunner(ctx);
      return (job) => run(job, who);
    });
  }

  private async *run<R>(jobs: readonly ShareJob[], ctx: ShareContext, who: Attackers | null, fallback: () => (job: ShareJob) => Promise<R>): AsyncGenerator<R> {
    const results = new Map<number, R>();
    const inflight = new Map<Worker, number>();
    let wake: (() => void) | null = null;
    const poke = (): void => {
      const f = wake;
      wake = null;
      f?.();
    };
    let next = 0;
    let consumed = 0;
    // Results waiting to be merged stay few: each worker holds two jobs, and none runs far ahead of the merge.
    const lookahead = this.workers.length * 4;
    const dispatch = (w: Worker): void => {
      while (this.failure === null && (inflight.get(w) ?? 0) < 2 && next < jobs.length && next < consumed + lookahead) {
        const id = next++;
        inflight.set(w, (inflight.get(w) ?? 0) + 1);
        w.postMessage({ id, job: jobs[id], who });
      }
    };
    const errors = new Map<number, string>();
    this.onReply = (w, m) => {
      inflight.set(w, inflight.get(w)! - 1);
      if ('result' in m) results.set(m.id, m.result as R);
      else errors.set(m.id, m.error);
      dispatch(w);
      poke();
    };
    this.onFailure = poke;
    for (const w of this.workers) {
      w.ref();
      if (this.context !== ctx) w.postMessage({ context: ctx });
    }
    this.context = ctx;
    for (const w of this.workers) dispatch(w);
    let local: ((job: ShareJob) => Promise<R>) | null = null;
    try {
      for (let id = 0; id < jobs.length; id++) {
        let r = results.get(id);
        while (r === undefined) {
          if (this.failure !== null || errors.has(id) || id >= next) {
            // This job's worker failed (or never got it): run it here.
            if (id >= next) next = id + 1;
            local ??= fallback();
            r = await local(jobs[id]!);
            break;
          }
          await new Promise<void>((res) => (wake = res));
          r = results.get(id);
        }
        results.delete(id);
        consumed = id + 1;
        for (const w of this.workers) dispatch(w);
        yield r;
      }
    } finally {
      for (const w of this.workers) w.unref();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The results of `jobs` in this thread, one after another (--workers 0: the reference the workers must equal). */
export async function* scanInThread(jobs: readonly ShareJob[], ctx: ShareContext, ruleSet: SigmaRuleSet): AsyncGenerator<ShareResult> {
  const run = createShareRunner(ruleSet, ctx);
  for (const job of jobs) yield await run(job);
}
