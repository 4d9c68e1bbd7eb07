// Sigma meta-filters (spec v2.1 filters): a `filter:` document names rules and adds its condition to
// theirs with AND (pySigma's semantics — an exclusion filter says `not selection` itself).
import type { Diagnostic } from '../../diagnostics.js';
import { compileDetection } from './compile.js';
import type { Logsource } from './logsource.js';
import type { ModifierEnv } from './modifiers.js';
import type { CompiledFilter } from './ruleset.js';
import { problem, type SigmaDoc } from './rule.js';

export function compileFilter(doc: SigmaDoc, env: ModifierEnv, problems: Diagnostic[]): CompiledFilter | null {
  const b = doc.body;
  const title = typeof b['title'] === 'string' ? b['title'] : null;
  if (!title) {
    problems.push(problem('SIGMA_BAD_FILTER', "missing 'title'", doc.path, doc.lineOf(['title'])));
    return null;
  }
  const f = b['filter'];
  if (typeof f !== 'object' || f === null || Array.isArray(f)) {
    problems.push(problem('SIGMA_BAD_FILTER', "'filter' must be a map with rules, identifiers and condition", doc.path, doc.lineOf(['filter'])));
    return null;
  }
  const fr = (f as Record<string, unknown>)['rules'];
  let rules: string[] | 'any';
  if (fr === 'any') rules = 'any';
  else if (typeof fr === 'string') rules = [fr];
  else if (Array.isArray(fr) && fr.length > 0) rules = fr.map(String);
  else {
    problems.push(problem('SIGMA_BAD_FILTER', "'filter.rules' must list rule ids or names (or be 'any')", doc.path, doc.lineOf(['filter', 'rules'])));
    return null;
  }
  const lsRaw = b['logsource'];
  if (typeof lsRaw !== 'object' || lsRaw === null || Array.isArray(lsRaw)) {
    problems.push(problem('SIGMA_BAD_FILTER', "missing 'logsource'", doc.path, doc.lineOf(['logsource'])));
    return null;
  }
  const logsource: Logsource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = (lsRaw as Record<string, unknown>)[k];
    if (typeof v === 'string') logsource[k] = v;
  }
  const det = compileDetection(doc, 'filter', env, problems);
  if (!det) return null;
  return { title, rules, logsource, predicate: det.predicate, data: det.data };
}
