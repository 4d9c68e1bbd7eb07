// A Sigma rule document → a compiled rule: metadata for findings, and a factory that turns its
// detection + condition into one predicate for a given field mapping (closures, never generated code).
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic } from '../../diagnostics.js';
import { cveFromTag, isLevel, techniqueFromTag, type Level, type RuleRef } from '../../finding.js';
import { ConditionError, parseCondition, resolveCondition, type CondNode, type ResolvedNode } from './condition.js';
import { and, atomsAnd, atomsOr, compileSearch, DetectionError, or, type Clauses, type Compiled, type CompileEnv, type Pred } from './detection.js';
import type { Logsource } from './logsource.js';
import type { ModifierEnv } from './modifiers.js';
import type { SafeRegex } from './regex.js';
import { problem, type SigmaDoc } from './rule.js';

/** Level when a rule states none: the spec has no default; Hayabusa and pySigma leave it unset. We say
 * 'medium' so such a finding is neither hidden by a `--min-level high` filter nor inflated. */
export const DEFAULT_LEVEL: Level = 'medium';

export interface RuleMeta {
  id: string;
  name: string | null;
  title: string;
  level: Level;
  status: string | null;
  ref: RuleRef;
  cves: string[];
  attack: string[];
  logsource: Logsource;
  path: string;
  line: number;
}

/** What indexing a rule needs of its metadata (a rule from data decodes the rest when it first fires). */
export type RuleHead = Pick<RuleMeta, 'id' | 'name' | 'logsource'>;

export interface CompiledRule {
  /** Decoded on first access for a rule from data (see ruleset-data.ts). */
  readonly meta: RuleMeta;
  readonly head: RuleHead;
  /** Build the rule's predicate (and its necessary literals) for one field mapping (memoised per mapping key). */
  predicate(fieldMap: ReadonlyMap<string, string>, mapKey: string): Compiled;
  /** Regexes the rule uses (engine and source), for the safety report. */
  regexes: SafeRegex[];
  /** Placeholder names without values: the rule loads but stays inactive. */
  missingPlaceholders: string[];
  /** What the predicate compiles from, as plain data (the rule cache, worker threads). */
  data(): DetectionData;
}

function strList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

export function readMeta(doc: SigmaDoc, problems: Diagnostic[]): RuleMeta | null {
  const b = doc.body;
  const title = str(b['title']);
  if (!title) {
    problems.push(problem('SIGMA_BAD_RULE', "missing 'title'", doc.path, doc.lineOf(['title'])));
    return null;
  }
  const lsRaw = b['logsource'];
  if (typeof lsRaw !== 'object' || lsRaw === null || Array.isArray(lsRaw)) {
    problems.push(problem('SIGMA_BAD_RULE', "missing or bad 'logsource'", doc.path, doc.lineOf(['logsource'])));
    return null;
  }
  const lsObj = lsRaw as Record<string, unknown>;
  const logsource: Logsource = {};
  for (const k of ['product', 'category', 'service'] as const) {
    const v = str(lsObj[k]);
    if (v) logsource[k] = v;
  }
  let level: Level = DEFAULT_LEVEL;
  const lv = str(b['level']);
  if (lv !== null) {
    if (isLevel(lv.toLowerCase())) level = lv.toLowerCase() as Level;
    else problems.push(problem('SIGMA_BAD_RULE', `unknown level '${lv}', using '${DEFAULT_LEVEL}'`, doc.path, doc.lineOf(['level']), 'warning'));
  }
  const tags = strList(b['tags']);
  const id = str(b['id']) ?? `${doc.path}:${doc.line}`;
  const author = str(b['author']);
  const ref: RuleRef = { id, title, author, source: doc.path, tags };
  const references = strList(b['references']);
  const falsepositives = strList(b['falsepositives']);
  if (references.length) ref.references = references;
  if (falsepositives.length) ref.falsepositives = falsepositives;
  return {
    id,
    name: str(b['name']),
    title,
    level,
    status: str(b['status']),
    ref,
    cves: [...new Set(tags.map(cveFromTag).filter((x): x is string => x !== null))],
    attack: [...new Set(tags.map(techniqueFromTag).filter((x): x is string => x !== null))],
    logsource,
    path: doc.path,
    line: doc.line,
  };
}

/**
 * What a detection compiles from, as plain data (structured-clone friendly): the identifiers' values as parsed
 * from YAML, the resolved condition, and what the first compilation learnt (the Sigma fields read, the
 * necessary literals per field mapping). The rule cache stores it and worker threads receive it; closures are
 * rebuilt from it (see detectionFromData), never stored.
 */
