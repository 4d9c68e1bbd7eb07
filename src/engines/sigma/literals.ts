// Literal search for the Sigma engine: a field's pre-filter literals found by one Aho-Corasick pass over its
// case-folded value per event, and a rule's long prefix/suffix/substring lists tested in one pass.

import { AhoCorasick } from './aho-corasick.js';
import { fieldId, type FieldContext } from './fields.js';

/** What a LiteralSet literal asks for: anywhere, at the start, or at the end of the value. */
export const HIT_ANY = 1;
export const HIT_START = 2;
export const HIT_END = 4;

/** ASCII-only literals get exact hits (see AhoCorasick: non-ASCII code units share one class). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 128) return false;
  return true;
}

/**
 * The pre-filter literals of one event field (shared by buckets with the same literals). Scanning state is
 * kept here, stamped with the event's generation (FieldContext.gen): matching is synchronous, so one event
 * is scanned at a time, and a stamp from an earlier event is simply stale — no clearing, no allocation.
 * The value is scanned as it is, case folded by the automaton's character classes (the literals are lower
 * case), so an event whose field no candidate rule reads is never lower-cased. Every code unit lower-cases
 * to one code unit of the same class but U+0130 (İ → i + U+0307): a value holding it is lower-cased first.
 */
export class FieldLiterals {
  private readonly ids = new Map<string, number>();
  readonly lits: string[] = [];
  /** Literal ids found in the current event's value, hits[0..hitCount) (distinct). */
  hits = new Int32Array(0);
  hitCount = 0;
  private gen = -1;
  private stamp = new Float64Array(0);
  /** The automaton's class of each code unit's lower-case form (the same on lower-case text). */
  private foldOf: Uint16Array = new Uint16Array(0);
  private readonly fid: number;
  private delta: Int32Array | Uint16Array = new Uint16Array(0);
  private width = 1;
  private hasOut = new Uint8Array(1);
  private outOff = new Int32Array(2);
  private outIds = new Int32Array(0);
  private frozen = false;
  private built = false;

  constructor(readonly field: string) {
    this.fid = fieldId(field);
  }

  /** The id of a lower-cased literal (registered once). Only before freeze(). */
  id(lit: string): number {
    let id = this.ids.get(lit);
    if (id === undefined) {
      if (this.frozen) throw new Error(`literal table of ${this.field} is frozen`);
      id = this.lits.length;
      this.ids.set(lit, id);
      this.lits.push(lit);
    }
    return id;
  }

  /** No more literals; the automaton is built when first needed (many tables are never used in a run). */
  freeze(): void {
    this.frozen = true;
  }

  private build(): void {
    this.frozen = this.built = true;
    const n = this.lits.length;
    this.stamp = new Float64Array(n).fill(-1);
    this.hits = new Int32Array(n);
    const ac = new AhoCorasick(this.lits);
    // Code units ≥ 128 share one class (or none) whatever their case, and lower-case to that class, but
    // KELVIN SIGN, which lower-cases to ASCII k (U+0130 is handled in scanValue).
    // Lower-case text holds neither A-Z nor KELVIN SIGN, so one table serves raw and lower-cased text.
    this.foldOf = ac.classOf;
    for (let c = 0x41; c <= 0x5a; c++) this.foldOf[c] = ac.classOf[c + 0x20]!;
    this.foldOf[0x212a] = ac.classOf[0x6b]!;
    // Half the memory (and cache footprint) when state numbers fit 16 bits, as most tables' do.
    this.delta = ac.outputs.length <= 65536 ? Uint16Array.from(ac.delta) : ac.delta;
    this.width = ac.width;
    const states = ac.outputs.length;
    this.hasOut = new Uint8Array(states);
    this.outOff = new Int32Array(states + 1);
    const flat: number[] = [];
    for (let s = 0; s < states; s++) {
      this.outOff[s] = flat.length;
      const o = ac.outputs[s];
      if (o) {
        this.hasOut[s] = 1;
        flat.push(...o);
      }
    }
    this.outOff[states] = flat.length;
    this.outIds = Int32Array.from(flat);
  }

  /** Scan the field of this event unless already done; afterwards has() answers for it. */
  ensure(ctx: FieldContext): void {
    const gen = ctx.gen;
    if (this.gen === gen) return;
    if (!this.built) this.build();
    this.gen = gen;
    this.hitCount = 0;
    const v = ctx.strAt(this.fid);
    if (v === undefined) return;
    if (typeof v === 'string') this.scanValue(v, gen);
    else for (let i = 0; i < v.length; i++) this.scanValue(v[i]!, gen);
  }

  private scanValue(text: string, gen: number): void {
    this.scan(text.indexOf('\u0130') < 0 ? text : text.toLowerCase(), gen);
  }

  private scan(text: string, gen: number): void {
    const classOf = this.foldOf;
    const delta = this.delta;
    const w = this.width;
    const hasOut = this.hasOut;
    const outOff = this.outOff;
    const outIds = this.outIds;
    const stamp = this.stamp;
    const hits = this.hits;
    let st = 0;
    for (let i = 0; i < text.length; i++) {
      st = delta[st * w + classOf[text.charCodeAt(i)]!]!;
      if (hasOut[st] === 0) continue;
      const b = outOff[st + 1]!;
      for (let k = outOff[st]!; k < b; k++) {
        const id = outIds[k]!;
        if (stamp[id] !== gen) {
          stamp[id] = gen;
          hits[this.hitCount++] = id;
        }
      }
    }
  }
}

/**
 * A fixed set of case-folded literals, each wanted anywhere, at the start or at the end of a value:
 * test() is one automaton pass that stops at the first satisfied literal (a rule's long `contains` or
 * `endswith` list costs one scan instead of one string search per entry). A literal with non-ASCII code
 * units is found by class (see AhoCorasick), so its hit is confirmed against the value itself.
 */
export class LiteralSet {
  private readonly ac: AhoCorasick;
  private readonly kinds: Uint8Array;
  private readonly lens: Int32Array;
  /** The literal when it needs confirming (non-ASCII), else null. */
  private readonly confirm: (string | null)[];

  constructor(lits: readonly { lit: string; kind: number }[]) {
    if (lits.some((l) => l.lit.length === 0)) throw new Error('LiteralSet takes non-empty literals');
    this.ac = new AhoCorasick(lits.map((l) => l.lit));
    this.kinds = Uint8Array.from(lits, (l) => l.kind);
    this.lens = Int32Array.from(lits, (l) => l.lit.length);
    this.confirm = lits.map((l) => (isAscii(l.lit) ? null : l.lit));
  }

  /** Does a lower-cased value satisfy one of the literals? */
  test(v: string): boolean {
    const { classOf, delta, width: w, outputs } = this.ac;
    const kinds = this.kinds;
    const lens = this.lens;
    const last = v.length - 1;
    let st = 0;
    for (let i = 0; i <= last; i++) {
      st = delta[st * w + classOf[v.charCodeAt(i)]!]!;
      const out = outputs[st];
      if (out === null || out === undefined) continue;
      for (let k = 0; k < out.length; k++) {
        const id = out[k]!;
        const kind = kinds[id]!;
        if (kind !== HIT_ANY && (kind === HIT_START ? i + 1 !== lens[id] : i !== last)) continue;
        const lit = this.confirm[id];
        if (lit === null || lit === undefined || v.startsWith(lit, i + 1 - lens[id]!)) return true;
      }
    }
    return false;
  }
}
