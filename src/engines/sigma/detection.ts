// Detection identifiers → predicates: maps (AND), lists of maps (OR), keyword lists, and each
// `field|modifiers: values` item compiled once into closures over a per-event FieldContext.
import type { DiagnosticCode } from '../../diagnostics.js';
import { cidrContains, parseIp } from './cidr.js';
import { compare, onEquals, onEqualsAny, onShaped, onValues, regexWithLiteral, timePartOf, toNumber } from './field-tests.js';
import { fieldId, type FieldContext } from './fields.js';
import { applyModifiers, ModifierError, type ModifierEnv, type ModState, type RawScalar, type TimePart, type Val } from './modifiers.js';
import { compileRegex, RegexError, requiredLiteral, type SafeRegex } from './regex.js';
import { HIT_ANY, HIT_END, HIT_START, LiteralSet } from './literals.js';
import { compileString, literalShape, plainText, type SigmaString, type StringTest } from './values.js';

export type Pred = (ctx: FieldContext) => boolean;

/**
 * A literal that must occur (case-folded) in a field's value for a predicate to be true; a predicate's
 * atoms are alternatives: if none occurs, the predicate is false. null = no such literal is known.
 * `field` null means "in any value" (keyword search).
 */
export interface Atom {
  field: string | null;
  lit: string;
}
/**
 * A predicate's necessary literals in conjunctive form: every clause needs one of its atoms to occur, or
 * the predicate is false. null = no clause is known.
 */
export type Clauses = Atom[][];
export interface Compiled {
  p: Pred;
  atoms: Clauses | null;
}

/** Clauses kept per predicate; the pre-filter holds one bit per clause. */
export const MAX_CLAUSES = 8;
/**
 * Besides its most selective clause, an AND keeps only clauses of long literals: short ones (`GET`, a
 * status code) are whole values of small-domain fields, cost a field scan per event and select little.
 */
const EXTRA_CLAUSE_MIN = 5;

function minLen(c: Atom[]): number {
  return Math.min(...c.map((x) => x.lit.length));
}
/**
 * How selective a clause looks: its shortest literal first, then fewer alternatives. A clause of one short
 * literal (3 characters or fewer) on one field is nearly always a whole value of a small-domain field (the
 * method GET, a status code, a logon type): it selects little, so any other clause comes first (the SSTI
 * web rule was a candidate on every GET line instead of on lines with '={{' or '=${').
 */
function clauseScore(c: Atom[]): number {
  if (c.length === 1 && c[0]!.field !== null && c[0]!.lit.length <= 3) return 0;
  return minLen(c) * 1000 - c.length;
}
function bestClause(cs: Clauses): Atom[] {
  let best = cs[0]!;
  for (const c of cs) if (clauseScore(c) > clauseScore(best)) best = c;
  return best;
}

/** Necessary literals of an AND: the children's best clause, plus their long-literal clauses. */
export function atomsAnd(sets: (Clauses | null)[]): Clauses | null {
  const all: Atom[][] = [];
  for (const s of sets) if (s) for (const c of s) if (c.length > 0) all.push(c);
  if (all.length === 0) return null;
  const best = bestClause(all);
  const out = [best, ...all.filter((c) => c !== best && minLen(c) >= EXTRA_CLAUSE_MIN).sort((a, b) => clauseScore(b) - clauseScore(a))];
  if (out.length > MAX_CLAUSES) out.length = MAX_CLAUSES;
  return out;
}
/** Necessary literals of an OR: every child needs a clause; one clause, the union of each child's best. */
export function atomsOr(sets: (Clauses | null)[]): Clauses | null {
  const out: Atom[] = [];
  for (const s of sets) {
    if (!s || s.length === 0) return null;
    out.push(...bestClause(s));
  }
  return [out];
}

export class DetectionError extends Error {
  constructor(
    message: string,
    readonly code: DiagnosticCode,
    /** YAML path of the offending node, for its line number. */
    readonly path: (string | number)[],
  ) {
    super(message);
  }
}

export interface CompileEnv extends ModifierEnv {
  /** Sigma field name → event field name (logsource field mappings such as Image → NewProcessName). */
  fieldMap: ReadonlyMap<string, string>;
  /** Regexes compiled so far (for the safety report and the hostile-input test). */
  regexes: SafeRegex[];
  /** Every Sigma field name the compiled searches look up (filled while compiling, when given). */
  fieldsSeen?: Set<string>;
}

