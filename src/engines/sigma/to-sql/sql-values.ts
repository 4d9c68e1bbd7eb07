// One detection item's values → a ClickHouse boolean expression over the event's parallel keys/vals arrays,
// matching each value exactly as the closure compiler (detection.ts, field-tests.ts, values.ts) tests it.
import type { Cidr } from '../cidr.js';
import { compileRegex, RegexError } from '../regex.js';
import type { ModState, Val } from '../modifiers.js';
import { ONE, plainText, STAR, type SigmaString } from '../values.js';
import { InProcessOnly, type MergedArm, type SqlEnv } from './sql-env.js';

/**
 * A merged rule's field (SqlEnv.merged): `part` of it under each arm's mapping, chosen by the arm's placement
 * test, as one column; `none` where no arm applies (the rule's guard is false there).
 */
function perArm(env: SqlEnv & { merged: readonly MergedArm[] }, target: string, none: string, part: (armEnv: SqlEnv, armTarget: string) => string): string {
  const arms = env.merged.flatMap((a) => {
    const armEnv: SqlEnv = { ...env, fieldMap: a.fieldMap, merged: undefined };
    return [a.test, part(armEnv, a.fieldMap.get(target) ?? target)];
  });
  return env.column(`multiIf(${arms.join(', ')}, ${none})`);
}

const isMerged = (env: SqlEnv): env is SqlEnv & { merged: readonly MergedArm[] } => env.merged !== undefined;

/** The values of a field (every value of the event for keywords), lower-cased when `fold`. */
export function valuesOf(env: SqlEnv, target: string | null, fold: boolean): string {
  if (target !== null && isMerged(env)) return perArm(env, target, '[]', (e, t) => valuesOf(e, t, fold));
  const raw = env.column(target === null ? 'vals' : `arrayFilter((v, k) -> k = ${env.lit(target)}, vals, keys)`);
  return fold ? env.column(`arrayMap(v -> lowerUTF8(v), ${raw})`) : raw;
}

/**
 * A field no stored event names twice (SqlEnv.multiValued): its one value read once per event as a plain
 * column, tested without a lambda (ClickHouse spends its planning time analysing every lambda written out).
 * `present` tests that the event has it, `val` is its value ('' when absent), lower-cased when `fold`. A field the
 * store keeps as its own column (SqlEnv.hot) is read from there: a LowCardinality column, whose tests ClickHouse
 * evaluates once per distinct value of a block rather than once per event.
 */
function scalarOf(env: SqlEnv, target: string, fold: boolean): { present: string; val: string } {
  if (isMerged(env)) {
    return { present: perArm(env, target, '0', (e, t) => scalarOf(e, t, false).present), val: perArm(env, target, "''", (e, t) => scalarOf(e, t, fold).val) };
  }
  const hot = env.hot?.get(target);
  if (hot !== undefined) {
    const raw = env.column(hot.column);
    return { present: `${env.column(`bitAnd(${hot.mask}, ${hot.bit})`)} != 0`, val: fold ? env.column(`lowerUTF8(${raw})`) : raw };
  }
  const at = env.column(`indexOf(keys, ${env.lit(target)})`);
  const raw = env.column(`vals[${at}]`);
  return { present: `${at} > 0`, val: fold ? env.column(`lowerUTF8(${raw})`) : raw };
}

/** Whether a field's tests may read it as one value (never a keyword search over every value). */
function isScalar(env: SqlEnv, target: string | null): target is string {
  if (target !== null && isMerged(env)) return env.merged.every((a) => isScalar({ ...env, merged: undefined }, a.fieldMap.get(target) ?? target));
  return target !== null && env.multiValued !== 'all' && !env.multiValued.has(target);
}

/** `has(keys, F)`: the field is present (with any value, empty included) — FieldContext.strAt(id) !== undefined. */
export function present(env: SqlEnv, target: string): string {
  if (isMerged(env) && !isScalar(env, target)) return perArm(env, target, '0', (e, t) => present(e, t));
  return isScalar(env, target) ? scalarOf(env, target, false).present : env.column(`has(keys, ${env.lit(target)})`);
}

const any = (arr: string, body: string): string => `arrayExists(x -> ${body}, ${arr})`;

