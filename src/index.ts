// exhunt's library API, listed name by name: the pipeline (hunt), rule loading, and the types a
// caller sees. Everything else is internal and may change.
export { hunt } from './hunt.js';
export type { HuntOptions, HuntProgress, HuntResult, OrderedFiles, OrderedParts, PlacedParts, Stretch } from './hunt.js';
export { loadSigma as loadRules } from './engines/sigma/index.js';
export type { HuntEvent, WinEvent, W3cEvent, ExchangeEvent, EvidenceRef } from './event.js';
export type { Finding, Level, RuleRef, FindingEngine } from './finding.js';
export { LEVELS } from './finding.js';
export type { Diagnostic, DiagnosticCode, Location } from './diagnostics.js';
export { HuntError } from './diagnostics.js';
export type { ScanSummary, ExposureSummary, CoverageEntry } from './summary.js';
export type { Evidence, EvidenceKind } from './evidence/evidence.js';
