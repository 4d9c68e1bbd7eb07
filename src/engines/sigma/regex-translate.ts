// Rewrites an RE2 pattern (Sigma `|re`) into a JS RegExp source without flags that means the same on
// every test() (edges of the match shortened), or says why not; regex.ts then proves the result safe.
import { oneLivePath, type Item, type Range } from './regex-one-live-path.js';
import type { RegexFlags } from './regex.js';

/**
 * The JS source (to compile with no flags) or the reason the pattern stays on re2js. `oneLivePath`:
 * steps per start position when the regex-one-live-path.ts bound holds (used when V8's linear engine
 * refuses counted repetitions above 16), else null. `unitSensitive`: see PAIR. `leadingRun`: the longest
 * class run a top-level branch must start with (a speed hint).
 */
export type Translation =
  | { source: string; oneLivePath: number | null; unitSensitive: boolean; leadingRun: number }
  | { refused: string };

class Refused extends Error {}

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
/** RE2's \s is ASCII only and has no \v (JS's \s also has \v, NBSP, U+2028, BOM...). */
const SPACE: Range[] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
const SIMPLE_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };
const KELVIN = 0x212a; // folds with k/K in RE2 (Unicode simple case folding)
const LONG_S = 0x17f; // folds with s/S
// A negated atom (`.`, [^..], \S, \W, \D) matches one code point in RE2 but one UTF-16 unit in JS without
// the `u` flag (which V8's linear engine refuses). A counted occurrence becomes "a surrogate pair, or one
// unit that is not a low surrogate", so a pair never counts twice; `X*` stays a unit class (any run of
// units is a run of code points) and `X+` is one counted X then `X*`. The JS regex then accepts exactly
// what RE2 accepts on strings without low surrogates; with a lone low surrogate it may say false where
// RE2 says true, so such values are asked of re2js (`unitSensitive`).
const PAIR = '[\\ud800-\\udbff][\\udc00-\\udfff]';
const LOW = [0xdc00, 0xdfff] as Range;

interface Mode {
  fold: boolean;
  dotall: boolean;
}

/**
 * Translate `pattern` (RE2 syntax, as re2js accepted it) with the rule's sub-modifier flags. Refuses
 * whatever it cannot rewrite exactly: lookaround, \p{..}, \Q..\E, POSIX classes, multiline mode,
 * \B, octal escapes, surrogates or astral characters in the pattern, non-ASCII text under case folding.
 */
export function translateRe2(pattern: string, flags: RegexFlags): Translation {
  if (flags.m) return { refused: 'multiline mode (JS ^ and $ also break at \\r and U+2028)' };
  try {
    const t = new Translator(pattern, { fold: flags.i, dotall: flags.s });
    const source = t.run();
    return { source, oneLivePath: oneLivePath(t.items), unitSensitive: t.unitSensitive, leadingRun: t.leadingRun };
  } catch (e) {
    if (e instanceof Refused) return { refused: e.message };
    throw e;
  }
}

class Translator {
  private i = 0;
  private out = '';
  private readonly modes: Mode[];
  readonly items: Item[] = [];
  unitSensitive = false;
  /** Longest run of a character class some top-level branch must start with (irregexp tries it at every position). */
  leadingRun = 0;
  /** Depth whose branches are the whole match: 0, or 1 when one group spans the pattern. */
  private readonly edgeDepth: number;
  /** Nothing of the current top-level branch emitted yet (its first atom touches the match start). */
  private branchStart: boolean;

  constructor(
    private readonly p: string,
    mode: Mode,
  ) {
    this.modes = [mode];
    this.edgeDepth = spansWhole(p) ? 1 : 0;
    this.branchStart = this.edgeDepth === 0;
  }

  private get depth(): number {
    return this.modes.length - 1;
  }

  private get mode(): Mode {
    return this.modes[this.modes.length - 1]!;
  }

