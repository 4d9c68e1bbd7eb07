// A compiled rule set → the SQL plan of a retro-hunt: rules grouped by logsource, each group one SELECT whose
// WHERE is the group's placement and whose `hits` array holds the per-rule conditions, so thousands of rules
// cost a few dozen passes; plus the rules that stay in-process, each with its named reason.
import { deserialize } from 'node:v8';
import type { RuleMeta } from '../compile.js';
import type { ResolvedNode } from '../condition.js';
import type { CompiledCorrelation } from '../correlation.js';
import { placeLogsource, type Logsource, type WinTarget } from '../logsource.js';
import { filterFits } from '../placement.js';
import type { CompiledFilter, SigmaRuleSet } from '../ruleset.js';
import { CompiledRuleSet } from '../ruleset.js';
import { conditionSql, searchSql, usedIds } from './sql-detection.js';
import { InProcessOnly, type InProcessReason, type SqlEnv } from './sql-env.js';

/** A detection's source as compile.ts serialises it (DetectionData.source). */
interface DetectionSource {
  searches: Record<string, unknown>;
  ast: ResolvedNode;
}

export interface SqlRule {
  /** Index in the rule set's compiled rules. */
  readonly index: number;
  readonly meta: RuleMeta;
  /** Whether a match is a finding (false for rules only a non-generating correlation uses). */
  readonly emit: boolean;
  /** Correlations (index, position of the rule in its list) that count this rule's matches. */
  readonly links: readonly { corr: number; pos: number }[];
}

/** One SELECT: events of one logsource group, with the conditions of up to GROUP_MAX rules. */
export interface SqlGroup {
  readonly label: string;
  /** Which events the group can match at all (source, channel, EventID, logsource keys). */
  readonly where: string;
  readonly rules: readonly SqlRule[];
  /** Per rule (same order), its full condition: placement, guards, detection and filters. */
  readonly conds: readonly string[];
}

export interface InProcessRule {
  readonly rule: SqlRule;
  /** Which events the rule can match at all (as SqlGroup.where). */
  readonly where: string;
  readonly reason: InProcessReason;
  readonly detail: string;
}

export interface SqlPlan {
  readonly groups: readonly SqlGroup[];
  /** Rules SQL cannot express exactly: matched in-process over the stored events. */
  readonly inProcess: readonly InProcessRule[];
  readonly correlations: readonly CompiledCorrelation[];
  /** Every regex given to match(), for checking against the store before the hunt. */
  readonly regexes: ReadonlySet<string>;
  /** Rules compared (placed somewhere), in SQL and in-process together. */
  readonly ruleCount: number;
}

/** Rules per SELECT: keeps a query's text well under the server's max_query_size and its AST small. */
export const GROUP_MAX = 120;

const WINDOWS = "source NOT IN ('w3c', 'exchange')";
const GENERIC = "source IN ('w3c', 'exchange')";

export function planSql(set: SigmaRuleSet, lit: (s: string) => string, rejected: ReadonlySet<string> = new Set()): SqlPlan {
  if (!(set instanceof CompiledRuleSet)) throw new TypeError('planSql needs a rule set made by loadSigma');
  const rules = set.compiled;
  const byRef = new Map<string, number>();
  rules.forEach((r, i) => {
    byRef.set(r.head.id, i);
    if (r.head.name) byRef.set(r.head.name, i);
  });
  const links = new Map<number, { corr: number; pos: number }[]>();
  const silenced = new Set<number>();
  set.correlations.forEach((c, ci) =>
    c.rules.forEach((ref, pos) => {
      const ri = byRef.get(ref);
      if (ri === undefined) return;
      (links.get(ri) ?? links.set(ri, []).get(ri)!).push({ corr: ci, pos });
      if (!c.generate) silenced.add(ri);
    }),
  );
  const regexes = new Set<string>();
  const base = { placeholders: set.placeholders, missing: new Set<string>(), lit, regexes, rejected };
  const sources = new Map<object, DetectionSource>();
  const sourceOf = (x: { data(): { source: Uint8Array } }): DetectionSource => {
    let s = sources.get(x);
    if (!s) sources.set(x, (s = deserialize(x.data().source) as DetectionSource));
    return s;
  };
  const detection = (src: DetectionSource, env: SqlEnv): string => {
    const searches = new Map<string, string>();
    for (const n of usedIds(src.ast)) searches.set(n, searchSql(src.searches[n], env));
    return conditionSql(src.ast, searches);
  };
  const byGroup = new Map<string, { where: string; rules: SqlRule[]; conds: string[] }>();
  const inProcess: InProcessRule[] = [];
  let ruleCount = 0;
  rules.forEach((r, index) => {
    const meta = r.meta;
    const place = placeLogsource(meta.logsource);
    if (place.kind === 'unknown') return; // inactive in-process too
    ruleCount++;
    const rule: SqlRule = { index, meta, emit: !silenced.has(index), links: links.get(index) ?? [] };
    const myFilters = set.filters.filter(
      (f) => (f.rules === 'any' || f.rules.includes(meta.id) || (meta.name !== null && f.rules.includes(meta.name))) && filterFits(f.logsource, meta.logsource),
    );
    const body = (fieldMap: ReadonlyMap<string, string>, windows: boolean): string => {
      const env: SqlEnv = { ...base, fieldMap, windows };
      const parts = [detection(sourceOf(r), env), ...myFilters.map((f: CompiledFilter) => detection(sourceOf(f), env))];
      return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
    };
    let cond: string;
    const where = place.kind === 'generic' ? `${GENERIC}${genericKeys(place.logsource, lit)}` : windowsBranches(place.targets, lit).where;
    try {
      cond = place.kind === 'generic' ? body(new Map(), false) : windowsCond(place.targets, body, { ...base, fieldMap: new Map(), windows: true });
    } catch (e) {
      if (!(e instanceof InProcessOnly)) throw e;
      inProcess.push({ rule, where, reason: e.reason, detail: e.detail });
      return;
    }
    const key = `${meta.logsource.product ?? ''}|${meta.logsource.category ?? ''}|${meta.logsource.service ?? ''}`;
    let g = byGroup.get(key);
    if (!g) byGroup.set(key, (g = { where, rules: [], conds: [] }));
    g.rules.push(rule);
    g.conds.push(cond);
  });
  const groups: SqlGroup[] = [];
  for (const [key, g] of byGroup) {
    for (let i = 0; i < g.rules.length; i += GROUP_MAX) {
      groups.push({ label: `${key}#${i / GROUP_MAX}`, where: g.where, rules: g.rules.slice(i, i + GROUP_MAX), conds: g.conds.slice(i, i + GROUP_MAX) });
    }
  }
  return { groups, inProcess, correlations: set.correlations, regexes, ruleCount };
}

