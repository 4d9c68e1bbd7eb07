// Sigma correlation rules (spec v2.1 §correlation): event_count, value_count, temporal and
// temporal_ordered over sliding windows per group-by key; state lives in the run, evaluated at finish().
import type { Diagnostic } from '../../diagnostics.js';
import type { EvidenceRef } from '../../event.js';
import type { Finding } from '../../finding.js';
import { readMeta, type RuleMeta } from './compile.js';
import { problem, type SigmaDoc } from './rule.js';

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';
type CondOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export interface CompiledCorrelation {
  meta: RuleMeta;
  type: CorrelationType;
  /** Rule ids or names as written. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: Partial<Record<CondOp, number>>;
  field: string | null;
  /** alias → (rule id or name → field). */
  aliases: Map<string, Map<string, string>>;
  generate: boolean;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, M: 2_592_000_000, y: 31_536_000_000 };

export function parseTimespan(v: unknown): number | null {
  const m = /^(\d+)\s*([smhdwMy])$/.exec(String(v ?? '').trim());
  return m ? Number(m[1]) * UNITS[m[2]!]! : null;
}

export function compileCorrelation(doc: SigmaDoc, problems: Diagnostic[]): CompiledCorrelation | null {
  const c = doc.body['correlation'];
  const bad = (msg: string, key: string): null => {
    problems.push(problem('SIGMA_BAD_CORRELATION', msg, doc.path, doc.lineOf(['correlation', key])));
    return null;
  };
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return bad("'correlation' must be a map", 'type');
  const cor = c as Record<string, unknown>;
  // A correlation needs no logsource of its own; give readMeta an empty one.
  const body = { ...doc.body, logsource: doc.body['logsource'] ?? {} };
  const meta = readMeta({ ...doc, body }, problems);
  if (!meta) return null;
  const type = cor['type'];
  if (type !== 'event_count' && type !== 'value_count' && type !== 'temporal' && type !== 'temporal_ordered') {
    if (typeof type === 'string' && /^value_(sum|avg|percentile)$/.test(type)) {
      problems.push(problem('SIGMA_UNSUPPORTED', `correlation type '${type}' is not supported yet`, doc.path, doc.lineOf(['correlation', 'type'])));
      return null;
    }
    return bad(`unknown correlation type '${String(type)}'`, 'type');
  }
  const rules = typeof cor['rules'] === 'string' ? [cor['rules']] : Array.isArray(cor['rules']) ? cor['rules'].map(String) : [];
  if (rules.length === 0) return bad("'rules' must name at least one rule", 'rules');
  const gb = cor['group-by'];
  const groupBy = gb === undefined || gb === null ? [] : typeof gb === 'string' ? [gb] : Array.isArray(gb) ? gb.map(String) : null;
  if (!groupBy) return bad("'group-by' must be a list of fields", 'group-by');
  const timespanMs = parseTimespan(cor['timespan'] ?? cor['timeframe']);
  if (timespanMs === null) return bad("'timespan' must be a number and a unit (s, m, h, d)", 'timespan');
  const condition: Partial<Record<CondOp, number>> = {};
  let field: string | null = null;
  const cond = cor['condition'];
  if (cond !== undefined && cond !== null) {
    if (typeof cond !== 'object' || Array.isArray(cond)) return bad("'condition' must be a map such as {gte: 10}", 'condition');
    for (const [k, v] of Object.entries(cond as Record<string, unknown>)) {
      if (k === 'field') field = String(v);
      else if (['gt', 'gte', 'lt', 'lte', 'eq', 'neq'].includes(k) && typeof v === 'number') condition[k as CondOp] = v;
      else return bad(`bad condition key '${k}'`, 'condition');
    }
  }
  if (type === 'temporal' || type === 'temporal_ordered') {
    if (Object.keys(condition).length === 0) condition.gte = rules.length;
  } else if (Object.keys(condition).length === 0) return bad("'condition' is required for count correlations", 'condition');
  if (type === 'value_count' && !field) return bad("value_count needs 'field' in its condition", 'condition');
  const aliases = new Map<string, Map<string, string>>();
  const al = cor['aliases'];
  if (al && typeof al === 'object' && !Array.isArray(al)) {
    for (const [alias, m] of Object.entries(al as Record<string, unknown>)) {
      if (!m || typeof m !== 'object' || Array.isArray(m)) return bad(`alias '${alias}' must map rule names to fields`, 'aliases');
      aliases.set(alias, new Map(Object.entries(m as Record<string, unknown>).map(([r, f]) => [r, String(f)])));
    }
  }
  const generate = cor['generate'] === true || doc.body['generate'] === true;
  return { meta, type, rules, groupBy, timespanMs, condition, field, aliases, generate };
}

