// Field tests of compiled detection items: read a field (case-folded or not) through its slot and test its
// values, written out per kind of test so that no test closure is called per value where it can be helped.
import type { Pred } from './detection.js';
import { fieldId, type FieldValue } from './fields.js';
import { HIT_ANY, HIT_END, HIT_START } from './literals.js';
import type { TimePart } from './modifiers.js';
import type { SafeRegex } from './regex.js';
import type { StringTest } from './values.js';

/** Read a field (or every value, for keywords) and test each of its values. */
export function onValues(target: string | null, fold: boolean, test: StringTest): Pred {
  if (target === null) {
    return (c) => {
      for (const v of c.allValues(fold)) if (test(v)) return true;
      return false;
    };
  }
  const id = fieldId(target);
  const each = (v: FieldValue): boolean => {
    if (v === undefined) return false;
    if (typeof v === 'string') return test(v);
    for (let i = 0; i < v.length; i++) if (test(v[i]!)) return true;
    return false;
  };
  return fold ? (c) => each(c.lowerAt(id)) : (c) => each(c.strAt(id));
}

// Field tests written out per kind, so each call site compares strings directly instead of calling a test
// closure per value (V8 cannot inline through the thousands of different closures of a rule set).

export function onEquals(id: number, fold: boolean, want: string): Pred {
  const hit = (v: FieldValue): boolean => (typeof v === 'string' ? v === want : v !== undefined && v.includes(want));
  return fold ? (c) => hit(c.lowerAt(id)) : (c) => hit(c.strAt(id));
}

export function onEqualsAny(id: number, fold: boolean, want: ReadonlySet<string>): Pred {
  const hit = (v: FieldValue): boolean => {
    if (v === undefined) return false;
    if (typeof v === 'string') return want.has(v);
    for (let i = 0; i < v.length; i++) if (want.has(v[i]!)) return true;
    return false;
  };
  return fold ? (c) => hit(c.lowerAt(id)) : (c) => hit(c.strAt(id));
}

/** Case-folded literals wanted at the start, at the end or anywhere in a value. */
interface Shaped {
  starts: string[];
  ends: string[];
  within: string[];
}

function shapedHit(v: string, sh: Shaped): boolean {
  for (let i = 0; i < sh.starts.length; i++) if (v.startsWith(sh.starts[i]!)) return true;
  for (let i = 0; i < sh.ends.length; i++) if (v.endsWith(sh.ends[i]!)) return true;
  for (let i = 0; i < sh.within.length; i++) if (v.includes(sh.within[i]!)) return true;
  return false;
}

export function onShaped(id: number, lits: readonly { lit: string; kind: number }[]): Pred {
  const sh: Shaped = { starts: [], ends: [], within: [] };
  for (const { lit, kind } of lits) (kind === HIT_START ? sh.starts : kind === HIT_END ? sh.ends : sh.within).push(lit);
  return (c) => {
    const v = c.lowerAt(id);
    if (v === undefined) return false;
    if (typeof v === 'string') return shapedHit(v, sh);
    for (let i = 0; i < v.length; i++) if (shapedHit(v[i]!, sh)) return true;
    return false;
  };
}

/**
 * A regex on a field, run only when its necessary literal occurs in the case-folded value (the same
 * literal the pre-filter trusts): the regex engine is by far the costliest test, and most values miss.
 */
export function regexWithLiteral(target: string, need: string, re: SafeRegex): Pred {
  const id = fieldId(target);
  return (c) => {
    const low = c.lowerAt(id);
    if (low === undefined) return false;
    if (typeof low === 'string') return low.includes(need) && re.test(c.strAt(id) as string);
    const raw = c.strAt(id) as readonly string[];
    for (let i = 0; i < low.length; i++) if (low[i]!.includes(need) && re.test(raw[i]!)) return true;
    return false;
  };
}

export function toNumber(x: string): number {
  const s = x.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s, 16);
  return s === '' ? NaN : Number(s);
}

export function compare(a: number, op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq', b: number): boolean {
  if (Number.isNaN(a)) return false;
  switch (op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
  }
}

/** The part of a date value in UTC (ISO week for `week`); NaN when the value is not a date. */
export function timePartOf(text: string, part: TimePart): number {
  const s = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(s) && !/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  const d = new Date(iso);
  const t = d.getTime();
  if (Number.isNaN(t)) return NaN;
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO 8601 week number: the week holding the year's first Thursday is week 1.
      const t0 = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const dayNum = t0.getUTCDay() || 7;
      t0.setUTCDate(t0.getUTCDate() + 4 - dayNum);
      const yearStart = Date.UTC(t0.getUTCFullYear(), 0, 1);
      return Math.ceil(((t0.getTime() - yearStart) / 86_400_000 + 1) / 7);
    }
  }
}
