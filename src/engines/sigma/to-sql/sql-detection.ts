// Detection identifiers and the condition AST → one ClickHouse boolean expression, mirroring detection.ts
// (maps are AND, lists OR, keywords search every value) and compile.ts's toPred (and, or, not, x of).
import type { ResolvedNode } from '../condition.js';
import { applyModifiers, ModifierError, type RawScalar, type Val } from '../modifiers.js';
import { InProcessOnly, type SqlEnv } from './sql-env.js';
import { groupSql, present } from './sql-values.js';

function isScalar(v: unknown): v is RawScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const and = (xs: string[]): string => (xs.length === 0 ? '1' : xs.length === 1 ? xs[0]! : `(${xs.join(' AND ')})`);
const or = (xs: string[]): string => (xs.length === 0 ? '0' : xs.length === 1 ? xs[0]! : `(${xs.join(' OR ')})`);

/** One detection identifier's value (map, list of maps, keyword list). */
export function searchSql(value: unknown, env: SqlEnv): string {
  if (isMap(value)) return mapSql(value, env);
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return itemSql(null, [], value, env);
    return or(value.map((v) => (isMap(v) ? mapSql(v, env) : itemSql(null, [], [v as RawScalar], env))));
  }
  if (isScalar(value) && value !== null) return itemSql(null, [], [value], env);
  throw new InProcessOnly('bad-rule', 'a search identifier must be a map, a list or a keyword');
}

function mapSql(map: Record<string, unknown>, env: SqlEnv): string {
  const items: string[] = [];
  for (const [key, v] of Object.entries(map)) {
    const [rawField, ...mods] = key.split('|');
    const field = rawField === '' ? null : rawField!;
    const values: RawScalar[] = isScalar(v) ? [v] : (v as RawScalar[]);
    items.push(itemSql(field, mods, values, env));
  }
  return and(items);
}

// As detection.ts: without any of these a keyword is a substring search.
const SHAPING = new Set(['contains', 'startswith', 'endswith', 're', 'cidr', 'base64', 'base64offset', 'fieldref', 'exists', 'gt', 'gte', 'lt', 'lte']);

function itemSql(field: string | null, mods: string[], values: RawScalar[], env: SqlEnv): string {
  if (field === null && !mods.some((m) => SHAPING.has(m))) mods = ['contains', ...mods];
  let groups: Val[][];
  let st;
  try {
    ({ groups, st } = applyModifiers(mods, values, env));
  } catch (e) {
    if (e instanceof ModifierError) throw new InProcessOnly('bad-rule', e.message);
    throw e;
  }
  const target = field === null ? null : (env.fieldMap.get(field) ?? field);
  // A merged rule's fields resolve per arm (SqlEnv.merged): each arm's name is checked.
  const maps = env.merged ? env.merged.map((a) => a.fieldMap) : [env.fieldMap];
  const named = (f: string): string[] => maps.map((m) => m.get(f) ?? f);
  if (field !== null && env.windows && named(field).some((t) => t.includes('.'))) {
    throw new InProcessOnly('dotted-field-path', `field '${named(field).find((t) => t.includes('.'))}' may name a path into the raw event`);
  }
  for (const g of groups) for (const v of g) if (v.k === 'fieldref' && env.windows && named(v.field).some((t) => t.includes('.'))) {
    throw new InProcessOnly('dotted-field-path', `field '${v.field}' may name a path into the raw event`);
  }
  // Without `all` the groups are OR-ed: one group of every value, so long lists become one hasAny/multiSearchAny.
  const parts = st.all || groups.length === 0 ? groups.map((g) => groupSql(env, target, g, st)) : [groupSql(env, target, groups.flat(), st)];
  const p = st.all ? and(parts) : or(parts);
  if (st.neq) return target === null ? `NOT ${p}` : `(${present(env, target)} AND NOT ${p})`;
  return p;
}

/**
 * The resolved condition over the identifiers' SQL. An identifier SQL cannot express (null in `searches`; only
 * when a caller relaxes the rule) is taken as whatever lets the condition pass: true where it counts for the match
 * (an even number of `not` above it), false under `not` — every event the exact condition matches passes, so it
 * narrows what an in-process rule reads without losing a match.
 */
export function conditionSql(node: ResolvedNode, searches: ReadonlyMap<string, string | null>, positive = true): string {
  switch (node.t) {
    case 'id':
      return searches.get(node.name) ?? (positive ? '1' : '0');
    case 'and':
      return and(node.args.map((a) => conditionSql(a, searches, positive)));
    case 'or':
      return or(node.args.map((a) => conditionSql(a, searches, positive)));
    case 'not':
      return `(NOT ${conditionSql(node.arg, searches, !positive)})`;
    case 'atleast':
      return `((${node.args.map((a) => `toUInt32(${conditionSql(a, searches, positive)})`).join(' + ')}) >= ${node.n})`;
  }
}

/** Names the condition uses (only those are compiled, as compile.ts does). */
export function usedIds(node: ResolvedNode, out = new Set<string>()): Set<string> {
  if (node.t === 'id') out.add(node.name);
  else if (node.t === 'not') usedIds(node.arg, out);
  else for (const a of node.args) usedIds(a, out);
  return out;
}
