// Safe regular expressions for `|re`: rule regexes run on attacker-controlled log text, so they compile
// to RE2 (re2js, linear time). Lookaround/backreferences fall back to V8 on bounded input, and are listed.
import { RE2JS } from 're2js';

export interface RegexFlags {
  i: boolean;
  m: boolean;
  s: boolean;
}

export interface SafeRegex {
  readonly engine: 're2' | 'fallback';
  readonly source: string;
  /** The rule's sub-modifier flags (i, m, s), besides any inline flags in source. */
  readonly flags: string;
  test(v: string): boolean;
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
    return { engine: 're2', source: pattern, flags: flagText, test: (v) => re.test(v) };
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

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A literal every match of the regex must contain (the longest one found), for the pre-filter; null
 * when none can be proven (top-level alternation, only classes...). Conservative: groups, classes,
 * optional characters and anything unclear end the current literal run.
 */
export function requiredLiteral(pattern: string): string | null {
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
  return p.length >= 2 ? p : null;
}
