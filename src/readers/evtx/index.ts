// The EVTX reader's only door: Windows XML Event Log files → evtx_dump-shaped records and WinEvents,
// sequential (evtxReader, parseEvtx) or on all cores (readEvtxParallel); XML rendering for `evtx dump`.

export { evtxReader, readEvtxTrees } from './reader.js';
export { parseEvtx, toWinEvent, type EvtxRecord } from './records.js';
export { readEvtxBatches, readEvtxParallel, jobsOf as evtxJobsOf, type ParallelOptions } from './pool.js';
export { jobEvents as evtxJobEvents, type EvtxJob } from './job.js';
export { parseEvtxTrees, chunkSlots, type EvtxTree, type ParseOptions } from './parse.js';
export { toXml } from './xml.js';
export { toEvtxJson } from './json.js';
export { crc32 } from './crc32.js';