function genericKeys(ls: Logsource, lit: (s: string) => string): string {
  let out = '';
  for (const k of ['product', 'category', 'service'] as const) {
    const v = ls[k];
    if (v !== undefined) out += ` AND ${k} = ${lit(v.toLowerCase())}`;
  }
  return out;
}

type Guard = Record<string, (string | number)[]> | null;
interface Branch {
  /** 0: exact channel|EventID slots, 1: channel|* slots, 2: any channel. */
  rank: number;
  test: string;
  target: number;
  guards: Guard[];
}

/**
 * A Windows rule's placement as ruleset.ts makes it: the (channel|EventID) slots of its targets, the exact
 * slot first, then the channel's any-EventID slot, then any channel; each slot compiled with the field mapping
 * of the first target filling it and guarded by the OR of those targets' extra conditions. Slots sharing a
 * target and guards are one branch.
 */
function windowsBranches(targets: readonly WinTarget[], lit: (s: string) => string): { branches: Branch[]; where: string } {
  const perKey = new Map<string, { target: number; guards: Guard[] }>();
  targets.forEach((t, ti) => {
    const guard = Object.keys(t.conditions).length > 0 ? t.conditions : null;
    for (const ch of t.channels ?? [null])
      for (const id of t.eventIds ?? [null]) {
        const key = ch === null ? '*' : `${ch}|${id ?? '*'}`;
        const slot = perKey.get(key) ?? perKey.set(key, { target: ti, guards: [] }).get(key)!;
        slot.guards.push(guard);
      }
  });
  const byBranch = new Map<string, { rank: number; keys: string[]; target: number; guards: Guard[] }>();
  for (const [key, s] of perKey) {
    const rank = key === '*' ? 2 : key.endsWith('|*') ? 1 : 0;
    const bk = `${rank}\u0000${s.target}\u0000${JSON.stringify(s.guards)}`;
    const b = byBranch.get(bk) ?? byBranch.set(bk, { rank, keys: [], target: s.target, guards: s.guards }).get(bk)!;
    b.keys.push(key);
  }
  const branches = [...byBranch.values()]
    .sort((x, y) => x.rank - y.rank)
    .map((b) => ({
      rank: b.rank,
      target: b.target,
      guards: b.guards,
      test:
        b.rank === 2
          ? '1'
          : b.rank === 1
            ? `lowerUTF8(channel) IN (${b.keys.map((k) => lit(k.slice(0, -2))).join(', ')})`
            : `concat(lowerUTF8(channel), '|', toString(event_id)) IN (${b.keys.map(lit).join(', ')})`,
    }));
  const tests = branches.map((b) => b.test);
  return { branches, where: tests.includes('1') ? WINDOWS : `${WINDOWS} AND (${tests.join(' OR ')})` };
}

function windowsCond(targets: readonly WinTarget[], body: (fieldMap: ReadonlyMap<string, string>, windows: boolean) => string, guardEnv: SqlEnv): string {
  const arms: string[] = [];
  for (const b of windowsBranches(targets, guardEnv.lit).branches) {
    const guard = b.guards.includes(null) ? null : `(${b.guards.map((g) => searchSql(g, guardEnv)).join(' OR ')})`;
    const inner = body(targets[b.target]!.fieldMap, true);
    arms.push(b.test, guard ? `(${guard} AND ${inner})` : inner);
  }
  return arms.length === 2 && arms[0] === '1' ? arms[1]! : `multiIf(${arms.join(', ')}, 0)`;
}