// LIKE metacharacters escaped with a backslash (ClickHouse's LIKE escape), then the pattern is a literal.
function likePattern(parts: SigmaString['parts'], fold: boolean): string {
  let out = '';
  for (const p of parts) {
    if (p === STAR) out += '%';
    else if (p === ONE) out += '_';
    else out += (fold ? p.toLowerCase() : p).replace(/[\\%_]/g, (c) => `\\${c}`);
  }
  return out;
}

/** A Sigma string (wildcards resolved by parseSigmaString) as a test of `x`. */
function stringTest(env: SqlEnv, s: SigmaString, fold: boolean, x: string): string {
  const parts = s.parts;
  const t = plainText(s);
  if (t !== null) return `${x} = ${env.lit(fold ? t.toLowerCase() : t)}`;
  const n = parts.length;
  const l = (p: string): string => env.lit(fold ? p.toLowerCase() : p);
  if (n === 1 && parts[0] === STAR) return '1';
  if (n === 2 && typeof parts[0] === 'string' && parts[1] === STAR) return `startsWith(${x}, ${l(parts[0])})`;
  if (n === 2 && parts[0] === STAR && typeof parts[1] === 'string') return `endsWith(${x}, ${l(parts[1])})`;
  if (n === 3 && parts[0] === STAR && parts[2] === STAR && typeof parts[1] === 'string') return `position(${x}, ${l(parts[1])}) > 0`;
  return `${x} LIKE ${env.lit(likePattern(parts, fold))}`;
}

/** JS `Number(x.trim())` for what SQL can read the same way (decimal, exponent, 0x hex); NaN otherwise. */
function numberOf(x: string): string {
  const s = `replaceRegexpAll(${x}, '^\\\\s+|\\\\s+$', '')`;
  return (
    `multiIf(match(${s}, '^[+-]?([0-9]+\\\\.?[0-9]*|\\\\.[0-9]+)([eE][+-]?[0-9]+)?$'), toFloat64OrZero(${s}), ` +
    `match(${s}, '^0[xX][0-9a-fA-F]{1,13}$'), toFloat64(reinterpretAsUInt64(reverse(unhex(substring(${s}, 3))))), nan)`
  );
}

function cmpSql(op: 'gt' | 'gte' | 'lt' | 'lte', n: number, x: string): string {
  const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
  // A rule's number is a JS number from YAML: finite, written as SQL reads it back (sqlLiteral's rule).
  if (!Number.isFinite(n)) throw new InProcessOnly('bad-rule', `comparison with ${n}`);
  return `${numberOf(x)} ${sym} ${String(n)}`;
}

/** An IPv4 CIDR test of `x` (parseIp + cidrContains); IPv6 ranges stay in-process. */
function cidrSql(c: Cidr, x: string): string {
  if (c.bytes.length !== 4) throw new InProcessOnly('cidr-ipv6', 'IPv6 ranges: parseIp reads every IPv6 spelling (::, embedded IPv4, zones), SQL would not');
  const net = ((c.bytes[0]! << 24) >>> 0) + (c.bytes[1]! << 16) + (c.bytes[2]! << 8) + c.bytes[3]!;
  const mask = c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0;
  const s = `replaceRegexpAll(${x}, '^\\\\s+|\\\\s+$', '')`;
  // Four parts whatever the value: the hunt runs without short-circuit evaluation, so this is computed for
  // values the match() below refuses too, and arrayMap needs arrays of equal size.
  const num = `arraySum(arrayMap((o, m) -> toUInt64(toUInt32OrZero(o)) * m, arrayResize(splitByChar('.', ${s}), 4, ''), [16777216, 65536, 256, 1]))`;
  return (
    `(match(${s}, '^[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}\\\\.[0-9]{1,3}$') AND ` +
    `arrayAll(o -> toUInt32OrZero(o) <= 255, splitByChar('.', ${s})) AND bitAnd(${num}, ${mask}) = ${(net & mask) >>> 0})`
  );
}

/**
 * A regex as ClickHouse's match() (RE2) must see it: ClickHouse sets dot-matches-newline, so the s flag is
 * always stated; i and m as inline flags, as re2js takes them from the rule's sub-modifiers.
 */
export function regexForClickHouse(pattern: string, flags: { i: boolean; m: boolean; s: boolean }): string {
  return `(?${flags.s ? 's' : '-s'})${flags.i ? '(?i)' : ''}${flags.m ? '(?m)' : ''}${pattern}`;
}

