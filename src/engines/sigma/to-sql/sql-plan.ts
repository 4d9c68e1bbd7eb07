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
import { InProcessOnly, type HotField, type InProcessReason, type MergedArm, type PlaceExprs, type SqlEnv } from './sql-env.js';

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
  /** The computed columns (SqlEnv.column) the conditions use, in dependency order: [name, expression]. */
  readonly columns: readonly (readonly [string, string])[];
}

export interface InProcessRule {
  readonly rule: SqlRule;
  /** Which events the rule can match at all (as SqlGroup.where). */
  readonly where: string;
  readonly reason: InProcessReason;
  readonly detail: string;
  /**
   * A condition every event the rule matches passes (its searches SQL cannot express taken as passing, see
   * conditionSql's null), over `columns` as SqlGroup's; null where even that cannot be written (then `where` alone).
   */
  readonly prefilter: { readonly cond: string; readonly columns: readonly (readonly [string, string])[] } | null;
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

/** Rules per SELECT, and characters of their conditions: a query's text stays under the server's
 * max_query_size (262,144 by default, and a setting the HTTP client cannot always raise) and its AST small. */
export const GROUP_MAX = 120;
export const QUERY_TEXT_MAX = 200_000;
/** AST elements of one query (max_ast_elements is 50,000 by default), estimated by astSize. */
export const QUERY_AST_MAX = 40_000;

/** About how many AST elements ClickHouse makes of an expression: a node per call, argument and literal. */
export function astSize(sql: string): number {
  let n = 0;
  let inStr = false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (inStr) {
      if (c === 0x5c) i++;
      else if (c === 0x27) inStr = false;
    } else if (c === 0x27) {
      inStr = true;
      n++;
    } else if (c === 0x28 || c === 0x2c) n++;
    else if (c === 0x20 && (sql.startsWith('AND ', i + 1) || sql.startsWith('OR ', i + 1) || sql.startsWith('-> ', i + 1))) n++;
  }
  return n * 2;
}

const WINDOWS = "source NOT IN ('w3c', 'exchange')";
const GENERIC = "source IN ('w3c', 'exchange')";

export interface PlanOptions {
  /** Regexes (as given to match()) the store refused to compile. */
  rejected?: ReadonlySet<string>;
  /** Whether the store has multiSearchAny (from its version()). */
  multiSearch?: boolean;
  /** Whether the store has isValidASCII (SqlEnv.validAscii). */
  validAscii?: boolean;
  /** Fields some stored event repeats (SqlEnv.multiValued); absent: all are treated as possibly repeated. */
  multiValued?: ReadonlySet<string>;
  /** Fields the store keeps as their own columns (SqlEnv.hot). */
  hot?: ReadonlyMap<string, HotField>;
  /** The store's placement columns (SqlEnv.place). */
  place?: PlaceExprs;
}

