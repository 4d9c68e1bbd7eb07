// The literal pre-filter of one rule bucket (one channel + EventID): the rules' necessary literals are
// looked up in the per-field hit tables (literals.ts), so an event meets only the rules worth evaluating.
import type { Clauses } from './detection.js';
import type { FieldContext } from './fields.js';
import { KeywordScanner } from './keyword-scan.js';
import { FieldLiterals } from './literals.js';

export interface Prefiltered {
  atoms: Clauses | null;
}

// Owner lists hold entry * CLAUSE_SLOTS + clause: a literal's hit sets that clause's bit for the entry.
const CLAUSE_SLOTS = 8;

interface FieldScan {
  table: FieldLiterals;
  /** literal id → the (entry, clause) codes needing it: owners[off[id]..off[id+1]) (the table holds exactly this bucket's literals). */
  off: Int32Array;
  owners: Int32Array;
}

interface KeywordScan {
  scanner: KeywordScanner;
  /** pattern id → owners: owners[off[id]..off[id+1]). */
  off: Int32Array;
  owners: Int32Array;
}

/** Shortest literal for which the whole-event skip scan (see the constructor) is used. */
const EVENT_SCAN_MIN = 4;

/**
 * Candidate selection: entries without necessary literals are always evaluated; the others only when
 * every one of their clauses has a literal in the (case-folded) field value. Order of evaluation is kept.
 */
export class Prefilter<E extends Prefiltered> {
  private readonly scans: FieldScan[] = [];
  private readonly keyword: KeywordScan | null = null;
  /** Entries without necessary literals, as a bit set (one bit per entry). */
  private readonly alwaysBits: Int32Array;
  // The event generation each entry was last touched in (no clearing between events), the clause bits
  // hit so far in that event, the bits that make it a candidate, and this event's candidates as a bit set
  // (read out in bucket order: no sort).
  private readonly stamp: Float64Array;
  private readonly mask: Int32Array;
  private readonly full: Int32Array;
  private readonly cand: Int32Array;
  /** Scratch: the candidate indices of the last candidates() call (valid until the next call). */
  readonly picked: Int32Array;

