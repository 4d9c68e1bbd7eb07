// Safe regular expressions for `|re`: rule regexes run on attacker-controlled log text. RE2-valid ones run on
// V8 (irregexp, with the linear engine taking over on excessive backtracking) when a rewrite to JS syntax
// provably runs on that linear engine, else on re2js; lookaround/backreferences on bounded input, listed.
import { setFlagsFromString } from 'node:v8';
import { RE2JS } from 're2js';
import { maxMatchLength } from './regex-length.js';
import { translateRe2 } from './regex-translate.js';

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

export interface SafeRegex {
  /**
   * 'native': V8 RegExp of a JS rewrite of the pattern that V8's linear-time engine accepts, so excessive
   * backtracking hands over to it (linear). 're2': re2js (linear). 'run': a counted repetition of any
   * character, decided by counting (linear, see anyCharRun). 'fallback': V8 on bounded input.
   */
  readonly engine: 'native' | 're2' | 'run' | 'fallback';
  readonly source: string;
  /** The rule's sub-modifier flags (i, m, s), besides any inline flags in source. */
  readonly flags: string;
  /** For 'native': the JS source it runs (no flags). */
  readonly jsSource?: string;
  /**
   * For 'native', why it cannot be hung: 'linear-engine' (V8's linear engine accepts the source, so
   * excessive backtracking hands over to it) or 'one-live-path' (see regex-translate.ts: bounded steps
   * per start position, for counted repetitions too large for the linear engine, see regex-one-live-path.ts).
   * Either way only values up to NATIVE_INPUT_LIMIT characters (longer ones go to re2js), unless nativeLong.
   */
  readonly nativeProof?: 'linear-engine' | 'one-live-path';
  /**
   * For 'native': whether values longer than NATIVE_INPUT_LIMIT run natively too, because no match is longer
   * than LONG_VALUE_MAX_MATCH code units (see LONG_VALUE_MAX_MATCH).
   */
  readonly nativeLong?: boolean;
  /** For 're2' when the native path was refused: why. */
  readonly nativeRefused?: string;
  test(v: string): boolean;
}

/**
 * Backtracks an irregexp run may take before V8 reruns it on its linear-time engine. Ordinary rule
 * regexes on log values stay far below; a hostile value reaches it in well under a millisecond.
 */
export const BACKTRACKS_BEFORE_LINEAR = 20_000;

/**
 * Longest value a native regex sees; longer ones go to re2js. V8 hands a regex to its linear engine only
 * after many backtracks, and irregexp runs some greedy loops without counting them (`x[a-z]+@` rescans
 * from every start position): quadratic in the value's length, so it is bounded; the one-live-path
 * bound (up to 400 steps per start position) is linear but its constant is large.
 */
export const NATIVE_INPUT_LIMIT = 512;

/**
 * A native regex whose matches are at most this many code units long (maxMatchLength) runs on values of any
 * length: at each start position irregexp reads at most that far (no loop is unbounded), and backtracking
 * past BACKTRACKS_BEFORE_LINEAR hands the run to the linear engine (a one-live-path pattern never
 * backtracks), so the work stays linear in the value. On a 3,316-character command line the SNAKE and
 * Raspberry Robin patterns, which no literal gates, cost about 107 µs each on re2js and a few µs natively.
 */
export const LONG_VALUE_MAX_MATCH = 256;

/** A pattern that must start with this many characters of a class runs faster on re2js (bench/sigma-regex.ts). */
const SLOW_LEADING_RUN = 4;

/**
 * Whether this V8 took the flags that make the native path safe: `--enable-experimental-regexp-engine`
 * (the `l` flag, used to prove a pattern runs on the linear engine) and the switch-over on excessive
 * backtracks. Process-wide; it only ever makes other regexes safer. Without them (or with the environment
 * variable EXHUNT_REGEX_NATIVE=0) every RE2-valid regex stays on re2js.
 */
export const NATIVE_LINEAR = enableLinearFallback();