/** Needles one multiSearchAny takes (ClickHouse's limit). */
const MULTI_SEARCH_MAX = 255;

/** Whether a value may contain one of `needles` (SQL literals) ignoring ASCII case: multiSearchAnyCaseInsensitive, ≤ 255 at a time. */
function mayContain(needles: readonly string[], x: string): string {
  const parts: string[] = [];
  for (let i = 0; i < needles.length; i += MULTI_SEARCH_MAX) parts.push(`multiSearchAnyCaseInsensitive(${x}, [${needles.slice(i, i + MULTI_SEARCH_MAX).join(', ')}])`);
  return parts.join(' OR ');
}

/**
 * A field's values as an array, lower-cased, keeping only those that may pass a group of case-insensitive equality
 * and substring tests (`tests`, all of those kinds): lowerUTF8 of every value of every event costs several times the
 * tests (a keyword rule over all of a Windows event's values, 1 M bench events: 1.3 CPU-s, 0.4 with this). Exact:
 * a value that passes lowerUTF8-then-test either is ASCII, where lowerUTF8 is ASCII lower-casing and the needles
 * are lower-case already, so the ASCII-case-insensitive search finds them; or it is not (UTF-8 longer than its
 * characters, or not valid UTF-8; isValidASCII where the store has it, a third cheaper): kept whatever it holds
 * (so K KELVIN SIGN, lower-cased to 'k', is never lost).
 * null where the tests are of another kind, an empty needle passes every value, or the store lacks multiSearch.
 */
function prefilteredValues(env: SqlEnv, target: string | null, tests: readonly Test[]): string | null {
  if (!env.multiSearch || tests.length === 0 || tests.some((t) => t.k === 'other' || t.lit === "''")) return null;
  const needles = [...new Set(tests.map((t) => (t.k === 'other' ? '' : t.lit)))];
  const notAscii = env.validAscii ? 'NOT isValidASCII(v)' : 'NOT isValidUTF8(v) OR lengthUTF8(v) != length(v)';
  const keep = `arrayFilter(v -> ${mayContain(needles, 'v')} OR ${notAscii}, ${valuesOf(env, target, false)})`;
  return env.column(`arrayMap(v -> lowerUTF8(v), ${env.column(keep)})`);
}

/** A test of one value `x`, kept apart by shape so long lists become one hasAny / IN / multiSearchAny. */
type Test = { k: 'eq' | 'within'; lit: string } | { k: 'other'; sql: (x: string) => string };