  constructor(
    readonly entries: readonly E[],
    /** Tables and keyword scanners shared between buckets with the same literals. */
    tables: Map<string, FieldLiterals> = new Map(),
    cache: Map<string, KeywordScanner> = new Map(),
    opts: { eventScan?: boolean } = {},
  ) {
    this.stamp = new Float64Array(entries.length).fill(-1);
    this.mask = new Int32Array(entries.length);
    this.full = new Int32Array(entries.length);
    this.cand = new Int32Array((entries.length + 31) >>> 5);
    this.alwaysBits = new Int32Array(this.cand.length);
    this.picked = new Int32Array(entries.length);
    const always: number[] = [];
    const byField = new Map<string, Map<string, number[]>>();
    const keywords = new Map<string, number[]>();
    entries.forEach((e, i) => {
      if (!e.atoms || e.atoms.length === 0) {
        always.push(i);
        return;
      }
      if (e.atoms.length > CLAUSE_SLOTS) throw new Error(`more than ${CLAUSE_SLOTS} literal clauses`);
      this.full[i] = (1 << e.atoms.length) - 1;
      e.atoms.forEach((clause, ci) => {
        const code = i * CLAUSE_SLOTS + ci;
        for (const a of clause) {
          const lits = a.field === null ? keywords : (byField.get(a.field) ?? byField.set(a.field, new Map()).get(a.field)!);
          const owners = lits.get(a.lit) ?? lits.set(a.lit, []).get(a.lit)!;
          if (owners[owners.length - 1] !== code) owners.push(code);
        }
      });
    });
    for (const i of always) this.alwaysBits[i >>> 5]! |= 1 << (i & 31);
    // Log-line buckets (W3C, Exchange CSV): a field's literal in its own value is in some value of the
    // event, so the long literals join the keyword scan — one case-folding skip scan over all of the
    // event's values instead of lower-casing and scanning each field. The candidates are a superset
    // (the rules themselves decide); a benign line costs one scan. Short literals keep their field scan.
    if (opts.eventScan)
      for (const lits of byField.values())
        for (const [lit, o] of [...lits]) {
          if (lit.length < EVENT_SCAN_MIN) continue;
          const k = keywords.get(lit) ?? keywords.set(lit, []).get(lit)!;
          k.push(...o);
          lits.delete(lit);
        }
    for (const [field, lits] of byField) {
      if (lits.size === 0) continue;
      // Buckets with the same literals (Sysmon 1 and Security 4688 after field mapping) share a table.
      const key = `${field}\u0000${[...lits.keys()].join('\u0000')}`;
      let table = tables.get(key);
      if (!table) {
        table = new FieldLiterals(field);
        for (const lit of lits.keys()) table.id(lit);
        table.freeze();
        tables.set(key, table);
      }
      const byId: number[][] = Array.from({ length: table.lits.length }, () => []);
      for (const [lit, o] of lits) byId[table.id(lit)]!.push(...o);
      const off = new Int32Array(byId.length + 1);
      const flat: number[] = [];
      byId.forEach((o, id) => {
        off[id] = flat.length;
        flat.push(...o);
      });
      off[byId.length] = flat.length;
      this.scans.push({ table, off, owners: Int32Array.from(flat) });
    }
    if (keywords.size > 0) {
      const pats = [...keywords.keys()];
      const key = pats.join('\u0000');
      const scanner = cache.get(key) ?? cache.set(key, new KeywordScanner(pats)).get(key)!;
      const off = new Int32Array(pats.length + 1);
      const flat: number[] = [];
      pats.forEach((p, id) => {
        off[id] = flat.length;
        flat.push(...new Set(keywords.get(p)!));
      });
      off[pats.length] = flat.length;
      this.keyword = { scanner, off, owners: Int32Array.from(flat) };
    }
  }

  /** Set the clause bits of owners[from..to) for this event; an entry with every clause hit is a candidate. */
  private mark(owners: Int32Array, from: number, to: number, gen: number): void {
    const stamp = this.stamp;
    const mask = this.mask;
    const full = this.full;
    const cand = this.cand;
    for (let k = from; k < to; k++) {
      const code = owners[k]!;
      const e = (code / CLAUSE_SLOTS) | 0;
      const bit = 1 << (code % CLAUSE_SLOTS);
      let m: number;
      if (stamp[e] !== gen) {
        stamp[e] = gen;
        m = mask[e] = bit;
      } else m = mask[e]! |= bit;
      if (m === full[e]) cand[e >>> 5]! |= 1 << (e & 31);
    }
  }

  /**
   * Select the candidate entries for this event: their indices are picked[0..count), ascending (bucket
   * order). The scratch is overwritten by the next call.
   */
  candidates(ctx: FieldContext): number {
    const gen = ctx.gen;
    this.cand.set(this.alwaysBits);
    const scans = this.scans;
    for (let si = 0; si < scans.length; si++) {
      const { table, off, owners } = scans[si]!;
      table.ensure(ctx);
      const hits = table.hits;
      for (let h = 0; h < table.hitCount; h++) {
        const id = hits[h]!;
        this.mark(owners, off[id]!, off[id + 1]!, gen);
      }
    }
    const kw = this.keyword;
    if (kw !== null) {
      kw.scanner.scan(ctx.scalars(), gen);
      for (let h = 0; h < kw.scanner.count; h++) {
        const id = kw.scanner.hits[h]!;
        this.mark(kw.owners, kw.off[id]!, kw.off[id + 1]!, gen);
      }
    }
    // Candidates in bucket order: the set bits, lowest first.
    let n = 0;
    const picked = this.picked;
    const cand = this.cand;
    for (let w = 0; w < cand.length; w++) {
      let bits = cand[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        picked[n++] = (w << 5) + 31 - Math.clz32(low);
        bits ^= low;
      }
    }
    return n;
  }
}