function enableLinearFallback(): boolean {
  if (process.env['EXHUNT_REGEX_NATIVE'] === '0') return false; // escape hatch, and before/after benchmarks
  try {
    setFlagsFromString('--enable-experimental-regexp-engine');
    setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_LINEAR}`);
    new RegExp('a', 'l');
    return true;
  } catch {
    return false;
  }
}

/** The V8 regex for an RE2 pattern, or why not: only when the rewrite compiles for the linear engine. */
const LOW_SURROGATE = /[\udc00-\udfff]/;

type Native = { re: RegExp; source: string; proof: 'linear-engine' | 'one-live-path'; unitSensitive: boolean };

/** The V8 regex for an RE2 pattern, or why not: only when its rewrite is proven safe on hostile input. */
function nativeRegex(pattern: string, flags: RegexFlags): Native | { refused: string } {
  if (!NATIVE_LINEAR) return { refused: 'this V8 has no linear-time regexp engine' };
  const t = translateRe2(pattern, flags);
  if ('refused' in t) return t;
  // Speed, not safety: irregexp tries such a run at every position, re2js's automaton reads each character once.
  if (t.leadingRun >= SLOW_LEADING_RUN) return { refused: `starts with a run of ${t.leadingRun} class characters: re2js is faster` };
  let re: RegExp;
  try {
    re = new RegExp(t.source);
  } catch (e) {
    return { refused: `rewrite not valid in JS: ${errorText(e)}` };
  }
  try {
    new RegExp(t.source, 'l'); // throws "Cannot be executed in linear time" unless the fallback covers it
    return { re, source: t.source, proof: 'linear-engine', unitSensitive: t.unitSensitive };
  } catch (e) {
    if (t.oneLivePath !== null) return { re, source: t.source, proof: 'one-live-path', unitSensitive: t.unitSensitive };
    return { refused: `neither V8's linear engine (${errorText(e)}) nor a one-live-path bound` };
  }
}

/** Longest input a fallback (backtracking) regex ever sees; keeps the worst case small and bounded. */
export const FALLBACK_INPUT_LIMIT = 256;

export class RegexError extends Error {}

// Leading inline flag groups such as `(?i)` or `(?is)`: RE2 accepts them, V8 does not (spec v2.2 deprecates them).
const INLINE_FLAGS = /^\(\?([imsx]+)\)/;

