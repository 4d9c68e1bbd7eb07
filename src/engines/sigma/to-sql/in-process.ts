// The rules a plan keeps in-process, as a rule set of their own (with every filter, no correlations: the
// retro-hunt counts correlation matches itself), matched by the closure compiler over rebuilt stored events.
import { CompiledRuleSet, type SigmaRuleSet } from '../ruleset.js';

export function subsetRuleSet(set: SigmaRuleSet, indices: readonly number[]): SigmaRuleSet {
  if (!(set instanceof CompiledRuleSet)) throw new TypeError('subsetRuleSet needs a rule set made by loadSigma');
  return new CompiledRuleSet(
    indices.map((i) => set.compiled[i]!),
    set.filters,
    [],
    () => {},
    set.placeholders,
  );
}
