// Worker-thread entry for scan jobs: rebuilds the rules from their data (workerData.rules) at once, then takes {context}, then jobs
// {id, job, who} (who: the attackers, for a job of the second read), answering {id, result, heapMb}; {ready} reports how long the rules took. Loaded by pool.ts only.
import { parentPort, workerData } from 'node:worker_threads';
import { cpuUsage } from 'node:process';
import { getHeapStatistics } from 'node:v8';
import { rulesForWorker, type RuleSpec } from './rules.js';
import { createShareRunner, type ShareContext, type ShareResult } from './run-share.js';
import type { ShareJob } from './share.js';
import type { RevisitHit } from '../engines/activity/index.js';
import { createRevisitRunner, type Attackers } from './revisit.js';

/** This thread's memory: its V8 heap as committed, and the buffers it holds outside it (MB). */
function heapMb(): number {
  const h = getHeapStatistics();
  return (h.total_heap_size + h.external_memory) / 2 ** 20;
}

const started = performance.now();
const cpu0 = cpuUsage();
const rules = Promise.resolve().then(() => rulesForWorker((workerData as { rules: RuleSpec }).rules));
void rules.then(
  () => {
    const cpu = cpuUsage(cpu0);
    parentPort!.postMessage({ ready: { ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, heapMb: heapMb() } });
  },
  (e: unknown) => parentPort!.postMessage({ failed: e instanceof Error ? e.message : String(e) }),
);
let runner: Promise<(job: ShareJob) => Promise<ShareResult>> | null = null;
let revisit: ((job: ShareJob, who: Attackers) => Promise<RevisitHit[]>) | null = null;
// Jobs run one at a time, in the order they came: a result is posted before the next job starts.
let queue: Promise<void> = Promise.resolve();

parentPort?.on('message', (msg: { context: ShareContext } | { id: number; job: ShareJob; who: Attackers | null }) => {
  if ('context' in msg) {
    runner = rules.then((set) => createShareRunner(set, msg.context));
    revisit = createRevisitRunner(msg.context);
    return;
  }
  const mine = runner!;
  const again = revisit!;
  queue = queue.then(async () => {
    try {
      // A job of the second read (who: the attackers) needs no rules.
      const result = msg.who ? await again(msg.job, msg.who) : await (await mine)(msg.job);
      parentPort!.postMessage({ id: msg.id, result, heapMb: heapMb() });
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
});