export interface DetectionData {
  key: 'detection' | 'filter';
  /**
   * The detection's identifiers and resolved condition (DetectionSource), V8-serialised: most rules are never
   * a candidate in a scan, so their source is decoded only when first compiled (a set from data is ready in
   * a fraction of the time: 3,780 sources as objects cost more to decode than all the rest).
   */
  source: Uint8Array;
  /** Sigma field names the searches read: a field map renaming none of them gives the unmapped predicate. */
  fieldsSeen: string[];
  /** Necessary literals per field-mapping key compiled so far (what the pre-filter needs before any closure). */
  atoms: [string, Clauses | null][];
}

/** What a detection's closures are compiled from. */
interface DetectionSource {
  key: 'detection' | 'filter';
  /** Identifier → its value as parsed from YAML (every identifier, so an unused bad one was still reported). */
  searches: Record<string, unknown>;
  ast: ResolvedNode;
}

/** A detection's predicate factory and its data. */
export interface LinkedDetection {
  predicate: CompiledRule['predicate'];
  data(): DetectionData;
}

function buildDetection(d: DetectionSource, env: ModifierEnv, fieldMap: ReadonlyMap<string, string>, regexes: SafeRegex[], fieldsSeen?: Set<string>): Compiled {
  const cenv: CompileEnv = { placeholders: env.placeholders, missing: env.missing, fieldMap, regexes, ...(fieldsSeen ? { fieldsSeen } : {}) };
  const searches = new Map<string, Compiled>();
  for (const n of Object.keys(d.searches)) searches.set(n, compileSearch(d.searches[n], cenv, [d.key, n]));
  return toPred(d.ast, searches);
}

function renamesAny(fields: Iterable<string>, fieldMap: ReadonlyMap<string, string>): boolean {
  for (const f of fields) if (fieldMap.has(f)) return true;
  return false;
}

/** Compile a detection block into a predicate factory. Returns null (with problems) when it is bad. */
export function compileDetection(
  doc: SigmaDoc,
  detKey: 'detection' | 'filter',
  env: ModifierEnv,
  problems: Diagnostic[],
): (LinkedDetection & { regexes: SafeRegex[] }) | null {
  const det = doc.body[detKey];
  if (typeof det !== 'object' || det === null || Array.isArray(det)) {
    problems.push(problem('SIGMA_BAD_RULE', `missing or bad '${detKey}'`, doc.path, doc.lineOf([detKey])));
    return null;
  }
  const detObj = det as Record<string, unknown>;
  const condRaw = detObj['condition'];
  const names = Object.keys(detObj).filter((k) => k !== 'condition' && k !== 'timeframe' && k !== 'rules');
  if ('timeframe' in detObj) {
    problems.push(problem('SIGMA_UNSUPPORTED', "'timeframe' in detection is obsolete in Sigma v2; write a correlation rule", doc.path, doc.lineOf([detKey, 'timeframe'])));
    return null;
  }
  let ast: ResolvedNode;
  try {
    const conds = typeof condRaw === 'string' ? [condRaw] : Array.isArray(condRaw) && condRaw.every((c) => typeof c === 'string') ? (condRaw as string[]) : null;
    if (!conds || conds.length === 0) throw new ConditionError("missing 'condition'");
    const parsed: CondNode[] = conds.map(parseCondition);
    const resolved = parsed.map((p) => resolveCondition(p, names));
    ast = resolved.length === 1 ? resolved[0]! : { t: 'or', args: resolved };
  } catch (e) {
    if (!(e instanceof ConditionError)) throw e;
    problems.push(problem(e.unsupported ? 'SIGMA_UNSUPPORTED' : 'SIGMA_BAD_CONDITION', e.message, doc.path, doc.lineOf([detKey, 'condition'])));
    return null;
  }
  const searches: Record<string, unknown> = {};
  for (const n of names) searches[n] = detObj[n];
  const src: DetectionSource = { key: detKey, searches, ast };
  // Only identifiers the condition uses are compiled; an unused bad one is still reported.
  // The field names the searches use, seen while compiling without a mapping: a logsource's field map
  // that renames none of them gives the same predicate, which is then reused rather than compiled again.
  const fieldsSeen = new Set<string>();
  const regexes: SafeRegex[] = [];
  const memo = new Map<string, Compiled>();
  let first: Compiled;
  try {
    first = buildDetection(src, env, new Map(), regexes, fieldsSeen);
  } catch (e) {
    if (!(e instanceof DetectionError)) throw e;
    problems.push(problem(e.code, e.message, doc.path, doc.lineOf(e.path)));
    return null;
  }
  memo.set('', first);
  return {
    regexes,
    predicate: (fieldMap, mapKey) => {
      let p = memo.get(mapKey);
      if (!p) {
        if (renamesAny(fieldsSeen, fieldMap)) {
          const before = regexes.length;
          p = buildDetection(src, env, fieldMap, regexes);
          regexes.length = before; // the same regexes again; keep the report to one per rule value
        } else p = first;
        memo.set(mapKey, p);
      }
      return p;
    },
    // Mappings that rename nothing share the unmapped predicate and its literals: only '' and renaming ones are kept.
    data: () => ({ key: detKey, source: new Uint8Array(serialize(src)), fieldsSeen: [...fieldsSeen], atoms: [...memo].filter(([k, c]) => k === '' || c !== first).map(([k, c]) => [k, c.atoms]) }),
  };
}

