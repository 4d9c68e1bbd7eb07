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
  test(v: string): boolean;
}

/** Longest input a fallback (backtracking) regex ever sees; keeps the worst case small and bounded. */
export const FALLBACK_INPUT_LIMIT = 256;

export class RegexError extends Error {}

// Leading inline flag groups such as `(?i)` or `(?is)`: RE2 accepts them, V8 does not (spec v2.2 deprecates them).
const INLINE_FLAGS = /^\(\?([imsx]+)\)/;

/** Compile a Sigma regex. Throws RegexError when neither RE2 nor the bounded fallback accepts it. */
export function compileRegex(pattern: string, flags: RegexFlags): SafeRegex {
  let re2flags = 0;
  if (flags.i) re2flags |= RE2JS.CASE_INSENSITIVE;
  if (flags.m) re2flags |= RE2JS.MULTILINE;
  if (flags.s) re2flags |= RE2JS.DOTALL;
  let re2Error: unknown;
  try {
    const re = RE2JS.compile(pattern, re2flags);
    return { engine: 're2', source: pattern, test: (v) => re.test(v) };
  } catch (e) {
    re2Error = e;
  }
  // re2js also runs captureless lookbehinds in linear time when asked.
  if (/\(\?<[=!]/.test(pattern)) {
    try {
      const re = RE2JS.compile(pattern, re2flags | RE2JS.LOOKBEHINDS);
      return { engine: 're2', source: pattern, test: (v) => re.test(v) };
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
    test: (v) => js.test(v.length > FALLBACK_INPUT_LIMIT ? v.slice(0, FALLBACK_INPUT_LIMIT) : v),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