  run(): string {
    const p = this.p;
    while (this.i < p.length) {
      const c = p[this.i]!;
      if (c === '(') this.group();
      else if (c === ')') {
        if (this.modes.length === 1) throw new Refused('unbalanced )');
        this.modes.pop();
        this.i++;
        this.out += ')';
        this.branchStart = false;
        this.items.push({ kind: 'other' });
        this.quantifier();
      } else if (c === '|') {
        this.i++;
        this.out += '|';
        this.items.push({ kind: 'other' });
        this.branchStart = this.depth === this.edgeDepth;
      } else if (c === '^' || c === '$') {
        this.i++;
        this.out += c;
        this.items.push({ kind: 'anchor', what: c });
        this.branchStart = false;
      } else if (c === '*' || c === '+' || c === '?') throw new Refused('quantifier without operand');
      else this.atom();
    }
    if (this.modes.length !== 1) throw new Refused('unclosed group');
    return this.out;
  }

  private group(): void {
    const at = this.i;
    const rest = this.p.slice(at);
    if (/^\(\?<?[=!]/.test(rest)) throw new Refused('lookaround');
    const named = /^\(\?P?<[A-Za-z0-9_]+>/.exec(rest);
    const fl = /^\(\?([A-Za-z]*)(?:-([A-Za-z]*))?([:)])/.exec(rest);
    const mode = { ...this.mode };
    if (named) this.i += named[0].length;
    else if (fl) {
      for (const [set, on] of [[fl[1]!, true], [fl[2] ?? '', false]] as const)
        for (const f of set) {
          if (f === 'i') mode.fold = on;
          else if (f === 's') mode.dotall = on;
          else if (f !== 'U') throw new Refused(`inline flag ${f}`); // U only swaps greediness: no effect on test()
        }
      this.i += fl[0].length;
      if (fl[3] === ')') {
        this.modes[this.modes.length - 1] = mode; // (?i) holds to the end of the enclosing group
        return;
      }
    } else if (rest.startsWith('(?')) throw new Refused('unknown group syntax');
    else this.i++;
    this.modes.push(mode);
    this.items.push({ kind: 'other' });
    this.out += '(?:'; // captures never matter to test()
    this.branchStart = at === 0 && this.edgeDepth === 1;
  }

  private atom(): void {
    const p = this.p;
    const c = p[this.i]!;
    let set: Range[] | null = null; // a positive set, or...
    let negated = false; // ...the set a negated atom excludes
    if (c === '.') {
      this.i++;
      set = this.mode.dotall ? [] : [[10, 10]];
      negated = true;
    } else if (c === '[') {
      ({ set, negated } = this.charClass());
    } else if (c === '\\') {
      const e = p[this.i + 1];
      if (e === 'b') {
        this.i += 2;
        this.out += '\\b';
        this.items.push({ kind: 'anchor', what: '\\b' });
        this.branchStart = false;
        this.quantifier();
        return;
      }
      if (e === 'A' || e === 'z') {
        this.i += 2;
        this.out += e === 'A' ? '^' : '$'; // no multiline mode here: start and end of text
        this.items.push({ kind: 'anchor', what: e === 'A' ? '^' : '$' });
        this.branchStart = false;
        return;
      }
      const cls = e === undefined ? null : perlClass(e);
      if (cls) {
        this.i += 2;
        set = cls;
        negated = e !== e!.toLowerCase();
      } else {
        const ch = this.escapedChar();
        set = [[ch, ch]];
      }
    } else if (c === '{' && /^\{\d+(?:,\d*)?\}/.test(p.slice(this.i))) throw new Refused('quantifier without operand');
    else {
      this.i++;
      set = [[c.charCodeAt(0), c.charCodeAt(0)]];
    }
    if (this.mode.fold) set = foldClosure(set);
    for (const [, hi] of set) if (hi >= 0xd800) throw new Refused('surrogate or astral character in the pattern');
    const q = this.peekQuantifier();
    const counted = `(?:${PAIR}|[^${classBody([...set, LOW])}])`;
    const qEnd = q === null ? this.i : this.i + q.length + (p[this.i + q.length] === '?' ? 1 : 0);
    const edge = this.depth === this.edgeDepth && (this.branchStart || qEnd === p.length || p[qEnd] === '|' || p[qEnd] === ')');
    if (this.branchStart && !negated && set.some(([lo, hi]) => hi > lo) && q !== null)
      this.leadingRun = Math.max(this.leadingRun, boundsOf(q)[0]);
    this.branchStart = false;
    if (q !== null && edge) {
      // A repeated single character touching the start or end of the match: for test() only, X{n,m} there
      // matches iff X{n} does (keep the n characters next to the rest), so irregexp never rescans runs.
      this.i = qEnd;
      if (this.peekQuantifier() !== null) throw new Refused('nested repetition');
      const n = boundsOf(q)[0];
      if (n === 0) return;
      const one = negated ? counted : emitPositive(set);
      this.unitSensitive ||= negated;
      this.out += n === 1 ? one : `${one}{${n}}`;
      this.items.push(negated ? { kind: 'counted', min: n, max: n } : { kind: 'set', set, min: n, max: n });
      return;
    }
    if (!negated) this.out += emitPositive(set);
    else if (q === '*') this.out += `[^${classBody(set)}]`;
    else if (q === '+') {
      this.i++;
      this.unitSensitive = true;
      this.out += `${counted}[^${classBody(set)}]*`; // the '+' became this '*' (and a lazy '?' follows it)
    } else {
      this.unitSensitive = true;
      this.out += counted;
    }
    const [min, max] = q === '+' && negated ? this.lazyOnly() : this.quantifier();
    if (!negated) this.items.push({ kind: 'set', set, min, max });
    else this.items.push(q === '*' || q === '+' ? { kind: 'other' } : { kind: 'counted', min, max });
  }

  /** One character given by an escape at this.i (a backslash), as a code unit. */
  private escapedChar(): number {
    const p = this.p;
    const e = p[this.i + 1];
    if (e === undefined) throw new Refused('trailing backslash');
    if (e === 'x') {
      const m = /^\\x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})/.exec(p.slice(this.i));
      if (!m) throw new Refused('bad \\x escape');
      this.i += m[0].length;
      return parseInt(m[1] ?? m[2]!, 16);
    }
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      this.i += 2;
      return simple;
    }
    if (/[A-Za-z0-9]/.test(e)) throw new Refused(`escape \\${e}`);
    this.i += 2;
    return e.charCodeAt(0);
  }

  private charClass(): { set: Range[]; negated: boolean } {
    const p = this.p;
    this.i++;
    const negated = p[this.i] === '^';
    if (negated) this.i++;
    const set: Range[] = [];
    let first = true;
    for (;;) {
      const c = p[this.i];
      if (c === undefined) throw new Refused('unclosed class');
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && p[this.i + 1] === ':') throw new Refused('POSIX class');
      if (c === '\\') {
        const e = p[this.i + 1];
        const cls = e === undefined ? null : perlClass(e);
        if (cls) {
          if (e !== e!.toLowerCase()) throw new Refused(`\\${e} inside a class`);
          set.push(...cls);
          this.i += 2;
          continue;
        }
        if (e === 'b') throw new Refused('\\b inside a class');
      }
      const lo = this.classChar();
      if (p[this.i] === '-' && p[this.i + 1] !== ']' && p[this.i + 1] !== undefined) {
        this.i++;
        if (p[this.i] === '\\' && perlClass(p[this.i + 1] ?? '')) throw new Refused('class escape as range end');
        const hi = this.classChar();
        if (hi < lo) throw new Refused('bad range');
        set.push([lo, hi]);
      } else set.push([lo, lo]);
    }
    this.i++;
    return { set, negated };
  }

  private classChar(): number {
    const c = this.p[this.i]!;
    if (c === '\\') return this.escapedChar();
    this.i++;
    return c.charCodeAt(0);
  }

  private peekQuantifier(): string | null {
    const c = this.p[this.i];
    if (c === '*' || c === '+' || c === '?') return c;
    const m = /^\{\d+(?:,\d*)?\}/.exec(this.p.slice(this.i));
    return m ? m[0] : null;
  }

  /** After a rewritten '+': copies a lazy '?', if any. */
  private lazyOnly(): [number, number] {
    if (this.p[this.i] === '?') {
      this.i++;
      this.out += '?';
    }
    if (this.peekQuantifier() !== null) throw new Refused('nested repetition');
    return [1, Infinity];
  }

  /** Copies the quantifier at this.i, if any; returns its bounds (max Infinity when unbounded). */
  private quantifier(): [number, number] {
    const q = this.peekQuantifier();
    if (q === null) return [1, 1];
    this.i += q.length;
    this.out += q;
    if (this.p[this.i] === '?') {
      this.i++;
      this.out += '?';
    }
    if (this.peekQuantifier() !== null) throw new Refused('nested repetition');
    return boundsOf(q);
  }
}

