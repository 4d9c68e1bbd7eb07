// The Sigma rules a worker thread matches with: loaded and compiled again from the same paths and options as the
// main thread's, so rule and correlation indices agree. One function, to be swapped for a cached, data-only set.
import { loadSigma, type SigmaRuleSet } from '../engines/sigma/index.js';

/** What it takes to load the scan's rule set (plain data, sent to each worker). */
export interface RuleSpec {
  paths: string[];
  builtinRoot: string;
  placeholdersFile?: string;
}

export async function rulesForWorker(spec: RuleSpec): Promise<SigmaRuleSet> {
  const r = await loadSigma(spec.paths, { builtinRoot: spec.builtinRoot, ...(spec.placeholdersFile ? { placeholdersFile: spec.placeholdersFile } : {}) });
  return r.ruleSet;
}
