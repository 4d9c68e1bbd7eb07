// The one-live-path bound: proves irregexp cannot backtrack far on a rewritten Sigma regex whose counted
// repetitions are too large for V8's linear engine (e.g. [a-f0-9]{64}), from the shape of the pattern.

export type Range = [number, number];

/** What the one-live-path proof needs to know of each element, in order. */
export type Item =
  | { kind: 'set'; set: Range[]; min: number; max: number }
  | { kind: 'anchor'; what: '^' | '$' | '\\b' }
  /** A negated atom in its counted form: a surrogate pair, or one unit that is not a low surrogate. */
  | { kind: 'counted'; min: number; max: number }
  | { kind: 'other' };

/** Most irregexp steps per start position the one-live-path proof accepts (a 512-character value: ~150k steps). */
const MAX_STEPS_PER_START = 300;

/**
 * Steps per start position when `items` is a flat sequence of single-character sets and anchors in
 * which each variable repetition (min < max) is followed by a mandatory set disjoint from it, or by `$`:
 * then only its longest run can lead on, every shorter one fails at the next character, so irregexp
 * explores one path, of at most the sum of the maxima. null when that does not hold or the bound is large.
 */
export function oneLivePath(items: readonly Item[]): number | null {
  let steps = 0;
  for (let k = 0; k < items.length; k++) {
    const it = items[k]!;
    if (it.kind === 'other') return null;
    if (it.kind === 'anchor') {
      steps++;
      continue;
    }
    // Safe too at a fixed count (a high surrogate taken alone leaves a low one no later element accepts),
    // but slow: `.{150}` walks to the end of a shorter value from every position; re2js reads it once.
    if (it.kind === 'counted') return null;
    if (it.max === Infinity) return null; // a run as long as the input, from every start position: quadratic
    steps += it.max + 1;
    if (it.min === it.max) continue;
    const next = items[k + 1];
    if (next === undefined) continue; // the match succeeds with the longest run
    if (next.kind === 'anchor' && next.what === '$') continue;
    if (next.kind !== 'set' || next.min < 1 || intersects(it.set, next.set)) return null;
  }
  return steps <= MAX_STEPS_PER_START ? steps : null;
}

function intersects(a: readonly Range[], b: readonly Range[]): boolean {
  return a.some(([lo, hi]) => b.some(([l, h]) => lo <= h && l <= hi));
}
