// Aho-Corasick multi-literal search: one pass over a field value finds every rule literal it contains,
// so an event meets only the rules whose necessary literals are present (the literal pre-filter).

/**
 * The automaton is compiled into a full DFA over a compressed alphabet: each ASCII code unit that
 * occurs in a pattern gets a class, every non-ASCII code unit shares one class, all others class 0.
 * Scanning costs two array reads per character whatever the number of patterns. Sharing one class for
 * non-ASCII keeps the table small (emoji and homoglyph lists would otherwise widen it a thousandfold);
 * it makes a hit a candidate, never a miss — callers verify candidates, so that is safe.
 */
export class AhoCorasick {
  readonly classOf: Uint16Array;
  readonly width: number;
  /** Transition table: next state = delta[state * width + classOf[code unit]]. */
  readonly delta: Int32Array;
  /** For each state: patterns recognised there (including via fail links), or null. */
  readonly outputs: (number[] | null)[];
  private readonly hasOut: Uint8Array;

  constructor(patterns: readonly string[]) {
    const classes = new Map<number, number>();
    let nonAscii = 0;
    for (const p of patterns)
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c >= 128) nonAscii = 1;
        else if (!classes.has(c)) classes.set(c, classes.size + 1);
      }
    const NON_ASCII = classes.size + 1;
    this.width = classes.size + 1 + nonAscii;
    this.classOf = new Uint16Array(65536);
    if (nonAscii) this.classOf.fill(NON_ASCII, 128);
    for (const [c, k] of classes) this.classOf[c] = k;
    const classOfPat = (c: number): number => (c >= 128 ? NON_ASCII : classes.get(c)!);
    // Trie with sparse children first.
    const children: Map<number, number>[] = [new Map()];
    const out: number[][] = [[]];
    patterns.forEach((p, id) => {
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const k = classOfPat(p.charCodeAt(i));
        let n = children[node]!.get(k);
        if (n === undefined) {
          n = children.length;
          children.push(new Map());
          out.push([]);
          children[node]!.set(k, n);
        }
        node = n;
      }
      out[node]!.push(id);
    });
    const states = children.length;
    const w = this.width;
    const delta = new Int32Array(states * w);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let k = 0; k < w; k++) {
      const n = children[0]!.get(k);
      if (n !== undefined) {
        delta[k] = n;
        queue.push(n);
      }
    }
    // A state's row is its fail state's row (already complete: BFS) with its own children written over it:
    // a block copy and one write per child, not a child lookup per class (the table's build was most of a
    // cold set's first pass over events: thousands of states times dozens of classes).
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      const f = fail[s]!;
      if (out[f]!.length) out[s]!.push(...out[f]!);
      delta.copyWithin(s * w, f * w, f * w + w);
      for (const [k, n] of children[s]!) {
        fail[n] = delta[f * w + k]!;
        delta[s * w + k] = n;
        queue.push(n);
      }
    }
    this.delta = delta;
    this.outputs = out.map((o) => (o.length ? o : null));
    this.hasOut = new Uint8Array(states);
    this.outputs.forEach((o, i) => (this.hasOut[i] = o ? 1 : 0));
  }

  /** Call hit(patternId) for every occurrence of every pattern in text. */
  scan(text: string, hit: (id: number) => void): void {
    const classOf = this.classOf;
    const delta = this.delta;
    const hasOut = this.hasOut;
    const w = this.width;
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      s = delta[s * w + classOf[text.charCodeAt(i)]!]!;
      if (hasOut[s] === 1) for (const id of this.outputs[s]!) hit(id);
    }
  }
}