/** One value group (the alternatives one rule value expanded into) of an item, OR-ed. */
export function groupSql(env: SqlEnv, target: string | null, vals: readonly Val[], st: ModState): string {
  const fold = !st.cased;
  const scalar = isScalar(env, target);
  // A test of the field's values: over its one value where no event repeats it, else over the array.
  const over = (f: boolean, body: (x: string) => string): string => {
    if (!scalar) return any(f ? foldedValues() : valuesOf(env, target, false), body('x'));
    const { present: has, val } = scalarOf(env, target, f);
    return `(${has} AND ${body(val)})`;
  };
  const tests: Test[] = [];
  const out: string[] = [];
  const lower = (t: string): string => (fold ? t.toLowerCase() : t);
  // The lower-cased values of a field read as an array (every value, for keywords), cut first to those that may match.
  let folded: string | null = null;
  const foldedValues = (): string => (folded ??= prefilteredValues(env, target, tests) ?? valuesOf(env, target, true));
  for (const v of vals) {
    if (st.timePart) throw new InProcessOnly('time-part-modifier', `'${st.timePart}' reads dates as JavaScript's Date does`);
    switch (v.k) {
      case 'str': {
        const t = plainText(v.s);
        const p = v.s.parts;
        if (t !== null) tests.push({ k: 'eq', lit: env.lit(lower(t)) });
        else if (p.length === 3 && p[0] === STAR && p[2] === STAR && typeof p[1] === 'string') tests.push({ k: 'within', lit: env.lit(lower(p[1])) });
        else tests.push({ k: 'other', sql: (x) => stringTest(env, v.s, fold, x) });
        break;
      }
      case 'num':
      case 'bool':
        tests.push({ k: 'eq', lit: env.lit(String(v.k === 'num' ? v.n : v.b).toLowerCase()) });
        break;
      case 'bytes':
        tests.push({ k: 'eq', lit: env.lit(lower(v.b.toString('latin1'))) });
        break;
      case 'null':
        if (target === null) throw new InProcessOnly('bad-rule', 'null is not a keyword');
        if (scalar) {
          const { present: has, val } = scalarOf(env, target, false);
          out.push(`(NOT ${has} OR ${val} = '')`);
        } else {
          const raw = valuesOf(env, target, false);
          out.push(`(NOT ${present(env, target)} OR (length(${raw}) = 1 AND ${raw}[1] = ''))`);
        }
        break;
      case 're': {
        const flags = st.reFlags ?? { i: false, m: false, s: false };
        let re;
        try {
          re = compileRegex(v.pattern, flags);
        } catch (e) {
          if (e instanceof RegexError) throw new InProcessOnly('bad-rule', e.message);
          throw e;
        }
        if (re.engine === 'fallback') throw new InProcessOnly('regex-lookaround', `RE2 has no lookaround or backreferences: ${v.pattern}`);
        const sqlRe = regexForClickHouse(v.pattern, flags);
        if (env.rejected.has(sqlRe)) throw new InProcessOnly('regex-store-rejects', `the store's RE2 refuses ${v.pattern}`);
        env.regexes.add(sqlRe);
        out.push(over(false, (x) => `match(${x}, ${env.lit(sqlRe)})`));
        break;
      }
      case 'cidr':
        out.push(over(false, (x) => cidrSql(v.c, x)));
        break;
      case 'fieldref': {
        if (target === null) throw new InProcessOnly('bad-rule', 'fieldref needs a field');
        const other = env.fieldMap.get(v.field) ?? v.field;
        // Two fields no event repeats: their one values (a hot column's where kept), not arrays filtered out of
        // keys/vals per event (process creation's value sets at 10 M bench events: 3.4 → 2.5 CPU-s).
        if (isScalar(env, target) && isScalar(env, other)) {
          const a = scalarOf(env, target, fold);
          const b = scalarOf(env, other, fold);
          out.push(`(${a.present} AND ${b.present} AND ${a.val} = ${b.val})`);
          break;
        }
        out.push(
          `(${present(env, target)} AND ${present(env, other)} AND arrayStringConcat(${valuesOf(env, target, fold)}, ',') = arrayStringConcat(${valuesOf(env, other, fold)}, ','))`,
        );
        break;
      }
      case 'exists':
        if (target === null) throw new InProcessOnly('bad-rule', 'exists needs a field');
        out.push(v.b ? present(env, target) : `NOT ${present(env, target)}`);
        break;
      case 'cmp':
        out.push(over(false, (x) => cmpSql(v.op, v.n, x)));
        break;
    }
  }
  // Long value lists (hash and name IOC rules) stay compact: equalities as one hasAny (IN for one value),
  // substrings as one multiSearchAny where the engine has it (not 18.16), the rest OR-ed in one test.
  const eq = tests.flatMap((t) => (t.k === 'eq' ? [t.lit] : []));
  const within = tests.flatMap((t) => (t.k === 'within' ? [t.lit] : []));
  const other = tests.flatMap((t) => (t.k === 'other' ? [t.sql] : []));
  // multiSearchAny takes at most 255 needles: longer lists are several, OR-ed.
  if (within.length > 1 && env.multiSearch)
    for (let i = within.length - (within.length % MULTI_SEARCH_MAX || MULTI_SEARCH_MAX); i >= 0; i -= MULTI_SEARCH_MAX) {
      const chunk = within.slice(i, i + MULTI_SEARCH_MAX);
      other.unshift((x) => `multiSearchAny(${x}, [${chunk.join(', ')}])`);
    }
  else for (const l of within) other.push((x) => `position(${x}, ${l}) > 0`);
  if (eq.length > 1 && !scalar) out.unshift(`hasAny(${fold ? foldedValues() : valuesOf(env, target, false)}, [${eq.join(', ')}])`);
  else if (eq.length > 1) other.unshift((x) => `${x} IN (${eq.join(', ')})`);
  else if (eq.length === 1) other.unshift((x) => `${x} = ${eq[0]!}`);
  if (other.length > 0) out.unshift(over(fold, (x) => (other.length === 1 ? other[0]!(x) : `(${other.map((t) => t(x)).join(' OR ')})`)));
  return out.length === 1 ? out[0]! : `(${out.join(' OR ')})`;
}
