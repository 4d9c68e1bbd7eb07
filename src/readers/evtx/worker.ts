// Worker-thread entry for parallel EVTX parsing: receives jobs {id, job}, answers {id, result}; {recycle} gives back
// a result's byte buffer once its events are built, to read later windows into.
// Loaded as dist/src/readers/evtx/worker.js by pool.ts; never imported by anything else.

import { parentPort } from 'node:worker_threads';
import { emptyPacked, runJobPacked, transferables, type EvtxJob, type PackedJobResult } from './job.js';

const spares: ArrayBuffer[] = [];

parentPort?.on('message', (msg: { id: number; job: EvtxJob } | { recycle: ArrayBuffer }) => {
  if ('recycle' in msg) {
    if (spares.length < 4) spares.push(msg.recycle);
    return;
  }
  let result: PackedJobResult;
  try {
    result = runJobPacked(msg.job, spares.pop());
  } catch (e) {
    result = emptyPacked([{ code: 'EVTX_BAD_CHUNK', severity: 'error', message: `internal error while parsing: ${e instanceof Error ? e.message : String(e)}`, location: { path: msg.job.path, chunk: msg.job.window.firstSlot } }]);
  }
  parentPort!.postMessage({ id: msg.id, result }, transferables(result));
});
