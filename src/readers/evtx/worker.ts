// Worker-thread entry for parallel EVTX parsing: receives jobs {id, job}, answers {id, result}.
// Loaded as dist/src/readers/evtx/worker.js by pool.ts; never imported by anything else.

import { parentPort } from 'node:worker_threads';
import { emptyPacked, runJobPacked, transferables, type EvtxJob, type PackedJobResult } from './job.js';

parentPort?.on('message', (msg: { id: number; job: EvtxJob }) => {
  let result: PackedJobResult;
  try {
    result = runJobPacked(msg.job);
  } catch (e) {
    result = emptyPacked([{ code: 'EVTX_BAD_CHUNK', severity: 'error', message: `internal error while parsing: ${e instanceof Error ? e.message : String(e)}`, location: { path: msg.job.path, chunk: msg.job.window.firstSlot } }]);
  }
  parentPort!.postMessage({ id: msg.id, result }, transferables(result));
});
