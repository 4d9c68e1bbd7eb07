// The literal pre-filter of one rule bucket (one channel + EventID): per field, an Aho-Corasick
// automaton over the rules' necessary literals picks the few rules worth evaluating for an event.
import { AhoCorasick } from './aho-corasick.js';
import type { Atom } from './detection.js';
import type { FieldContext } from './fields.js';

export interface Prefiltered {
  atoms: Atom[] | null;
}

interface FieldScan {
  field: string | null;
  ac: AhoCorasick;
  /** pattern id → indices of the entries that need it. */
  owners: number[][];
  /** pattern id → generation it was last seen in (each pattern marks its owners once per event). */
  seen: Uint32Array;
}

/**
 * Candidate selection: entries without necessary literals are always evaluated; the others only when
 * one of their literals occurs in the (case-folded) field value. Order of evaluation is kept.
 */
export class Prefilter<E extends Prefiltered> {
  private readonly scans: FieldScan[] = [];
  private readonly always: Uint8Array;
  // Per-run scratch would be cleaner, but a generation stamp makes reuse safe and allocation-free:
  // match() is synchronous, so one event is scanned at a time per bucket.
  private readonly stamp: Uint32Array;
  private gen = 0;
  readonly filtered: number;

  constructor(
    readonly entries: readonly E[],
    /** Automata shared between buckets with the same literals (Sysmon 1 and Security 4688). */
    cache: Map<string, AhoCorasick> = new Map(),
  ) {
    this.always = new Uint8Array(entries.length);
    this.stamp = new Uint32Array(entries.length);
    const byField = new Map<string | null, Map<string, number[]>>();
    entries.forEach((e, i) => {
      if (!e.atoms || e.atoms.length === 0) {
        this.always[i] = 1;
        return;
      }
      for (const a of e.atoms) {
        const lits = byField.get(a.field) ?? byField.set(a.field, new Map()).get(a.field)!;
        const owners = lits.get(a.lit) ?? lits.set(a.lit, []).get(a.lit)!;
        if (owners[owners.length - 1] !== i) owners.push(i);
      }
    });
    let filtered = 0;
    for (const a of this.always) if (!a) filtered++;
    this.filtered = filtered;
    for (const [field, lits] of byField) {
      const pats = [...lits.keys()];
      const key = pats.join('\u0000');
      const ac = cache.get(key) ?? cache.set(key, new AhoCorasick(pats)).get(key)!;
      this.scans.push({ field, ac, owners: pats.map((p) => lits.get(p)!), seen: new Uint32Array(pats.length) });
    }
  }

  /** Call visit(entry) for each candidate entry, in bucket order. */
  candidates(ctx: FieldContext, visit: (e: E) => void): void {
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      for (const s of this.scans) s.seen.fill(0);
      this.gen = 1;
    }
    const gen = this.gen;
    const stamp = this.stamp;
    for (const s of this.scans) {
      const owners = s.owners;
      const seen = s.seen;
      const hit = (id: number): void => {
        if (seen[id] === gen) return;
        seen[id] = gen;
        for (const i of owners[id]!) stamp[i] = gen;
      };
      if (s.field === null) {
        // One pass over all values joined: a literal spanning two values only adds a candidate,
        // which the rule itself then rejects, so this stays exact.
        s.ac.scan(ctx.keywordText(), hit);
        continue;
      }
      const v = ctx.lower(s.field);
      if (v === undefined) continue;
      if (typeof v === 'string') s.ac.scan(v, hit);
      else for (const x of v) s.ac.scan(x, hit);
    }
    const always = this.always;
    const entries = this.entries;
    for (let i = 0; i < entries.length; i++) if (always[i] === 1 || stamp[i] === gen) visit(entries[i]!);
  }
}
