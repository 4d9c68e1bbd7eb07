// The spill folder's only door: an external sort (sorted runs on disk, k-way merge) for outputs that must be
// ordered however many items they hold, and the self-removing private temp folders it writes into.
export { BufferedFile, RunIndex, SpillSorter, encodeRecord, mergeSlices, planRanges, rangeOutputBytes, readRuns, heldFilesBudget } from './spill-sorter.js';
export type { RecordMeasure, SpillOptions, Sorted, RunSlice } from './spill-sorter.js';
export { makeTempDir, removeTempDir, liveTempDirs } from './temp-dirs.js';