const TRUE: Pred = () => true;
const FALSE: Pred = () => false;

function isScalar(v: unknown): v is RawScalar {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}
function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The children of each AND/OR closure, so that nested ones of the same kind merge into one level (a rule is
// an AND of maps of ANDs of items...): fewer closure calls per event, same order of evaluation, and the
// predicates are pure, so the result is the same.
const andKids = new WeakMap<Pred, readonly Pred[]>();
const orKids = new WeakMap<Pred, readonly Pred[]>();

export function and(ps: Pred[]): Pred {
  const all: Pred[] = [];
  for (const p of ps) if (p !== TRUE) all.push(...(andKids.get(p) ?? [p]));
  if (all.length === 0) return TRUE;
  if (all.length === 1) return all[0]!;
  let out: Pred;
  if (all.length === 2) {
    const [a, b] = all as [Pred, Pred];
    out = (c) => a(c) && b(c);
  } else if (all.length === 3) {
    const [a, b, d] = all as [Pred, Pred, Pred];
    out = (c) => a(c) && b(c) && d(c);
  } else {
    out = (c) => {
      for (let i = 0; i < all.length; i++) if (!all[i]!(c)) return false;
      return true;
    };
  }
  andKids.set(out, all);
  return out;
}
export function or(ps: Pred[]): Pred {
  const all: Pred[] = [];
  for (const p of ps) if (p !== FALSE) all.push(...(orKids.get(p) ?? [p]));
  if (all.length === 0) return FALSE;
  if (all.length === 1) return all[0]!;
  let out: Pred;
  if (all.length === 2) {
    const [a, b] = all as [Pred, Pred];
    out = (c) => a(c) || b(c);
  } else if (all.length === 3) {
    const [a, b, d] = all as [Pred, Pred, Pred];
    out = (c) => a(c) || b(c) || d(c);
  } else {
    out = (c) => {
      for (let i = 0; i < all.length; i++) if (all[i]!(c)) return true;
      return false;
    };
  }
  orKids.set(out, all);
  return out;
}

/** Compile one detection identifier's value. Throws DetectionError. */
export function compileSearch(value: unknown, env: CompileEnv, path: (string | number)[]): Compiled {
  if (isMap(value)) return compileMap(value, env, path);
  if (Array.isArray(value)) {
    if (value.length === 0) throw new DetectionError('empty list', 'SIGMA_BAD_RULE', path);
    if (value.every(isScalar)) return compileItem(null, [], value, env, path);
    const parts = value.map((v, i) => {
      if (isMap(v)) return compileMap(v, env, [...path, i]);
      if (isScalar(v)) return compileItem(null, [], [v], env, [...path, i]);
      throw new DetectionError('a list may hold maps or plain values only', 'SIGMA_BAD_RULE', [...path, i]);
    });
    return { p: or(parts.map((x) => x.p)), atoms: atomsOr(parts.map((x) => x.atoms)) };
  }
  if (isScalar(value) && value !== null) return compileItem(null, [], [value], env, path);
  throw new DetectionError('a search identifier must be a map, a list or a keyword', 'SIGMA_BAD_RULE', path);
}

function compileMap(map: Record<string, unknown>, env: CompileEnv, path: (string | number)[]): Compiled {
  const items: Compiled[] = [];
  for (const [key, v] of Object.entries(map)) {
    const p = [...path, key];
    const [rawField, ...mods] = key.split('|');
    const field = rawField === '' ? null : rawField!;
    let values: RawScalar[];
    if (isScalar(v)) values = [v];
    else if (Array.isArray(v) && v.every(isScalar)) values = v;
    else throw new DetectionError(`value of '${key}' must be a plain value or a list of plain values`, 'SIGMA_BAD_RULE', p);
    if (values.length === 0) throw new DetectionError(`empty value list for '${key}'`, 'SIGMA_BAD_RULE', p);
    items.push(compileItem(field, mods, values, env, p));
  }
  if (items.length === 0) throw new DetectionError('empty map', 'SIGMA_BAD_RULE', path);
  return { p: and(items.map((x) => x.p)), atoms: atomsAnd(items.map((x) => x.atoms)) };
}

// Modifiers that decide how a keyword is matched; without any, a keyword is a substring search.
const SHAPING = new Set(['contains', 'startswith', 'endswith', 're', 'cidr', 'base64', 'base64offset', 'fieldref', 'exists', 'gt', 'gte', 'lt', 'lte']);

function compileItem(field: string | null, mods: string[], values: RawScalar[], env: CompileEnv, path: (string | number)[]): Compiled {
  if (field === null && !mods.some((m) => SHAPING.has(m))) mods = ['contains', ...mods];
  let groups: Val[][];
  let st: ModState;
  try {
    ({ groups, st } = applyModifiers(mods, values, env));
  } catch (e) {
    if (e instanceof ModifierError) throw new DetectionError(e.message, e.unknown ? 'SIGMA_UNKNOWN_MODIFIER' : 'SIGMA_BAD_MODIFIER', path);
    throw e;
  }
  if (field !== null) env.fieldsSeen?.add(field);
  const target = field === null ? null : (env.fieldMap.get(field) ?? field);
  const groupPreds = groups.map((g) => compileGroup(target, g, st, env, path));
  let p = st.all ? and(groupPreds) : or(groupPreds);
  if (st.neq) {
    const inner = p;
    const id = target === null ? -1 : fieldId(target);
    p = target === null ? (c) => !inner(c) : (c) => c.strAt(id) !== undefined && !inner(c);
    return { p, atoms: null };
  }
  const groupAtoms = groups.map((g) => (st.timePart ? null : atomsOr(g.map((v) => valueAtom(target, v)))));
  return { p, atoms: st.all ? atomsAnd(groupAtoms) : atomsOr(groupAtoms) };
}

/** The longest literal a value needs in the field (case-folded), or null. */
function valueAtom(field: string | null, v: Val): Clauses | null {
  let lit = '';
  switch (v.k) {
    case 'str':
      for (const part of v.s.parts) if (typeof part === 'string' && part.length > lit.length) lit = part;
      break;
    case 'num':
    case 'bool':
      lit = String(v.k === 'num' ? v.n : v.b);
      break;
    case 'bytes':
      lit = v.b.toString('latin1');
      break;
    case 're':
      lit = requiredLiteral(v.pattern) ?? '';
      break;
    default:
      return null;
  }
  lit = lit.toLowerCase();
  return lit ? [[{ field, lit }]] : null;
}

/** From this many case-folded prefix/suffix/substring literals on, a group tests them in one automaton pass. */
const LITERAL_SET_MIN = 6;

function compileGroup(target: string | null, vals: Val[], st: ModState, env: CompileEnv, path: (string | number)[]): Pred {
  const fold = !st.cased;
  // Plain equalities collapse into one Set lookup; other string tests are tried in turn.
  const equals = new Set<string>();
  const tests: StringTest[] = [];
  const preds: Pred[] = [];
  // Case-folded prefix/suffix/substring literals: one automaton pass when there are many.
  const shaped: { lit: string; kind: number; s: SigmaString }[] = [];
  for (const v of vals) {
    if (st.timePart) {
      preds.push(timePartPred(target, st.timePart, v, path));
      continue;
    }
    switch (v.k) {
      case 'str': {
        const t = plainText(v.s);
        if (t !== null) {
          equals.add(fold ? t.toLowerCase() : t);
          break;
        }
        const shape = fold ? literalShape(v.s) : null;
        if (shape) shaped.push({ lit: shape.lit.toLowerCase(), kind: shape.kind === 'start' ? HIT_START : shape.kind === 'end' ? HIT_END : HIT_ANY, s: v.s });
        else tests.push(compileString(v.s, fold).test);
        break;
      }
      case 'num':
      case 'bool':
        equals.add(String(v.k === 'num' ? v.n : v.b).toLowerCase());
        break;
      case 'bytes': {
        const t = v.b.toString('latin1');
        equals.add(fold ? t.toLowerCase() : t);
        break;
      }
      case 'null':
        if (target === null) throw new DetectionError('null is not a keyword', 'SIGMA_BAD_RULE', path);
        const id = fieldId(target);
        preds.push((c) => {
          const x = c.strAt(id);
          return x === undefined || x === '' || (typeof x !== 'string' && x.length === 0);
        });
        break;
      case 're': {
        let re: SafeRegex;
        try {
          re = compileRegex(v.pattern, st.reFlags ?? { i: false, m: false, s: false });
        } catch (e) {
          if (e instanceof RegexError) throw new DetectionError(e.message, 'SIGMA_BAD_REGEX', path);
          throw e;
        }
        env.regexes.push(re);
        // The regex runs only on values holding a character or text every match needs: a single character
        // (the backtick of PowerShell obfuscation rules) is no use to the pre-filter but spares most runs.
        // A single letter is not used: RE2 folds 's' with U+017F, which toLowerCase() does not.
        const one = requiredLiteral(v.pattern, 1) ?? '';
        const need = one.length > 1 || /^\P{L}$/u.test(one) ? one : '';
        preds.push(need && target !== null ? regexWithLiteral(target, need, re) : onValues(target, false, (x) => re.test(x)));
        break;
      }
      case 'cidr': {
        const c = v.c;
        preds.push(
          onValues(target, false, (x) => {
            const ip = parseIp(x);
            return ip !== null && cidrContains(c, ip);
          }),
        );
        break;
      }
      case 'fieldref': {
        if (target === null) throw new DetectionError('fieldref needs a field', 'SIGMA_BAD_MODIFIER', path);
        const a0 = fieldId(target);
        env.fieldsSeen?.add(v.field);
        const b0 = fieldId(env.fieldMap.get(v.field) ?? v.field);
        preds.push((c) => {
          const a = fold ? c.lowerAt(a0) : c.strAt(a0);
          const b = fold ? c.lowerAt(b0) : c.strAt(b0);
          if (a === undefined || b === undefined) return false;
          return String(a) === String(b);
        });
        break;
      }
      case 'exists': {
        if (target === null) throw new DetectionError('exists needs a field', 'SIGMA_BAD_MODIFIER', path);
        const want = v.b;
        const id = fieldId(target);
        preds.push((c) => (c.strAt(id) !== undefined) === want);
        break;
      }
      case 'cmp': {
        const { op, n } = v;
        preds.push(onValues(target, false, (x) => compare(toNumber(x), op, n)));
        break;
      }
    }
  }
  // Cheapest first (the tests are pure, so the order changes the time only): equality, a few
  // prefix/suffix/substring literals, other string tests, a literal set, then the rest as written.
  const first: Pred[] = [];
  const id = target === null ? -1 : fieldId(target);
  if (equals.size === 1) {
    const [only] = equals;
    first.push(target === null ? onValues(null, fold, (x) => x === only) : onEquals(id, fold, only!));
  } else if (equals.size > 1) first.push(target === null ? onValues(null, fold, (x) => equals.has(x)) : onEqualsAny(id, fold, equals));
  if (shaped.length > 0 && shaped.length < LITERAL_SET_MIN && target !== null) first.push(onShaped(id, shaped));
  else if (shaped.length > 0 && shaped.length < LITERAL_SET_MIN) for (const x of shaped) tests.push(compileString(x.s, fold).test);
  if (tests.length === 1) first.push(onValues(target, fold, tests[0]!));
  else if (tests.length > 1)
    first.push(
      onValues(target, fold, (x) => {
        for (const t of tests) if (t(x)) return true;
        return false;
      }),
    );
  if (shaped.length >= LITERAL_SET_MIN) {
    const set = new LiteralSet(shaped);
    first.push(onValues(target, true, (x) => set.test(x)));
  }
  preds.unshift(...first);
  return or(preds);
}

function timePartPred(target: string | null, part: TimePart, v: Val, path: (string | number)[]): Pred {
  if (target === null) throw new DetectionError(`'${part}' needs a field`, 'SIGMA_BAD_MODIFIER', path);
  let op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
  let n: number;
  if (v.k === 'cmp') ({ op, n } = v);
  else if (v.k === 'num') [op, n] = ['eq', v.n];
  else if (v.k === 'str' && /^\d+$/.test(v.raw)) [op, n] = ['eq', Number(v.raw)];
  else throw new DetectionError(`'${part}' needs a number`, 'SIGMA_BAD_MODIFIER', path);
  return onValues(target, false, (x) => compare(timePartOf(x, part), op, n));
}
