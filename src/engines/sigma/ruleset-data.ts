// A compiled Sigma rule set as plain data (objects, arrays, Maps: structured-clone friendly, no code) and
// back: what the rule cache stores and what worker threads receive. Closures are rebuilt from it on demand.
import { detectionFromData, type DetectionData, type RuleMeta } from './compile.js';
import type { CompiledCorrelation } from './correlation.js';
import type { Logsource } from './logsource.js';
import { CompiledRuleSet, type SigmaRuleSet } from './ruleset.js';

/** Bump when the shape below changes: data of another format is refused, never misread. */
export const RULESET_DATA_FORMAT = 1;

export interface SigmaRuleSetData {
  format: typeof RULESET_DATA_FORMAT;
  /** The --placeholders values the rules were compiled with. */
  placeholders: [string, string[]][];
  rules: { meta: RuleMeta; detection: DetectionData }[];
  filters: { title: string; rules: string[] | 'any'; logsource: Logsource; detection: DetectionData }[];
  correlations: CompiledCorrelation[];
}

/** The rule set as data. Only sets made by loadSigma or ruleSetFromData can be given (the only kinds there are). */
export function ruleSetToData(set: SigmaRuleSet): SigmaRuleSetData {
  if (!(set instanceof CompiledRuleSet)) throw new TypeError('ruleSetToData: not a rule set made by loadSigma');
  return {
    format: RULESET_DATA_FORMAT,
    placeholders: [...set.placeholders].map(([k, v]) => [k, [...v]]),
    rules: set.compiled.map((r) => ({ meta: r.meta, detection: r.data() })),
    filters: set.filters.map((f) => ({ title: f.title, rules: f.rules, logsource: f.logsource, detection: f.data() })),
    correlations: [...set.correlations],
  };
}

/**
 * Rebuild a rule set from its data. Indexing and the pre-filter's literals come from the data at once;
 * a rule's closures are compiled the first time it is a candidate for an event, so a set is ready in a
 * fraction of the time compiling every rule takes, and matches exactly as the set the data came from.
 */
export function ruleSetFromData(data: SigmaRuleSetData): SigmaRuleSet {
  if (data.format !== RULESET_DATA_FORMAT) throw new TypeError(`ruleSetFromData: data format ${String(data.format)}, expected ${RULESET_DATA_FORMAT}`);
  const placeholders = new Map<string, readonly string[]>(data.placeholders);
  const env = { placeholders, missing: new Set<string>() };
  const rules = data.rules.map((r) => {
    const det = detectionFromData(r.detection, env);
    return { meta: r.meta, predicate: det.predicate, data: det.data, regexes: [], missingPlaceholders: [] };
  });
  const filters = data.filters.map((f) => {
    const det = detectionFromData(f.detection, env);
    return { title: f.title, rules: f.rules, logsource: f.logsource, predicate: det.predicate, data: det.data };
  });
  // Rules the set could not place were reported (inactive) when the data was first made.
  return new CompiledRuleSet(rules, filters, data.correlations, () => {}, placeholders);
}
