// A compiled Sigma rule set as plain data (objects, arrays, Maps, typed arrays: structured-clone friendly, no
// code) and back: what the rule cache stores and what worker threads receive. Closures are rebuilt on demand.
import { deserialize, serialize } from 'node:v8';
import { detectionFromData, type CompiledRule, type DetectionData, type RuleMeta } from './compile.js';
import type { CompiledCorrelation } from './correlation.js';
import type { Logsource } from './logsource.js';
import { CompiledRuleSet, type CompiledFilter, type SigmaRuleSet } from './ruleset.js';

/** Bump when the shape below changes: data of another format is refused, never misread. */
export const RULESET_DATA_FORMAT = 2;

/**
 * One rule: what indexing it needs, in the clear, and the rest as V8 bytes. Decoding 3,780 rules' metadata
 * and literals as objects costs more than everything else a set from data does, and most rules never meet an
 * event of their logsource, never become a candidate, never fire.
 */
export interface RuleData {
  id: string;
  name: string | null;
  logsource: Logsource;
  /** Sigma fields the detection reads, and the field-mapping keys whose literals the detail holds. */
  fieldsSeen: string[];
  mapKeys: string[];
  /** V8-serialised RuleDetail. */
  detail: Uint8Array;
}

interface RuleDetail {
  meta: RuleMeta;
  detection: DetectionData;
}

export interface SigmaRuleSetData {
  format: typeof RULESET_DATA_FORMAT;
  /** The --placeholders values the rules were compiled with. */
  placeholders: [string, string[]][];
  rules: RuleData[];
  filters: { title: string; rules: string[] | 'any'; logsource: Logsource; detection: DetectionData }[];
  correlations: CompiledCorrelation[];
}

/** Rules made from data, with their data: handed on as they came unless compiling added literals. */
const fromData = new WeakMap<CompiledRule, { data: RuleData; grown(): boolean }>();

function ruleToData(r: CompiledRule): RuleData {
  const known = fromData.get(r);
  if (known && !known.grown()) return known.data;
  const detection = r.data();
  const detail: RuleDetail = { meta: r.meta, detection };
  return {
    id: r.head.id,
    name: r.head.name,
    logsource: r.head.logsource,
    fieldsSeen: detection.fieldsSeen,
    mapKeys: detection.atoms.map(([k]) => k),
    detail: new Uint8Array(serialize(detail)),
  };
}

/** The rule set as data. Only sets made by loadSigma or ruleSetFromData can be given (the only kinds there are). */
export function ruleSetToData(set: SigmaRuleSet): SigmaRuleSetData {
  if (!(set instanceof CompiledRuleSet)) throw new TypeError('ruleSetToData: not a rule set made by loadSigma');
  return {
    format: RULESET_DATA_FORMAT,
    placeholders: [...set.placeholders].map(([k, v]) => [k, [...v]]),
    rules: set.compiled.map((r, ri) => {
      // A compiled rule knows the literals of the mappings compiled so far: compile the rest first, as the
      // data must hold every mapping the rule is indexed under. A rule from data knows them already.
      if (!fromData.has(r)) set.prime(ri);
      return ruleToData(r);
    }),
    filters: set.filters.map((f) => ({ title: f.title, rules: f.rules, logsource: f.logsource, detection: f.data() })),
    correlations: [...set.correlations],
  };
}

function ruleFromData(r: RuleData, env: { placeholders: ReadonlyMap<string, readonly string[]>; missing: Set<string> }): CompiledRule {
  let detail: RuleDetail | undefined;
  const get = (): RuleDetail => (detail ??= deserialize(r.detail) as RuleDetail);
  const det = detectionFromData(() => get().detection, r, env);
  const rule: CompiledRule = {
    head: { id: r.id, name: r.name, logsource: r.logsource },
    get meta() {
      return get().meta;
    },
    predicate: det.predicate,
    data: det.data,
    regexes: [],
    missingPlaceholders: [],
  };
  fromData.set(rule, { data: r, grown: det.grown });
  return rule;
}

/**
 * Rebuild a rule set from its data. Indexing needs only each rule's head; a rule's literals are decoded when
 * a bucket holding it is first met, its closures compiled when it is first a candidate. So a set is ready in
 * a fraction of the time compiling every rule takes, and matches exactly as the set the data came from.
 */
export function ruleSetFromData(data: SigmaRuleSetData): SigmaRuleSet {
  if (data.format !== RULESET_DATA_FORMAT) throw new TypeError(`ruleSetFromData: data format ${String(data.format)}, expected ${RULESET_DATA_FORMAT}`);
  const placeholders = new Map<string, readonly string[]>(data.placeholders);
  const env = { placeholders, missing: new Set<string>() };
  const rules = data.rules.map((r) => ruleFromData(r, env));
  const filters = data.filters.map((f): CompiledFilter => {
    const det = detectionFromData(() => f.detection, { fieldsSeen: f.detection.fieldsSeen, mapKeys: f.detection.atoms.map(([k]) => k) }, env);
    return { title: f.title, rules: f.rules, logsource: f.logsource, predicate: det.predicate, data: det.data };
  });
  // Rules the set could not place were reported (inactive) when the data was first made.
  return new CompiledRuleSet(rules, filters, data.correlations, () => {}, placeholders);
}
