// The reporters' only door: writeReports (report.html, timeline.csv, timeline.jsonl, attack-layer.json,
// stix.json) and loadScan to rebuild them from an earlier scan's findings.jsonl + summary.json + taken.json.
export { writeReports, writeModelReports, REPORT_FILES, DIGEST_FILES } from './write-reports.js';
export { copyFileTo, OrderedOutputs, ORDERED_FILES, timelineLinePieces, timelineLines, type TimelineLines } from './ordered-outputs.js';
export { timelineCsvHeader } from './csv-timeline.js';
export { FindingsDigest, RULE_ROWS, ROWS_TOTAL, STORY_PER_RULE, STORY_TOTAL, MAX_IPS, type DigestPart } from './digest.js';
export type { CapNote, RuleDigest } from './digest.js';
export { digestRecord, digestRecordParts, orderedBytes, shapeDelta, ShapeBook, type ByteSink, type ShapeDelta } from './digest-record.js';
export { findingLineParts, Pieces } from './finding-line.js';
export { loadScan, summaryFromFindings, FindingsLoader } from './load-scan.js';
export type { LoadedScan } from './load-scan.js';
export { buildModel } from './model.js';
export type { ReportModel, TechniqueHit, IpStat } from './model.js';
export { navigatorLayer } from './navigator.js';
export { stixBundle } from './stix.js';
export { timelineCsv, safeCell } from './csv-timeline.js';
export { timesketchJsonl } from './timesketch.js';
export { reportHtml, hostsIndexHtml, type HostRow } from './html/index.js';
export * from './fleet/index.js';
