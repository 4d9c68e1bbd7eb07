// One detection item's values → a ClickHouse boolean expression over the event's parallel keys/vals arrays,
// matching each value exactly as the closure compiler (detection.ts, field-tests.ts, values.ts) tests it.
import type { Cidr } from '../cidr.js';
import { compileRegex, RegexError } from '../regex.js';
import type { ModState, Val } from '../modifiers.js';
import { ONE, plainText, STAR, type SigmaString } from '../values.js';
import { InProcessOnly, type SqlEnv } from './sql-env.js';

/** The values of a field (every value of the event for keywords), lower-cased when `fold`. */
export function valuesOf(env: SqlEnv, target: string | null, fold: boolean): string {
  const raw = target === null ? 'vals' : env.column(`arrayFilter((v, k) -> k = ${env.lit(target)}, vals, keys)`);
  return fold ? env.column(`arrayMap(v -> lowerUTF8(v), ${raw})`) : raw;
}

/** `has(keys, F)`: the field is present (with any value, empty included) — FieldContext.strAt(id) !== undefined. */
export function present(env: SqlEnv, target: string): string {
  return `has(keys, ${env.lit(target)})`;
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
function stringTest(env: SqlEnv, s: SigmaString, fold: boolean): string {
  const parts = s.parts;
  const t = plainText(s);
  if (t !== null) return `x = ${env.lit(fold ? t.toLowerCase() : t)}`;
  const n = parts.length;
  const l = (p: string): string => env.lit(fold ? p.toLowerCase() : p);
  if (n === 1 && parts[0] === STAR) return '1';
  if (n === 2 && typeof parts[0] === 'string' && parts[1] === STAR) return `startsWith(x, ${l(parts[0])})`;
  if (n === 2 && parts[0] === STAR && typeof parts[1] === 'string') return `endsWith(x, ${l(parts[1])})`;
  if (n === 3 && parts[0] === STAR && parts[2] === STAR && typeof parts[1] === 'string') return `position(x, ${l(parts[1])}) > 0`;
  return `x LIKE ${env.lit(likePattern(parts, fold))}`;
}

/** JS `Number(x.trim())` for what SQL can read the same way (decimal, exponent, 0x hex); NaN otherwise. */
function numberOf(x: string): string {
  const s = `replaceRegexpAll(${x}, '^\\\\s+|\\\\s+$', '')`;
  return (
    `multiIf(match(${s}, '^[+-]?([0-9]+\\\\.?[0-9]*|\\\\.[0-9]+)([eE][+-]?[0-9]+)?$'), toFloat64OrZero(${s}), ` +
    `match(${s}, '^0[xX][0-9a-fA-F]{1,13}$'), toFloat64(reinterpretAsUInt64(reverse(unhex(substring(${s}, 3))))), nan)`
  );
}

function cmpSql(op: 'gt' | 'gte' | 'lt' | 'lte', n: number): string {
  const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
  // A rule's number is a JS number from YAML: finite, written as SQL reads it back (sqlLiteral's rule).
  if (!Number.isFinite(n)) throw new InProcessOnly('bad-rule', `comparison with ${n}`);
  return `${numberOf('x')} ${sym} ${String(n)}`;
}

/** An IPv4 CIDR test of `x` (parseIp + cidrContains); IPv6 ranges stay in-process. */
function cidrSql(c: Cidr): string {
  if (c.bytes.length !== 4) throw new InProcessOnly('cidr-ipv6', 'IPv6 ranges: parseIp reads every IPv6 spelling (::, embedded IPv4, zones), SQL would not');
  const net = ((c.bytes[0]! << 24) >>> 0) + (c.bytes[1]! << 16) + (c.bytes[2]! << 8) + c.bytes[3]!;
  const mask = c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0;
  const s = `replaceRegexpAll(x, '^\\\\s+|\\\\s+$', '')`;
  const num = `arraySum(arrayMap((o, m) -> toUInt64(toUInt32OrZero(o)) * m, splitByChar('.', ${s}), [16777216, 65536, 256, 1]))`;
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

/** One value group (the alternatives one rule value expanded into) of an item, OR-ed. */
export function groupSql(env: SqlEnv, target: string | null, vals: readonly Val[], st: ModState): string {
  const fold = !st.cased;
  const folded = valuesOf(env, target, fold);
  const raw = valuesOf(env, target, false);
  const tests: string[] = [];
  const out: string[] = [];
  for (const v of vals) {
    if (st.timePart) throw new InProcessOnly('time-part-modifier', `'${st.timePart}' reads dates as JavaScript's Date does`);
    switch (v.k) {
      case 'str':
        tests.push(stringTest(env, v.s, fold));
        break;
      case 'num':
      case 'bool':
        tests.push(`x = ${env.lit(String(v.k === 'num' ? v.n : v.b).toLowerCase())}`);
        break;
      case 'bytes': {
        const t = v.b.toString('latin1');
        tests.push(`x = ${env.lit(fold ? t.toLowerCase() : t)}`);
        break;
      }
      case 'null':
        if (target === null) throw new InProcessOnly('bad-rule', 'null is not a keyword');
        out.push(`(NOT ${present(env, target)} OR (length(${raw}) = 1 AND ${raw}[1] = ''))`);
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
        out.push(any(raw, `match(x, ${env.lit(sqlRe)})`));
        break;
      }
      case 'cidr':
        out.push(any(raw, cidrSql(v.c)));
        break;
      case 'fieldref': {
        if (target === null) throw new InProcessOnly('bad-rule', 'fieldref needs a field');
        const other = env.fieldMap.get(v.field) ?? v.field;
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
        out.push(any(raw, cmpSql(v.op, v.n)));
        break;
    }
  }
  // Long value lists (hash and name IOC rules) stay compact: equalities as one hasAny, substrings as one
  // multiSearchAny where the engine has it (not 18.16), the rest OR-ed inside one arrayExists.
  const eq: string[] = [];
  const within: string[] = [];
  const other: string[] = [];
  for (const t of tests) {
    const m = /^x = ('(?:[^'\\]|\\.)*')$/.exec(t);
    const c = /^position\(x, ('(?:[^'\\]|\\.)*')\) > 0$/.exec(t);
    if (m) eq.push(m[1]!);
    else if (c && env.multiSearch) within.push(c[1]!);
    else other.push(t);
  }
  if (eq.length > 1) out.unshift(`hasAny(${folded}, [${eq.join(', ')}])`);
  else if (eq.length === 1) other.unshift(`x = ${eq[0]!}`);
  if (within.length > 1) other.unshift(`multiSearchAny(x, [${within.join(', ')}])`);
  else if (within.length === 1) other.unshift(`position(x, ${within[0]!}) > 0`);
  if (other.length > 0) out.unshift(any(folded, other.length === 1 ? other[0]! : other.map((t) => `(${t})`).join(' OR ')));
  return out.length === 1 ? out[0]! : `(${out.join(' OR ')})`;
}
