// The scan's door: log evidence planned into jobs (text logs by file and byte range, EVTX by window), run on
// worker threads or in this thread, and their results merged in job order into the scan's aggregates.
export { planShares, DEFAULT_RANGE_BYTES, type ShareJob, type PlanOptions } from './share.js';
export { createShareRunner, type ShareContext, type ShareResult } from './run-share.js';
export { SharePool, scanInThread, type WorkerStartup } from './pool.js';
export { rulesForWorker, type RuleSpec } from './rules.js';
export { ShareMerger, type MergeTargets } from './merge.js';
export { digestRangesApart, type OrderedFiles, type OrderedParts, type PlacedParts, type RangeJob, type Stretch } from './range-digest.js';
export { createRevisitRunner, revisitInThread, type Attackers } from './revisit.js';
export { JobFindings, JOB_RUN_BYTES, findingAux, type FoundContext, type FoundPart, type FiredRule } from './found.js';