/** Bounds of a quantifier's text (max Infinity when unbounded). */
function boundsOf(q: string): [number, number] {
  if (q === '*') return [0, Infinity];
  if (q === '+') return [1, Infinity];
  if (q === '?') return [0, 1];
  const m = /^\{(\d+)(,(\d*))?\}$/.exec(q)!;
  const min = Number(m[1]);
  return [min, m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])];
}

/** Whether the pattern is one unquantified group: `(...)` whose `(` at 0 closes at the very end. */
function spansWhole(p: string): boolean {
  if (p[0] !== '(' || p[p.length - 1] !== ')' || /^\(\?<?[=!]/.test(p)) return false;
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i += p[i + 1] === '^' ? 2 : 1;
      if (p[i] === ']') i++; // a ']' right after '[' or '[^' is literal
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === p.length - 1;
  }
  return false;
}


function perlClass(e: string): Range[] | null {
  const l = e.toLowerCase();
  if (e !== 'd' && e !== 'D' && e !== 'w' && e !== 'W' && e !== 's' && e !== 'S') return null;
  return l === 'd' ? DIGIT : l === 'w' ? WORD : SPACE;
}

const inRanges = (set: readonly Range[], c: number): boolean => set.some(([lo, hi]) => lo <= c && c <= hi);

