// Case-insensitive multi-literal search over every value of an event (keyword rules): a Set-Horspool
// scan on two-character blocks skips most of the text, so the cost is far below one step per character.

/** fold[c]: the first code unit of c lower-cased (A→a, Ä→ä, KELVIN SIGN→k, İ→i). */
const FOLD = (() => {
  const t = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) {
    if (c >= 0xd800 && c <= 0xdfff) {
      t[c] = c;
      continue;
    }
    const l = String.fromCharCode(c).toLowerCase();
    t[c] = l.length > 0 ? l.charCodeAt(0) : c;
  }
  return t;
})();

const HASH_BITS = 12;
const HASH_MASK = (1 << HASH_BITS) - 1;
const blockHash = (a: number, b: number): number => ((a << 5) ^ b) & HASH_MASK;

/**
 * Finds which of a set of lower-case patterns occur in values, ignoring case. A match in
 * value.toLowerCase() is always found (patterns written with combining marks that a capital letter's
 * lower-case form introduces, such as "i\u0307" from "İ", are the one exception; no rule uses them).
 */
export class KeywordScanner {
  /** Shortest pattern length: the window the skip table is built on. */
  private readonly m: number;
  private readonly shift: Uint8Array;
  /** Patterns whose window ends with a block of this hash: byHash[h] (pattern ids). */
  private readonly byHash: (Int32Array | undefined)[];
  private readonly hitStamp: Float64Array;
  /** Pattern ids found by the last scan(), hits[0..count). */
  readonly hits: Int32Array;
  count = 0;

  constructor(readonly patterns: readonly string[]) {
    if (patterns.length === 0 || patterns.some((p) => p.length === 0)) throw new Error('keyword patterns must be non-empty');
    const m = Math.min(...patterns.map((p) => p.length));
    this.m = m;
    this.hitStamp = new Float64Array(patterns.length).fill(-1);
    this.hits = new Int32Array(patterns.length);
    // Shift for each block: how far the window may move when the block ends the window.
    this.shift = new Uint8Array(HASH_MASK + 1).fill(Math.min(255, Math.max(1, m - 1)));
    const lists = new Map<number, number[]>();
    patterns.forEach((p, id) => {
      if (m === 1) {
        // One-character patterns: every character is a possible window end.
        const h = blockHash(0, p.charCodeAt(0));
        (lists.get(h) ?? lists.set(h, []).get(h)!).push(id);
        return;
      }
      for (let j = 1; j < m; j++) {
        const h = blockHash(p.charCodeAt(j - 1), p.charCodeAt(j));
        const s = m - 1 - j;
        if (s < this.shift[h]!) this.shift[h] = s;
      }
      const h = blockHash(p.charCodeAt(m - 2), p.charCodeAt(m - 1));
      (lists.get(h) ?? lists.set(h, []).get(h)!).push(id);
    });
    if (m === 1) this.shift.fill(0);
    this.byHash = new Array<Int32Array | undefined>(HASH_MASK + 1);
    for (const [h, ids] of lists) this.byHash[h] = Int32Array.from(ids);
  }

  /** Scan every value; afterwards hits[0..count) are the distinct pattern ids found. gen: a fresh number per event. */
  scan(values: readonly string[], gen: number): void {
    this.count = 0;
    for (let i = 0; i < values.length; i++) this.scanOne(values[i]!, gen);
  }

  private scanOne(text: string, gen: number): void {
    const m = this.m;
    const n = text.length;
    if (n < m) return;
    const shift = this.shift;
    const byHash = this.byHash;
    let i = m - 1;
    while (i < n) {
      const h = m === 1 ? blockHash(0, FOLD[text.charCodeAt(i)]!) : blockHash(FOLD[text.charCodeAt(i - 1)]!, FOLD[text.charCodeAt(i)]!);
      const s = shift[h]!;
      if (s > 0) {
        i += s;
        continue;
      }
      const ids = byHash[h];
      if (ids !== undefined) {
        const start = i - m + 1;
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k]!;
          if (this.hitStamp[id] === gen) continue;
          const p = this.patterns[id]!;
          if (start + p.length > n) continue;
          let j = 0;
          while (j < p.length && FOLD[text.charCodeAt(start + j)] === p.charCodeAt(j)) j++;
          if (j === p.length) {
            this.hitStamp[id] = gen;
            this.hits[this.count++] = id;
          }
        }
      }
      i++;
    }
  }
}
