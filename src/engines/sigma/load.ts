// loadSigma: walk rule files and folders, compile every document (rules, correlations, filters),
// report each problem with file:line, and build the immutable rule set. A bad rule never stops the load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../../diagnostics.js';
import { compileRule, type CompiledRule } from './compile.js';
import { compileCorrelation, type CompiledCorrelation } from './correlation.js';
import { compileFilter } from './filters.js';
import { CompiledRuleSet, type CompiledFilter, type SigmaRuleSet } from './ruleset.js';
import type { SafeRegex } from './regex.js';
import { parseRuleFile, problem } from './rule.js';

export interface SigmaLoadOptions {
  /** --placeholders FILE: YAML map of placeholder name → list of values. */
  placeholdersFile?: string;
  /** Rules under this folder are labelled 'builtin:<relative path>' in findings. */
  builtinRoot?: string;
}

export interface InactiveRule {
  id: string;
  title: string;
  path: string;
  reason: string;
}

export interface SigmaLoadResult {
  /** Immutable and compiled once; create one run per scan. */
  ruleSet: SigmaRuleSet;
  /** Documents (rules, correlations, filters) that compiled. */
  loaded: number;
  /** Documents (or unreadable files) skipped because of an error. */
  failed: number;
  /** Loaded rules that can never fire (placeholders without values, logsource with no event source). */
  inactive: InactiveRule[];
  problems: Diagnostic[];
  /** Regexes that run on the bounded fallback engine instead of RE2. */
  regexFallbacks: { rule: string; path: string; pattern: string }[];
  /** Every compiled rule regex (engine, source, test), for the safety report and hostile-input test. */
  regexes: SafeRegex[];
}

