// The Sigma engine's only door: load rules (files or folders) into an immutable, indexed rule set,
// then match events run by run. Everything else in this folder is internal.
export { loadSigma, type SigmaLoadOptions, type SigmaLoadResult, type InactiveRule } from './load.js';
export { loadSigmaCached, ruleCacheDir, type SigmaCachedLoad, type SigmaCachedLoadOptions } from './rule-cache.js';
export { ruleSetFromData, ruleSetToData, type SigmaRuleSetData } from './ruleset-data.js';
export type { SigmaRuleSet, SigmaRun, CorrelationMatches } from './ruleset.js';
export { flattenWinEvent } from './fields.js';
export type { SafeRegex } from './regex.js';
export { DEFAULT_LEVEL } from './compile.js';
export { planSql, subsetRuleSet, type SqlPlan, type SqlGroup, type SqlRule, type InProcessRule, type InProcessReason, type HotField, type PlaceExprs } from './to-sql/index.js';
export { evaluateGroup, type CompiledCorrelation, type CorrRecord } from './correlation.js';
export type { RuleMeta } from './compile.js';