export function planSql(set: SigmaRuleSet, lit: (s: string) => string, opts: PlanOptions = {}): SqlPlan {
  const rejected = opts.rejected ?? new Set<string>();
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
  const colNames = new Map<string, string>();
  const colExprs: [string, string][] = [];
  const column = (expr: string): string => {
    let n = colNames.get(expr);
    if (n === undefined) {
      n = `fld_${colNames.size}`;
      colNames.set(expr, n);
      colExprs.push([n, expr]);
    }
    return n;
  };
  const base = { column, placeholders: set.placeholders, missing: new Set<string>(), lit, regexes, rejected, multiSearch: opts.multiSearch ?? false, validAscii: opts.validAscii ?? false, multiValued: opts.multiValued ?? ('all' as const), ...(opts.hot ? { hot: opts.hot } : {}), ...(opts.place ? { place: opts.place } : {}) };
  const sources = new Map<object, DetectionSource>();
  const sourceOf = (x: { data(): { source: Uint8Array } }): DetectionSource => {
    let s = sources.get(x);
    if (!s) sources.set(x, (s = deserialize(x.data().source) as DetectionSource));
    return s;
  };
  // `relax`: searches SQL cannot express pass (conditionSql's null) instead of sending the rule in-process.
  const detection = (src: DetectionSource, env: SqlEnv, relax = false): string => {
    const searches = new Map<string, string | null>();
    for (const n of usedIds(src.ast)) {
      try {
        searches.set(n, searchSql(src.searches[n], env));
      } catch (e) {
        if (!relax || !(e instanceof InProcessOnly)) throw e;
        searches.set(n, null);
      }
    }
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
    const bodyOf = (relax: boolean) => (fieldMap: ReadonlyMap<string, string>, windows: boolean, merged?: readonly MergedArm[]): string => {
      const env: SqlEnv = { ...base, fieldMap, windows, ...(merged ? { merged } : {}) };
      const parts = [detection(sourceOf(r), env, relax), ...myFilters.map((f: CompiledFilter) => detection(sourceOf(f), env, relax))];
      return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
    };
    const body = bodyOf(false);
    let cond: string;
    const where = place.kind === 'generic' ? `${GENERIC}${genericKeys(place.logsource, lit)}` : windowsBranches(place.targets, lit, opts.place ?? PLACE_COMPUTED).where;
    try {
      cond = place.kind === 'generic' ? body(new Map(), false) : windowsCond(place.targets, body, { ...base, fieldMap: new Map(), windows: true });
      if (cond.length > QUERY_TEXT_MAX || astSize(cond) > QUERY_AST_MAX) throw new InProcessOnly('query-too-large', `${cond.length} characters of SQL`);
    } catch (e) {
      if (!(e instanceof InProcessOnly)) throw e;
      // What SQL can say of the rule still narrows the events it is matched over in-process.
      let prefilter: InProcessRule['prefilter'] = null;
      try {
        const relaxed = bodyOf(true);
        const c = place.kind === 'generic' ? relaxed(new Map(), false) : windowsCond(place.targets, relaxed, { ...base, fieldMap: new Map(), windows: true });
        if (c.length <= QUERY_TEXT_MAX && astSize(c) <= QUERY_AST_MAX) prefilter = { cond: c, columns: columnsOf([c], colExprs) };
      } catch (e2) {
        if (!(e2 instanceof InProcessOnly)) throw e2;
      }
      inProcess.push({ rule, where, reason: e.reason, detail: e.detail, prefilter });
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
    let rs: SqlRule[] = [];
    let cs: string[] = [];
    let size = 0;
    let ast = 0;
    const flush = (): void => {
      if (rs.length > 0) groups.push({ label: `${key}#${groups.length}`, where: g.where, rules: rs, conds: cs, columns: columnsOf(cs, colExprs) });
      rs = [];
      cs = [];
      size = 0;
      ast = 0;
    };
    g.rules.forEach((r, i) => {
      const c = g.conds[i]!;
      const a = astSize(c);
      if (rs.length >= GROUP_MAX || size + c.length > QUERY_TEXT_MAX || ast + a > QUERY_AST_MAX) flush();
      rs.push(r);
      cs.push(c);
      size += c.length;
      ast += a;
    });
    flush();
  }
  return { groups, inProcess, correlations: set.correlations, regexes, ruleCount };
}

/** The computed columns conditions name, with those they are computed from, in definition order. */
function columnsOf(conds: readonly string[], all: readonly [string, string][]): [string, string][] {
  const used = new Set<string>();
  for (const c of conds) for (const m of c.matchAll(/\bfld_\d+\b/g)) used.add(m[0]);
  // A lower-cased column reads its raw one: walk back so every dependency is in.
  for (let i = all.length - 1; i >= 0; i--) if (used.has(all[i]![0])) for (const m of all[i]![1].matchAll(/\bfld_\d+\b/g)) used.add(m[0]);
  return all.filter(([n]) => used.has(n));
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
const PLACE_COMPUTED: PlaceExprs = { key: "concat(lowerUTF8(channel), '|', toString(event_id))", channel: 'lowerUTF8(channel)' };

function windowsBranches(targets: readonly WinTarget[], lit: (s: string) => string, place: PlaceExprs = PLACE_COMPUTED): { branches: Branch[]; where: string } {
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
            ? `${place.channel} IN (${b.keys.map((k) => lit(k.slice(0, -2))).join(', ')})`
            : `${place.key} IN (${b.keys.map(lit).join(', ')})`,
    }));
  const tests = branches.map((b) => b.test);
  return { branches, where: tests.includes('1') ? WINDOWS : `${WINDOWS} AND (${tests.join(' OR ')})` };
}

function windowsCond(
  targets: readonly WinTarget[],
  body: (fieldMap: ReadonlyMap<string, string>, windows: boolean, merged?: readonly MergedArm[]) => string,
  guardEnv: SqlEnv,
): string {
  const arms: string[] = [];
  // Where the store keeps the placement as LowCardinality columns (hot), they are read: a rule's IN test is then
  // made once per distinct key of a block, not once per event.
  const from = guardEnv.place ?? PLACE_COMPUTED;
  const place = { key: guardEnv.column(from.key), channel: guardEnv.column(from.channel) };
  const branches = windowsBranches(targets, guardEnv.lit, place).branches;
  const guardOf = (b: Branch): string | null => (b.guards.includes(null) ? null : `(${b.guards.map((g) => searchSql(g, guardEnv)).join(' OR ')})`);
  // On a store with placement columns (ClickHouse 19+), a rule on several targets is written once: its fields
  // read through each target's mapping under that target's test (SqlEnv.merged), the tests and guards apart.
  // ClickHouse plans a query in time about proportional to its text, and most Windows rules have two targets.
  if (guardEnv.place && branches.length > 1) {
    const merged = branches.map((b) => ({ test: b.test, fieldMap: targets[b.target]!.fieldMap }));
    const gate = branches.flatMap((b) => [b.test, guardOf(b) ?? '1']);
    return `(multiIf(${gate.join(', ')}, 0) AND ${body(new Map(), true, merged)})`;
  }
  for (const b of branches) {
    const guard = guardOf(b);
    const inner = body(targets[b.target]!.fieldMap, true);
    arms.push(b.test, guard ? `(${guard} AND ${inner})` : inner);
  }
  return arms.length === 2 && arms[0] === '1' ? arms[1]! : `multiIf(${arms.join(', ')}, 0)`;
}
