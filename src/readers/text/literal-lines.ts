// A line selection by exact literals (IIS lines of known client IPs and user agents): each literal is found
// by native indexOf over a whole block, so a line that holds none of them costs a comparison per literal.

/**
 * keep(text, start, end): does text[start, end) contain one of the literals (exactly, case and all)? Lines of
 * one text must be asked in order; a line starting at or before the last one (or another text) starts the
 * search afresh.
 */
export class LiteralLines {
  private readonly lits: string[];
  /** Next occurrence of each literal at or after lastStart in lastText (Infinity: none). */
  private readonly next: Float64Array;
  private lastText = '';
  private lastStart = Infinity;

  constructor(literals: Iterable<string>) {
    this.lits = [...new Set(literals)].filter((l) => l.length > 0);
    this.next = new Float64Array(this.lits.length);
  }

  get size(): number {
    return this.lits.length;
  }

  keep(text: string, start: number, end: number): boolean {
    const fresh = start <= this.lastStart || text !== this.lastText;
    this.lastText = text;
    this.lastStart = start;
    const lits = this.lits;
    const next = this.next;
    let hit = false;
    for (let i = 0; i < lits.length; i++) {
      let at = next[i]!;
      if (fresh || at < start) {
        at = text.indexOf(lits[i]!, start);
        next[i] = at = at === -1 ? Infinity : at;
      }
      if (at + lits[i]!.length <= end) hit = true;
    }
    return hit;
  }
}
