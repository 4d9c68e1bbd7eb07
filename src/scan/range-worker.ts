// Worker-thread entry for one range of the findings' final merge (workerData: a RangeJob), answering {part} or
// {error}. A thread of its own, not a scan worker: the scan workers' heaps (rules, read buffers) are gone by then.
import { parentPort, workerData } from 'node:worker_threads';
import { digestRange, type RangeJob } from './range-digest.js';

try {
  parentPort!.postMessage({ part: digestRange(workerData as RangeJob) });
} catch (e) {
  parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
}