/** RE2's case-folding closure of an ASCII set (plus the two non-ASCII letters that fold into ASCII). */
function foldClosure(set: readonly Range[]): Range[] {
  const out: Range[] = [...set];
  for (const [lo, hi] of set) {
    if (hi >= 0x80) throw new Refused('non-ASCII character under case folding');
    for (const [a, z, shift] of [[0x41, 0x5a, 0x20], [0x61, 0x7a, -0x20]] as const) {
      const l = Math.max(lo, a);
      const h = Math.min(hi, z);
      if (l <= h) out.push([l + shift, h + shift]);
    }
  }
  if (inRanges(out, 0x6b)) out.push([KELVIN, KELVIN]);
  if (inRanges(out, 0x73)) out.push([LONG_S, LONG_S]);
  return out;
}

function esc(c: number): string {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return String.fromCharCode(c);
  return c < 0x100 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

function classBody(set: readonly Range[]): string {
  return set.map(([lo, hi]) => (lo === hi ? esc(lo) : `${esc(lo)}-${esc(hi)}`)).join('');
}

/** A single character stays a literal (irregexp searches literals fast); anything else is a class. */
function emitPositive(set: readonly Range[]): string {
  if (set.length === 1 && set[0]![0] === set[0]![1]) return esc(set[0]![0]);
  return `[${classBody(set)}]`;
}