/** A predicate that compiles on its first call: a rule from data costs nothing until it is a candidate. */
function lazy(make: () => Pred): Pred {
  let p: Pred | undefined;
  return (c) => (p ??= make())(c);
}

/**
 * Rebuild a detection's predicate factory from its data (the rule cache, a worker thread). The data itself is
 * only decoded when needed (`get`): its literals when the pre-filter of a bucket holding the rule is built,
 * its source when the rule is first a candidate. Only the Sigma fields read and the field-mapping keys with
 * known literals (`index`) are needed at once; a mapping not among them compiles when asked for. The data
 * compiled cleanly when it was made, with the same exhunt, options and placeholders, so it compiles again.
 */
export function detectionFromData(get: () => DetectionData, index: { fieldsSeen: readonly string[]; mapKeys: readonly string[] }, env: ModifierEnv): LinkedDetection & { grown(): boolean } {
  // Few allocations per rule: a set from data makes thousands of these before it is ready.
  let memo: Map<string, Compiled> | undefined;
  // Literals of mappings compiled here that the data did not hold.
  let extra: Map<string, Clauses | null> | undefined;
  let atoms: Map<string, Clauses | null> | undefined;
  const atomsOf = (k: string): Clauses | null => (atoms ??= new Map(get().atoms)).get(k) ?? null;
  let unmapped: Pred | undefined;
  let decoded: DetectionSource | undefined;
  const build = (fieldMap: ReadonlyMap<string, string>): Compiled => buildDetection((decoded ??= deserialize(get().source) as DetectionSource), env, fieldMap, []);
  return {
    predicate: (fieldMap, mapKey) => {
      let c = memo?.get(mapKey);
      if (c) return c;
      const renames = renamesAny(index.fieldsSeen, fieldMap);
      const k = renames ? mapKey : '';
      if (!index.mapKeys.includes(k)) {
        c = build(fieldMap);
        (extra ??= new Map()).set(mapKey, c.atoms);
      } else {
        const p = renames ? lazy(() => build(fieldMap).p) : (unmapped ??= lazy(() => build(new Map()).p));
        c = {
          p,
          get atoms() {
            return atomsOf(k);
          },
        };
      }
      (memo ??= new Map()).set(mapKey, c);
      return c;
    },
    data: () => {
      const d = get();
      return extra === undefined ? d : { ...d, atoms: [...d.atoms, ...extra] };
    },
    grown: () => extra !== undefined,
  };
}

function toPred(node: ResolvedNode, searches: ReadonlyMap<string, Compiled>): Compiled {
  switch (node.t) {
    case 'id':
      return searches.get(node.name)!;
    case 'and': {
      const cs = node.args.map((a) => toPred(a, searches));
      return { p: and(cs.map((c) => c.p)), atoms: atomsAnd(cs.map((c) => c.atoms)) };
    }
    case 'or': {
      const cs = node.args.map((a) => toPred(a, searches));
      return { p: or(cs.map((c) => c.p)), atoms: atomsOr(cs.map((c) => c.atoms)) };
    }
    case 'not': {
      const inner = toPred(node.arg, searches).p;
      return { p: (c) => !inner(c), atoms: null };
    }
    case 'atleast': {
      const cs = node.args.map((a) => toPred(a, searches));
      const ps = cs.map((c) => c.p);
      const n = node.n;
      return {
        p: (c) => {
          let k = 0;
          for (const p of ps) if (p(c) && ++k >= n) return true;
          return false;
        },
        atoms: atomsOr(cs.map((c) => c.atoms)),
      };
    }
  }
}

/** Compile a rule document (kind 'rule'). */
export function compileRule(doc: SigmaDoc, env: ModifierEnv, problems: Diagnostic[]): CompiledRule | null {
  const meta = readMeta(doc, problems);
  if (!meta) return null;
  const missing = new Set<string>();
  const det = compileDetection(doc, 'detection', { placeholders: env.placeholders, missing }, problems);
  if (!det) return null;
  return { meta, head: meta, predicate: det.predicate, regexes: det.regexes, missingPlaceholders: [...missing], data: det.data };
}
