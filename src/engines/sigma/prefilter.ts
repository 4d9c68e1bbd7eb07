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
  /** AC state → its owners (entries needing a pattern recognised there): stOwners[stOff[s]..stOff[s+1]). */
  stOff: Int32Array;
  stOwners: Int32Array;
  /** AC state → 1 when it has owners (one byte read per character in the scan loop). */
  stHas: Uint8Array;
  /** AC state → generation it was last marked in (each state marks its owners once per event). */
  seen: Uint32Array;
  /** Few patterns: searched one by one with String#includes (native, sublinear) instead of the DFA. */
  pats: string[] | null;
  /**
   * Up to GATED patterns: a native regex alternation of the escaped literals (pure literals, so no
   * backtracking blow-up) rejects most values before any per-pattern work.
   */
  gate: RegExp | null;
  /** pattern id → its owners: patOwners[patOff[id]..patOff[id+1]). */
  patOff: Int32Array;
  patOwners: Int32Array;
}

/** Up to this many literals in a field, native substring search beats one DFA pass over the value. */
const FEW_PATTERNS = 24;
const GATED = 64;
const escapeRe = (p: string): string => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Candidate selection: entries without necessary literals are always evaluated; the others only when
 * one of their literals occurs in the (case-folded) field value. Order of evaluation is kept.
 */
export class Prefilter<E extends Prefiltered> {
  private readonly scans: FieldScan[] = [];
  private readonly alwaysIdx: Int32Array;
  // Per-run scratch would be cleaner, but a generation stamp makes reuse safe and allocation-free:
  // match() is synchronous, so one event is scanned at a time per bucket.
  private readonly stamp: Uint32Array;
  /** Scratch: the candidate indices of the last candidates() call (valid until the next call). */
  readonly picked: Int32Array;
  private gen = 0;
  readonly filtered: number;

  constructor(
    readonly entries: readonly E[],
    /** Automata shared between buckets with the same literals (Sysmon 1 and Security 4688). */
    cache: Map<string, AhoCorasick> = new Map(),
  ) {
    this.stamp = new Uint32Array(entries.length);
    this.picked = new Int32Array(entries.length);
    const always: number[] = [];
    const byField = new Map<string | null, Map<string, number[]>>();
    entries.forEach((e, i) => {
      if (!e.atoms || e.atoms.length === 0) {
        always.push(i);
        return;
      }
      for (const a of e.atoms) {
        const lits = byField.get(a.field) ?? byField.set(a.field, new Map()).get(a.field)!;
        const owners = lits.get(a.lit) ?? lits.set(a.lit, []).get(a.lit)!;
        if (owners[owners.length - 1] !== i) owners.push(i);
      }
    });
    this.alwaysIdx = Int32Array.from(always);
    this.filtered = entries.length - always.length;
    for (const [field, lits] of byField) {
      const pats = [...lits.keys()];
      const key = pats.join('\u0000');
      const ac = cache.get(key) ?? cache.set(key, new AhoCorasick(pats)).get(key)!;
      // Fold pattern owners into per-state owner lists, deduplicated and ascending.
      const states = ac.outputs.length;
      const stOff = new Int32Array(states + 1);
      const flat: number[] = [];
      for (let st = 0; st < states; st++) {
        stOff[st] = flat.length;
        const o = ac.outputs[st];
        if (o) {
          const set = new Set<number>();
          for (const id of o) for (const i of lits.get(pats[id]!)!) set.add(i);
          flat.push(...[...set].sort((a, b) => a - b));
        }
      }
      stOff[states] = flat.length;
      const stHas = new Uint8Array(states);
      for (let st = 0; st < states; st++) stHas[st] = stOff[st + 1]! > stOff[st]! ? 1 : 0;
      const patOff = new Int32Array(pats.length + 1);
      const patFlat: number[] = [];
      pats.forEach((p, id) => {
        patOff[id] = patFlat.length;
        patFlat.push(...lits.get(p)!);
      });
      patOff[pats.length] = patFlat.length;
      const few = pats.length <= FEW_PATTERNS && pats.every((p) => p.length >= 2) ? pats : null;
      const gate = pats.length <= GATED ? new RegExp(pats.map(escapeRe).join('|')) : null;
      this.scans.push({ field, ac, stOff, stOwners: Int32Array.from(flat), stHas, seen: new Uint32Array(states), pats: few, gate, patOff, patOwners: Int32Array.from(patFlat) });
    }
  }

  /** Mark the owners of every literal found in text; returns the new candidate count. */
  private scanText(s: FieldScan, text: string, gen: number, n: number): number {
    if (s.gate !== null && !s.gate.test(text)) return n;
    if (s.pats !== null) return this.scanFew(s, s.pats, text, gen, n);
    const ac = s.ac;
    const classOf = ac.classOf;
    const delta = ac.delta;
    const w = ac.width;
    const stOff = s.stOff;
    const stHas = s.stHas;
    const stOwners = s.stOwners;
    const seen = s.seen;
    const stamp = this.stamp;
    const picked = this.picked;
    let st = 0;
    for (let i = 0; i < text.length; i++) {
      st = delta[st * w + classOf[text.charCodeAt(i)]!]!;
      if (stHas[st] === 0 || seen[st] === gen) continue;
      seen[st] = gen;
      const a = stOff[st]!;
      const b = stOff[st + 1]!;
      for (let k = a; k < b; k++) {
        const e = stOwners[k]!;
        if (stamp[e] !== gen) {
          stamp[e] = gen;
          picked[n++] = e;
        }
      }
    }
    return n;
  }

  private scanFew(s: FieldScan, pats: string[], text: string, gen: number, n: number): number {
    const stamp = this.stamp;
    const picked = this.picked;
    const patOff = s.patOff;
    const patOwners = s.patOwners;
    for (let id = 0; id < pats.length; id++) {
      if (!text.includes(pats[id]!)) continue;
      const b = patOff[id + 1]!;
      for (let k = patOff[id]!; k < b; k++) {
        const e = patOwners[k]!;
        if (stamp[e] !== gen) {
          stamp[e] = gen;
          picked[n++] = e;
        }
      }
    }
    return n;
  }

  /**
   * Select the candidate entries for this event: their indices are picked[0..count), ascending (bucket
   * order). The scratch is overwritten by the next call.
   */
  candidates(ctx: FieldContext): number {
    if (++this.gen === 0xffffffff) {
      this.stamp.fill(0);
      for (const s of this.scans) s.seen.fill(0);
      this.gen = 1;
    }
    const gen = this.gen;
    let n = 0;
    const scans = this.scans;
    for (let si = 0; si < scans.length; si++) {
      const s = scans[si]!;
      if (s.field === null) {
        // One pass over all values joined: a literal spanning two values only adds a candidate,
        // which the rule itself then rejects, so this stays exact.
        n = this.scanText(s, ctx.keywordText(), gen, n);
        continue;
      }
      const v = ctx.lower(s.field);
      if (v === undefined) continue;
      if (typeof v === 'string') n = this.scanText(s, v, gen, n);
      else for (const x of v) n = this.scanText(s, x, gen, n);
    }
    const always = this.alwaysIdx;
    const picked = this.picked;
    for (let k = 0; k < always.length; k++) picked[n++] = always[k]!;
    if (n > 1) picked.subarray(0, n).sort();
    return n;
  }
}