/** One base-rule match kept for a correlation. */
export interface CorrRecord {
  t: number;
  time: string;
  rule: number;
  value: string | null;
  host: string | null;
  evidence: EvidenceRef;
}

function holds(c: Partial<Record<CondOp, number>>, n: number): boolean {
  if (c.gt !== undefined && !(n > c.gt)) return false;
  if (c.gte !== undefined && !(n >= c.gte)) return false;
  if (c.lt !== undefined && !(n < c.lt)) return false;
  if (c.lte !== undefined && !(n <= c.lte)) return false;
  if (c.eq !== undefined && n !== c.eq) return false;
  if (c.neq !== undefined && n === c.neq) return false;
  return true;
}

function metric(cor: CompiledCorrelation, w: readonly CorrRecord[]): number {
  switch (cor.type) {
    case 'event_count':
      return w.length;
    case 'value_count':
      return new Set(w.map((r) => r.value).filter((v) => v !== null)).size;
    case 'temporal':
      return new Set(w.map((r) => r.rule)).size;
    case 'temporal_ordered': {
      // How many of the listed rules were seen in their listed order within the window.
      let next = 0;
      for (const r of w) if (r.rule === next) next++;
      return next;
    }
  }
}

/**
 * Evaluate one group. Conditions with a lower bound (gt/gte/eq) use windows ending at each record and
 * fire at the first record that satisfies them, then start afresh after it; conditions with only an
 * upper bound (lt/lte) use consecutive windows starting at the first record not yet covered.
 */
export function evaluateGroup(cor: CompiledCorrelation, group: Record<string, string | null>, recs: CorrRecord[]): Finding[] {
  recs.sort((a, b) => a.t - b.t);
  const out: Finding[] = [];
  const upperOnly = cor.condition.gt === undefined && cor.condition.gte === undefined && cor.condition.eq === undefined;
  const emit = (w: CorrRecord[]): void => {
    const last = w[w.length - 1]!;
    out.push({
      engine: 'correlation',
      time: last.time,
      level: cor.meta.level,
      rule: cor.meta.ref,
      cves: cor.meta.cves,
      attack: cor.meta.attack,
      host: last.host,
      evidence: last.evidence,
      fields: { correlation: cor.type, group, count: metric(cor, w), events: w.length, first: w[0]!.time, last: last.time, rules: cor.rules },
      message: `${cor.meta.title}: ${cor.type} ${metric(cor, w)} within ${cor.timespanMs / 1000}s`,
    });
  };
  if (upperOnly) {
    let s = 0;
    while (s < recs.length) {
      let e = s;
      while (e + 1 < recs.length && recs[e + 1]!.t - recs[s]!.t <= cor.timespanMs) e++;
      const w = recs.slice(s, e + 1);
      if (holds(cor.condition, metric(cor, w))) emit(w);
      s = e + 1;
    }
    return out;
  }
  let start = 0;
  for (let i = 0; i < recs.length; i++) {
    while (recs[i]!.t - recs[start]!.t > cor.timespanMs) start++;
    const w = recs.slice(start, i + 1);
    if (holds(cor.condition, metric(cor, w))) {
      emit(w);
      start = i + 1;
    }
  }
  return out;
}