/** Compile a Sigma regex. Throws RegexError when neither RE2 nor the bounded fallback accepts it. */
export function compileRegex(pattern: string, flags: RegexFlags): SafeRegex {
  const flagText = (flags.i ? 'i' : '') + (flags.m ? 'm' : '') + (flags.s ? 's' : '');
  let re2flags = 0;
  if (flags.i) re2flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) re2flags |= RE2JS.MULTILINE;
  if (flags.s) re2flags |= RE2JS.DOTALL;
  let re2Error: unknown;
  try {
    const re = RE2JS.compile(pattern, re2flags);
    const run = anyCharRun(pattern, flags);
    if (run !== null) return { engine: 'run', source: pattern, flags: flagText, test: run };
    const native = nativeRegex(pattern, flags);
    if ('re' in native) {
      const js = native.re;
      const long = maxMatchLength(pattern) <= LONG_VALUE_MAX_MATCH;
      const limit = long ? Infinity : NATIVE_INPUT_LIMIT;
      const base = { engine: 'native', source: pattern, flags: flagText, jsSource: native.source, nativeProof: native.proof, nativeLong: long } as const;
      // See regex-translate.ts: only a value holding a low surrogate can make the rewrite say false wrongly.
      if (native.unitSensitive)
        return { ...base, test: (v) => (v.length > limit ? re.test(v) : js.test(v) || (LOW_SURROGATE.test(v) && re.test(v))) };
      return { ...base, test: (v) => (v.length > limit ? re.test(v) : js.test(v)) };
    }
    return { engine: 're2', source: pattern, flags: flagText, nativeRefused: native.refused, test: (v) => re.test(v) };
  } catch (e) {
    re2Error = e;
  }
  // re2js also runs captureless lookbehinds in linear time when asked.
  if (/\(\?<[=!]/.test(pattern)) {
    try {
      const re = RE2JS.compile(pattern, re2flags | RE2JS.LOOKBEHINDS);
      return { engine: 're2', source: pattern, flags: flagText, test: (v) => re.test(v) };
    } catch {
      // fall through to the bounded fallback
    }
  }
  // RE2 lacks lookaround and backreferences; only then do we accept a bounded backtracking regex.
  if (!/\(\?<?[=!]|\\[1-9]|\\k</.test(pattern)) {
    throw new RegexError(`regex not accepted by RE2: ${errorText(re2Error)}`);
  }
  // A quantified group that itself holds a quantifier can take exponential time even on short input.
  if (/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/.test(pattern)) {
    throw new RegexError('regex needs lookaround/backreferences and has nested quantifiers: unsafe on hostile input');
  }
  let body = pattern;
  let jsFlags = '';
  const m = INLINE_FLAGS.exec(body);
  if (m) {
    body = body.slice(m[0].length);
    for (const f of m[1]!) if (f !== 'x' && !jsFlags.includes(f)) jsFlags += f;
  }
  if (flags.i && !jsFlags.includes('i')) jsFlags += 'i';
  if (flags.m && !jsFlags.includes('m')) jsFlags += 'm';
  if (flags.s && !jsFlags.includes('s')) jsFlags += 's';
  let js: RegExp;
  try {
    js = new RegExp(body, jsFlags);
  } catch (e) {
    throw new RegexError(`bad regex: ${errorText(e)}`);
  }
  return {
    engine: 'fallback',
    source: pattern,
    flags: flagText,
    test: (v) => js.test(v.length > FALLBACK_INPUT_LIMIT ? v.slice(0, FALLBACK_INPUT_LIMIT) : v),
  };
}

/**
 * The test of a pattern that is only a counted repetition of "any character", unanchored (`.{1000,}`,
 * `(.){200,}`, `.{150}`, `.{2,9}`), or null for any other pattern. Such a pattern matches exactly when the
 * value holds a run of at least n characters that `.` matches: code points other than '\n', or any with
 * the s flag (RE2 counts a surrogate pair as one character). re2js runs the repetition as an n-state automaton
 * (about 15 µs per warm test of a 1,500-character command line, 0.5 ms cold); counting is one step a character.
 * Only called for patterns RE2 accepted, so n is at most 1,000 and the bounds are well formed.
 */
function anyCharRun(pattern: string, flags: RegexFlags): ((v: string) => boolean) | null {
  let body = pattern;
  let dotAll = flags.s;
  const inline = INLINE_FLAGS.exec(body);
  if (inline) {
    // i and m change nothing here (no letters, no anchors); RE2 has already refused x.
    if (inline[1]!.includes('s')) dotAll = true;
    body = body.slice(inline[0].length);
  }
  const m = /^(?:\.|\(\.\)|\(\?:\.\))\{(\d+)(?:,\d*)?\}\??$/.exec(body);
  if (!m) return null;
  const n = Number(m[1]);
  return (v) => {
    if (n === 0) return true;
    if (v.length < n) return false;
    let run = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 10 && !dotAll) {
        run = 0;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
        const d = v.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      if (++run >= n) return true;
    }
    return false;
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A literal every match of the regex must contain (the longest one found, lower-cased), for the pre-filter;
 * null when none of at least minLength characters can be proven (top-level alternation, only classes...).
 * Conservative: groups, classes, optional characters and anything unclear end the current literal run.
 */
export function requiredLiteral(pattern: string, minLength = 2): string | null {
  let p = pattern.replace(/^\(\?[imsxU]+\)/, '');
  const runs: string[] = [];
  let run = '';
  const end = (): void => {
    if (run) runs.push(run);
    run = '';
  };
  // Length of a quantifier at p[i] and whether it allows zero repetitions.
  const quant = (i: number): { len: number; zero: boolean } => {
    const c = p[i];
    if (c === '?' || c === '*') return { len: p[i + 1] === '?' || p[i + 1] === '+' ? 2 : 1, zero: true };
    if (c === '+') return { len: p[i + 1] === '?' || p[i + 1] === '+' ? 2 : 1, zero: false };
    if (c === '{') {
      const m = /^\{(\d*)(,\d*)?\}\??/.exec(p.slice(i));
      if (m) return { len: m[0].length, zero: m[1] === '' || Number(m[1]) === 0 };
    }
    return { len: 0, zero: false };
  };
  const skipBalanced = (i: number, open: string, close: string): number => {
    let depth = 0;
    for (let j = i; j < p.length; j++) {
      const c = p[j];
      if (c === '\\') j++;
      else if (c === '[' && open === '(') j = skipBalanced(j, '[', ']') - 1;
      else if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    return p.length;
  };
  for (let i = 0; i < p.length; ) {
    const c = p[i]!;
    let lit: string | null = null;
    let next = i + 1;
    if (c === '|' ) return null; // top-level alternation: no single required literal
    if (c === '(') {
      end();
      next = skipBalanced(i, '(', ')');
      next += quant(next).len;
      i = next;
      continue;
    }
    if (c === '[') {
      end();
      next = skipBalanced(i, '[', ']');
      next += quant(next).len;
      i = next;
      continue;
    }
    if (c === '\\') {
      const e = p[i + 1];
      if (e === undefined) return null;
      if (/[^A-Za-z0-9]/.test(e)) lit = e;
      next = i + 2;
    } else if ('.^$)]{}*+?'.includes(c)) lit = null;
    else lit = c;
    const q = quant(next);
    if (lit === null) {
      end();
      i = next + q.len;
      continue;
    }
    if (q.len > 0) {
      if (!q.zero) run += lit;
      end();
      i = next + q.len;
      continue;
    }
    run += lit;
    i = next;
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  p = best.toLowerCase();
  return p.length >= minLength ? p : null;
}
