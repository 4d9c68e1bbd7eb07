// The Sigma rules a worker thread matches with: the main thread's compiled set, received as data (ruleSetToData:
// plain objects and bytes, no code) and rebuilt here, so rule and correlation indices agree and no worker compiles.
import { ruleSetFromData, type SigmaRuleSet, type SigmaRuleSetData } from '../engines/sigma/index.js';

/** What a worker is given to have the scan's rule set (a structured clone of the main thread's set as data). */
export type RuleSpec = SigmaRuleSetData;

export function rulesForWorker(spec: RuleSpec): SigmaRuleSet {
  return ruleSetFromData(spec);
}