// Synchronous walk and reads: rule files are small and local, and sync calls are several times faster than
// fs/promises for thousands of them (measured: 3,142 files read in 0.26 s against 2.2 s; the walk likewise).
function collectFiles(p: string, out: string[], problems: Diagnostic[]): void {
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    problems.push({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${(e as Error).message}`, location: { path: p } });
    return;
  }
  if (st.isFile()) {
    out.push(p);
    return;
  }
  if (!st.isDirectory()) return;
  const entries = readdirSync(p, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(p, e.name);
    if (e.isDirectory()) collectFiles(full, out, problems);
    else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(full);
  }
}

function readPlaceholders(file: string, bytes: Buffer | Error, problems: Diagnostic[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  try {
    if (bytes instanceof Error) throw bytes;
    const doc = parseYaml(bytes.toString('utf8')) as unknown;
    if (doc === null || doc === undefined) return map;
    if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('expected a map of placeholder name → list of values');
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
      const vals = Array.isArray(v) ? v.map(String) : v === null || v === undefined ? [] : [String(v)];
      map.set(k.replace(/^%|%$/g, ''), vals);
    }
  } catch (e) {
    problems.push(problem('SIGMA_PLACEHOLDER', `placeholders file: ${(e as Error).message}`, file, 1));
  }
  return map;
}

/** One rule file's bytes (or why it could not be read), under the label findings give it. Bytes, not text:
 * the rule cache only hashes them, and decoding 3,780 files is wasted on a cache hit. */
export interface RuleSource {
  path: string;
  label: string;
  bytes: Buffer | Error;
}

/** Everything a load compiles from: read once, hashed by the rule cache, compiled on a miss. */
export interface RuleSources {
  files: RuleSource[];
  /** Problems met while walking the paths (a path that does not exist). */
  problems: Diagnostic[];
  placeholders: { path: string; bytes: Buffer | Error } | null;
}

function readBytes(path: string): Buffer | Error {
  try {
    return readFileSync(path);
  } catch (e) {
    return e as Error;
  }
}

/** Walk the paths and read every rule file (and the placeholders file). */
export async function readRuleSources(paths: string[], opts: SigmaLoadOptions = {}): Promise<RuleSources> {
  const problems: Diagnostic[] = [];
  const placeholders = opts.placeholdersFile ? { path: opts.placeholdersFile, bytes: readBytes(opts.placeholdersFile) } : null;
  const found: string[] = [];
  for (const p of paths) collectFiles(p, found, problems);
  const files = found.map((file) => {
    const label = opts.builtinRoot && !relative(opts.builtinRoot, file).startsWith('..') ? `builtin:${relative(opts.builtinRoot, file).split(sep).join('/')}` : file;
    return { path: file, label, bytes: readBytes(file) };
  });
  return { files, problems, placeholders };
}

function countErrors(ps: readonly Diagnostic[]): number {
  let n = 0;
  for (const p of ps) if (p.severity === 'error') n++;
  return n;
}

export async function loadSigma(paths: string[], opts: SigmaLoadOptions = {}): Promise<SigmaLoadResult> {
  return compileRuleSources(await readRuleSources(paths, opts));
}

/** Compile what readRuleSources read. */
export function compileRuleSources(src: RuleSources): SigmaLoadResult {
  const problems: Diagnostic[] = [];
  const placeholders = src.placeholders ? readPlaceholders(src.placeholders.path, src.placeholders.bytes, problems) : new Map<string, string[]>();
  problems.push(...src.problems);
  const rules: CompiledRule[] = [];
  const filters: CompiledFilter[] = [];
  const correlations: CompiledCorrelation[] = [];
  const inactive: InactiveRule[] = [];
  let loaded = 0;
  let failed = 0;
  for (const { path: file, label, bytes } of src.files) {
    if (bytes instanceof Error) {
      problems.push({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${bytes.message}`, location: { path: file } });
      failed++;
      continue;
    }
    const parsed = parseRuleFile(bytes.toString('utf8'), label);
    if (parsed.problems.some((p) => p.severity === 'error')) failed++;
    problems.push(...parsed.problems);
    for (const doc of parsed.docs) {
      const before = countErrors(problems);
      let ok = false;
      if (doc.kind === 'rule') {
        const r = compileRule(doc, { placeholders, missing: new Set() }, problems);
        if (r) {
          ok = true;
          if (r.missingPlaceholders.length > 0) {
            const names = r.missingPlaceholders.map((n) => `%${n}%`).join(', ');
            inactive.push({ id: r.meta.id, title: r.meta.title, path: label, reason: `placeholder ${names} has no values (give them with --placeholders FILE)` });
            problems.push(problem('SIGMA_PLACEHOLDER', `rule '${r.meta.title}' is inactive: placeholder ${names} has no values`, label, doc.line, 'warning'));
          } else rules.push(r);
        }
      } else if (doc.kind === 'correlation') {
        const c = compileCorrelation(doc, problems);
        if (c) {
          ok = true;
          correlations.push(c);
        }
      } else {
        const f = compileFilter(doc, { placeholders, missing: new Set() }, problems);
        if (f) {
          ok = true;
          filters.push(f);
        }
      }
      const after = countErrors(problems);
      if (ok && after === before) loaded++;
      else failed++;
    }
  }
  // Correlations must name rules that loaded; chaining correlations is not supported yet.
  const known = new Set<string>();
  for (const r of rules) {
    known.add(r.meta.id);
    if (r.meta.name) known.add(r.meta.name);
  }
  const corrNames = new Set(correlations.flatMap((c) => [c.meta.id, ...(c.meta.name ? [c.meta.name] : [])]));
  const goodCorrelations = correlations.filter((c) => {
    const missing = c.rules.filter((r) => !known.has(r));
    if (missing.length === 0) return true;
    const chained = missing.filter((m) => corrNames.has(m));
    const msg = chained.length
      ? `correlation of correlations (${chained.join(', ')}) is not supported yet`
      : `correlation names unknown rule(s): ${missing.join(', ')}`;
    problems.push(problem(chained.length ? 'SIGMA_UNSUPPORTED' : 'SIGMA_BAD_CORRELATION', msg, c.meta.path, c.meta.line));
    loaded--;
    failed++;
    return false;
  });
  const ruleSet = new CompiledRuleSet(
    rules,
    filters,
    goodCorrelations,
    (meta, reason) => {
      inactive.push({ id: meta.id, title: meta.title, path: meta.path, reason });
    },
    placeholders,
  );
  const report = CompiledRuleSet.regexReport(rules);
  const regexFallbacks = report.fallback;
  for (const f of regexFallbacks) {
    const r = rules.find((x) => x.meta.id === f.rule);
    problems.push(problem('SIGMA_REGEX_FALLBACK', `regex needs lookaround/backreference; runs on V8 with input cut to 256 characters: ${f.pattern}`, f.path, r?.meta.line ?? 1, 'warning'));
  }
  return { ruleSet, loaded, failed, inactive, problems, regexFallbacks, regexes: report.all };
}
