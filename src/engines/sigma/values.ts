// Typed Sigma values: a plain string parsed once into literal text and wildcards (spec §2.2 escaping),
// and the matchers those become (equality, prefix, suffix, substring, glob) — case-insensitive unless cased.

/** One piece of a Sigma string: literal text, `*` (any run) or `?` (exactly one character). */
export type Part = string | typeof STAR | typeof ONE;
export const STAR: unique symbol = Symbol('*');
export const ONE: unique symbol = Symbol('?');

/** A Sigma string value: literal runs and wildcards, escapes already resolved. */
export interface SigmaString {
  readonly parts: readonly Part[];
}

/**
 * Parse a plain rule value. Backslash escapes `*`, `?` and itself only; a backslash before any other
 * character is literal (so `C:\Windows` stays as written). `\\*` is a literal backslash then a wildcard.
 */
export function parseSigmaString(text: string): SigmaString {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        // `\\` is one literal backslash whatever follows; `\*` `\?` are literal wildcards.
        lit += n;
        i++;
        continue;
      }
      lit += c;
    } else if (c === '*' || c === '?') {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(c === '*' ? STAR : ONE);
    } else lit += c;
  }
  if (lit) parts.push(lit);
  return { parts: mergeStars(parts) };
}

/** A string with no wildcard meaning at all (used for encoded values and placeholders' values). */
export function literalString(text: string): SigmaString {
  return { parts: text ? [text] : [] };
}

function mergeStars(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p === STAR && last === STAR) continue;
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

export function withPrefix(s: SigmaString, p: Part[]): SigmaString {
  return { parts: mergeStars([...p, ...s.parts]) };
}
export function withSuffix(s: SigmaString, p: Part[]): SigmaString {
  return { parts: mergeStars([...s.parts, ...p]) };
}
export function hasWildcards(s: SigmaString): boolean {
  return s.parts.some((p) => typeof p !== 'string');
}
/** The literal text when the value has no wildcards, else null. */
export function plainText(s: SigmaString): string | null {
  return hasWildcards(s) ? null : s.parts.map((p) => p as string).join('');
}

/** Replace every literal run through f (case folding, placeholder expansion...). */
export function mapLiterals(s: SigmaString, f: (t: string) => string): SigmaString {
  return { parts: mergeStars(s.parts.map((p) => (typeof p === 'string' ? f(p) : p)).filter((p) => p !== '')) };
}

/** A predicate over one (already case-folded when case-insensitive) field value. */
export type StringTest = (v: string) => boolean;

/**
 * Compile a Sigma string into the cheapest test: equality, startsWith, endsWith, includes, or a glob
 * matcher. The glob matcher is linear-ish (greedy segment search, no backtracking explosion).
 */
export function compileString(s: SigmaString, fold: boolean): { test: StringTest; needle: string | null } {
  const parts = fold ? s.parts.map((p) => (typeof p === 'string' ? p.toLowerCase() : p)) : s.parts.slice();
  const n = parts.length;
  if (n === 0) return { test: (v) => v === '', needle: null };
  if (parts.every((p) => typeof p === 'string')) {
    const t = (parts as string[]).join('');
    return { test: (v) => v === t, needle: t };
  }
  const first = parts[0];
  const last = parts[n - 1];
  if (n === 1 && first === STAR) return { test: () => true, needle: null };
  if (n === 2 && typeof first === 'string' && last === STAR) return { test: (v) => v.startsWith(first), needle: first };
  if (n === 2 && first === STAR && typeof last === 'string') return { test: (v) => v.endsWith(last), needle: last };
  const mid = parts[1];
  if (n === 3 && first === STAR && last === STAR && typeof mid === 'string') return { test: (v) => v.includes(mid), needle: mid };
  const longest = parts.reduce<string>((a, p) => (typeof p === 'string' && p.length > a.length ? p : a), '');
  return { test: globMatcher(parts), needle: longest || null };
}

/** A value that is one literal with a star after, before, or on both sides (startswith/endswith/contains). */
export function literalShape(s: SigmaString): { kind: 'start' | 'end' | 'contains'; lit: string } | null {
  const p = s.parts;
  if (p.length === 2 && typeof p[0] === 'string' && p[1] === STAR) return { kind: 'start', lit: p[0] };
  if (p.length === 2 && p[0] === STAR && typeof p[1] === 'string') return { kind: 'end', lit: p[1] };
  if (p.length === 3 && p[0] === STAR && typeof p[1] === 'string' && p[2] === STAR) return { kind: 'contains', lit: p[1] };
  return null;
}

// A segment is the text between two stars; it may hold `?` (any one character).
type Segment = readonly (string | typeof ONE)[];

function segLength(seg: Segment): number {
  let n = 0;
  for (const p of seg) n += p === ONE ? 1 : p.length;
  return n;
}

function segMatchAt(v: string, at: number, seg: Segment): boolean {
  let i = at;
  for (const p of seg) {
    if (p === ONE) {
      if (i >= v.length) return false;
      i++;
    } else {
      if (!v.startsWith(p, i)) return false;
      i += p.length;
    }
  }
  return true;
}

function segFind(v: string, from: number, seg: Segment): number {
  const len = segLength(seg);
  const firstLit = seg.find((p): p is string => p !== ONE);
  if (seg.length === 1 && typeof seg[0] === 'string') return v.indexOf(seg[0], from);
  for (let i = from; i + len <= v.length; i++) {
    if (firstLit !== undefined && seg[0] === firstLit) {
      const j = v.indexOf(firstLit, i);
      if (j < 0) return -1;
      i = j;
      if (i + len > v.length) return -1;
    }
    if (segMatchAt(v, i, seg)) return i;
  }
  return -1;
}

function globMatcher(parts: readonly Part[]): StringTest {
  const segs: (string | typeof ONE)[][] = [[]];
  for (const p of parts) {
    if (p === STAR) segs.push([]);
    else segs[segs.length - 1]!.push(p);
  }
  const anchoredStart = parts[0] !== STAR;
  const anchoredEnd = parts[parts.length - 1] !== STAR;
  if (segs.length === 1) {
    // No star: only `?` wildcards, so the value's length is fixed.
    const seg = segs[0]!;
    const len = segLength(seg);
    return (v) => v.length === len && segMatchAt(v, 0, seg);
  }
  const head = segs[0]!;
  const tail = segs[segs.length - 1]!;
  const middle = segs.slice(1, -1).filter((s) => s.length > 0);
  const headLen = segLength(head);
  const tailLen = segLength(tail);
  return (v) => {
    if (v.length < headLen + tailLen) return false;
    if (anchoredStart && !segMatchAt(v, 0, head)) return false;
    const end = v.length - tailLen;
    if (anchoredEnd && !segMatchAt(v, end, tail)) return false;
    // Greedy leftmost placement of the middle segments is optimal for `*`-separated globs.
    let pos = headLen;
    for (const seg of middle) {
      const at = segFind(v, pos, seg);
      if (at < 0 || at + segLength(seg) > end) return false;
      pos = at + segLength(seg);
    }
    return pos <= end;
  };
}
