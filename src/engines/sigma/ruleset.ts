// The immutable compiled rule set, indexed by Windows channel + EventID (and generic logsource for
// W3C/Exchange), and the per-run matcher that holds correlation state and yields findings.
import { logsourceOf, type HuntEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import type { CompiledRule, DetectionData, RuleMeta } from './compile.js';
import { evaluateGroup, type CompiledCorrelation, type CorrRecord } from './correlation.js';
import { and, type Clauses, type Compiled, type Pred } from './detection.js';
import { EventFields } from './fields.js';
import { genericApplies, placeLogsource, type Logsource } from './logsource.js';
import { filterFits, slotsOf, type Placed } from './placement.js';
import type { KeywordScanner } from './keyword-scan.js';
import type { FieldLiterals } from './literals.js';
import { Prefilter } from './prefilter.js';
import type { SafeRegex } from './regex.js';

export interface SigmaRun {
  match(event: HuntEvent): Finding[];
  /** Correlation results, once every event has been matched. */
  finish(): Finding[];
  /**
   * The base matches recorded for correlations since the last call, per group in the order matched; the run
   * forgets them. A run in a worker thread sends these to the one run that evaluates the correlations.
   */
  takeCorrelationMatches(): CorrelationMatches;
  /** Base matches another run of the same rule set recorded (appended per group, so give them in scan order). */
  addCorrelationMatches(m: CorrelationMatches): void;
}

/** Base matches of correlation rules as plain data: [correlation index, group key, group values, records]. */
export type CorrelationMatches = [number, string, Record<string, string | null>, CorrRecord[]][];

export interface SigmaRuleSet {
  readonly size: number;
  createRun(): SigmaRun;
}

/** A filter (meta-filter) ready to be attached: its predicate factory and whom it applies to. */
export interface CompiledFilter {
  title: string;
  rules: string[] | 'any';
  logsource: Logsource;
  predicate: CompiledRule['predicate'];
  /** What the predicate compiles from, as plain data (the rule cache, worker threads). */
  data(): DetectionData;
}

interface CorrLink {
  corr: number;
  pos: number;
}

interface Entry {
  rule: number;
  guard: Pred | null;
  pred: Pred;
  /** Necessary literals (see Atom); null when the rule can match without any known literal. */
  atoms: Clauses | null;
  emit: boolean;
  links: CorrLink[];
}

/**
 * An entry whose literals are read when a pre-filter holding it is built, not before: a rule set from data
 * decodes a rule's literals only for the buckets events actually meet.
 */
class LazyEntry implements Entry {
  constructor(
    readonly rule: number,
    readonly emit: boolean,
    readonly links: CorrLink[],
    readonly guard: Pred | null,
    readonly pred: Pred,
    private readonly compiled: Compiled,
  ) {}
  get atoms(): Clauses | null {
    return this.compiled.atoms;
  }
}

function withAtoms(e: Omit<Entry, 'atoms'>, c: Compiled): Entry {
  return new LazyEntry(e.rule, e.emit, e.links, e.guard, e.pred, c);
}

/** What a placed rule needs to make its entries when a bucket holding it is first met. */
interface Placing {
  place: Extract<Placed, { kind: 'windows' | 'generic' }>;
  filters: readonly CompiledFilter[];
  emit: boolean;
  links: CorrLink[];
  /** Compiled (or lazily compiled) predicate per target, and the entry per slot key, made on first use. */
  preds?: (Compiled | undefined)[];
  entries?: Map<string, Entry>;
}

export class CompiledRuleSet implements SigmaRuleSet {
  // Rule indices by slot key (channel|EventID, channel|*, or * for any Windows channel) and for generic
  // logsources. Entries are made when a bucket holding the rule is first met: most buckets never are.
  private readonly byKey = new Map<string, number[]>();
  private readonly anyWindows: number[] = [];
  private readonly generic: { ls: Logsource; rule: number }[] = [];
  private readonly placing: (Placing | null)[] = [];
  // A lookup cache (channel|EventID → entries); filled lazily, never changes what matches.
  private readonly merged = new Map<string, Prefilter<Entry>>();
  private readonly genericMerged = new Map<string, Prefilter<Entry>>();
  private readonly keywordScanners = new Map<string, KeywordScanner>();
  private readonly tables = new Map<string, FieldLiterals>();

  constructor(
    /** What the set was built from, kept so that it can be given as data (ruleSetToData). */
    readonly compiled: readonly CompiledRule[],
    readonly filters: readonly CompiledFilter[],
    readonly correlations: readonly CompiledCorrelation[],
    /** Called for rules whose logsource maps to no event source. */
    onUnplaced: (rule: RuleMeta, reason: string) => void = () => {},
    /** The --placeholders values the rules were compiled with (a set rebuilt from data needs them again). */
    readonly placeholders: ReadonlyMap<string, readonly string[]> = new Map(),
  ) {
    const rules = compiled;
    const byRef = new Map<string, number>();
    rules.forEach((r, i) => {
      byRef.set(r.head.id, i);
      if (r.head.name) byRef.set(r.head.name, i);
    });
    const links = new Map<number, CorrLink[]>();
    const silenced = new Set<number>();
    correlations.forEach((c, ci) =>
      c.rules.forEach((ref, pos) => {
        const ri = byRef.get(ref);
        if (ri === undefined) return;
        (links.get(ri) ?? links.set(ri, []).get(ri)!).push({ corr: ci, pos });
        if (!c.generate) silenced.add(ri);
      }),
    );
    // Rules share a few dozen logsources: each is placed once, with its guards and the (channel|EventID)
    // slots it fills, so placing a rule is a few pushes (this is most of what a set from data costs).
    const placed = new Map<string, Placed>();
    const guardCache = new Map<string, Pred>();
    const placeOnce = (ls: Logsource): Placed => {
      const k = `${ls.product ?? ''}\u0000${ls.category ?? ''}\u0000${ls.service ?? ''}`;
      let pl = placed.get(k);
      if (pl === undefined) placed.set(k, (pl = slotsOf(placeLogsource(ls), guardCache)));
      return pl;
    };
    const noFilters: CompiledFilter[] = [];
    rules.forEach((r, ri) => {
      const place = placeOnce(r.head.logsource);
      if (place.kind === 'unknown') {
        this.placing.push(null);
        return onUnplaced(r.meta, place.reason);
      }
      const myFilters =
        filters.length === 0 ? noFilters : filters.filter((f) => (f.rules === 'any' || f.rules.includes(r.head.id) || (r.head.name !== null && f.rules.includes(r.head.name))) && filterFits(f.logsource, r.head.logsource));
      this.placing.push({ place, filters: myFilters, emit: !silenced.has(ri), links: links.get(ri) ?? [] });
      if (place.kind === 'generic') this.generic.push({ ls: place.logsource, rule: ri });
      else
        for (const slot of place.slots) {
          if (slot.key === '*') this.anyWindows.push(ri);
          else (this.byKey.get(slot.key) ?? this.byKey.set(slot.key, []).get(slot.key)!).push(ri);
        }
    });
  }

  /** The predicate of rule ri (with its filters) for one target's field mapping (generic: target -1). */
  private predOf(ri: number, pl: Placing, target: number): Compiled {
    const preds = (pl.preds ??= []);
    const slot = target + 1;
    let c = preds[slot];
    if (c !== undefined) return c;
    const t = target < 0 || pl.place.kind !== 'windows' ? null : pl.place.targets[target]!;
    const fm = t?.fieldMap ?? new Map<string, string>();
    const key = t?.mapKey ?? '';
    const own = this.compiled[ri]!.predicate(fm, key);
    // Filters only narrow a rule, so the rule's own necessary literals stay valid.
    if (pl.filters.length === 0) c = own;
    else {
      const p = and([own.p, ...pl.filters.map((f) => f.predicate(fm, key).p)]);
      c = {
        p,
        get atoms() {
          return own.atoms;
        },
      };
    }
    preds[slot] = c;
    return c;
  }

  /** Rule ri's entry for one slot key (made once, shared by every bucket that holds that slot). */
  private entryOf(ri: number, key: string): Entry {
    const pl = this.placing[ri]!;
    const entries = (pl.entries ??= new Map());
    let e = entries.get(key);
    if (e !== undefined) return e;
    if (pl.place.kind === 'generic') {
      const c = this.predOf(ri, pl, -1);
      e = withAtoms({ rule: ri, emit: pl.emit, links: pl.links, guard: null, pred: c.p }, c);
    } else {
      const slot = pl.place.slots.find((x) => x.key === key)!;
      const c = this.predOf(ri, pl, slot.target);
      e = withAtoms({ rule: ri, emit: pl.emit, links: pl.links, guard: slot.guard, pred: c.p }, c);
    }
    entries.set(key, e);
    return e;
  }

  /** Compile (or, from data, index) every mapping rule ri uses, as a fully built set would have: ruleSetToData needs them all. */
  prime(ri: number): void {
    const pl = this.placing[ri];
    if (!pl) return;
    if (pl.place.kind === 'generic') this.predOf(ri, pl, -1);
    else for (const slot of pl.place.slots) this.predOf(ri, pl, slot.target);
  }

  get size(): number {
    return this.compiled.length;
  }

  /** The rules that can apply to a Windows event of this channel and EventID. */
  entriesFor(channel: string, eventId: number | null): Prefilter<Entry> {
    const k = `${channel}|${eventId ?? '*'}`;
    let bucket = this.merged.get(k);
    if (!bucket) {
      const seen = new Set<number>();
      const list: Entry[] = [];
      const add = (key: string, rules: readonly number[] | undefined): void => {
        if (rules)
          for (const ri of rules) {
            if (seen.has(ri)) continue;
            seen.add(ri);
            list.push(this.entryOf(ri, key));
          }
      };
      add(k, this.byKey.get(k));
      if (eventId !== null) add(`${channel}|*`, this.byKey.get(`${channel}|*`));
      add('*', this.anyWindows);
      bucket = new Prefilter(list, this.tables, this.keywordScanners);
      this.merged.set(k, bucket);
    }
    return bucket;
  }

  genericFor(event: Exclude<HuntEvent, { source: 'evtx' | 'json' }>): Prefilter<Entry> {
    // logsourceOf depends only on the source (and an Exchange log's name): key the cache on those
    // without building the logsource object for every event.
    const k = event.source === 'w3c' ? 'w3c' : `exchange|${event.log}`;
    let bucket = this.genericMerged.get(k);
    if (!bucket) {
      const ls = logsourceOf(event);
      bucket = new Prefilter(
        this.generic.filter((g) => genericApplies(g.ls, ls)).map((g) => this.entryOf(g.rule, '')),
        this.tables,
        this.keywordScanners,
        { eventScan: true },
      );
      this.genericMerged.set(k, bucket);
    }
    return bucket;
  }

  /** How many rules of each regex engine (for the safety report). */
  static regexReport(rules: readonly CompiledRule[]): { re2: number; fallback: { rule: string; path: string; pattern: string }[]; all: SafeRegex[] } {
    const fallback: { rule: string; path: string; pattern: string }[] = [];
    let re2 = 0;
    const all: SafeRegex[] = [];
    for (const r of rules)
      for (const re of r.regexes) {
        all.push(re);
        // Linear time either way: re2js, or native with a proof (see regex.ts); only lookaround falls back.
        if (re.engine === 'fallback') fallback.push({ rule: r.meta.id, path: r.meta.path, pattern: re.source });
        else re2++;
      }
    return { re2, fallback, all };
  }

  createRun(): SigmaRun {
    return new Run(this);
  }
}

function eventChannel(event: HuntEvent & { source: 'evtx' | 'json' }, ctx: EventFields): { channel: string; eventId: number | null } {
  const ch = event.channel ?? ctx.str('Channel');
  let id = event.eventId;
  if (id === null) {
    const s = ctx.str('EventID');
    id = typeof s === 'string' && /^\d+$/.test(s) ? Number(s) : null;
  }
  return { channel: typeof ch === 'string' ? ch.toLowerCase() : '', eventId: id };
}

class Run implements SigmaRun {
  private readonly state = new Map<number, Map<string, { group: Record<string, string | null>; recs: CorrRecord[] }>>();
  private finished = false;
  // The bucket of each (channel as the event spells it, EventID) met in this run: no case folding or key
  // string per event. Events without a channel or EventID on the record take the general path.
  private readonly buckets = new Map<string, Map<number, Prefilter<Entry>>>();
  constructor(private readonly set: CompiledRuleSet) {}

  private windowsBucket(event: HuntEvent & { source: 'evtx' | 'json' }, ctx: EventFields): Prefilter<Entry> {
    const ch = event.channel;
    const id = event.eventId;
    if (ch === null || id === null) {
      const { channel, eventId } = eventChannel(event, ctx);
      return this.set.entriesFor(channel, eventId);
    }
    let byId = this.buckets.get(ch);
    if (byId === undefined) this.buckets.set(ch, (byId = new Map()));
    let bucket = byId.get(id);
    if (bucket === undefined) {
      const { channel, eventId } = eventChannel(event, ctx);
      bucket = this.set.entriesFor(channel, eventId);
      byId.set(id, bucket);
    }
    return bucket;
  }

  match(event: HuntEvent): Finding[] {
    const ctx = new EventFields(event);
    const bucket = event.source === 'w3c' || event.source === 'exchange' ? this.set.genericFor(event) : this.windowsBucket(event, ctx);
    let out: Finding[] | undefined;
    const n = bucket.candidates(ctx);
    const picked = bucket.picked;
    const entries = bucket.entries;
    for (let k = 0; k < n; k++) {
      const e = entries[picked[k]!]!;
      if (e.guard !== null && !e.guard(ctx)) continue;
      if (!e.pred(ctx)) continue;
      const meta = this.set.compiled[e.rule]!.meta;
      if (e.links.length > 0) this.record(e, meta, ctx);
      if (!e.emit) continue;
      (out ??= []).push({
        engine: 'sigma',
        time: event.time,
        level: meta.level,
        rule: meta.ref,
        cves: meta.cves,
        attack: meta.attack,
        host: event.host,
        evidence: event.ref,
        fields: ctx.flat(),
      });
    }
    return out ?? [];
  }

  private record(e: Entry, meta: RuleMeta, ctx: EventFields): void {
    const ev = ctx.event;
    if (ev.time === null) return; // no time, no window: correlation cannot place it
    const t = Date.parse(ev.time);
    if (Number.isNaN(t)) return;
    for (const { corr, pos } of e.links) {
      const c = this.set.correlations[corr]!;
      const group: Record<string, string | null> = {};
      for (const g of c.groupBy) {
        const alias = c.aliases.get(g);
        const f = alias?.get(meta.name ?? '') ?? alias?.get(meta.id) ?? g;
        const v = ctx.str(f);
        group[g] = v === undefined ? null : typeof v === 'string' ? v : v.join(',');
      }
      const key = JSON.stringify(group);
      const byGroup = this.state.get(corr) ?? this.state.set(corr, new Map()).get(corr)!;
      const slot = byGroup.get(key) ?? byGroup.set(key, { group, recs: [] }).get(key)!;
      const v = c.field ? ctx.str(c.field) : undefined;
      slot.recs.push({ t, time: ev.time, rule: pos, value: v === undefined ? null : String(v), host: ev.host, evidence: ev.ref });
    }
  }

  takeCorrelationMatches(): CorrelationMatches {
    const out: CorrelationMatches = [];
    for (const [ci, groups] of this.state) for (const [key, { group, recs }] of groups) out.push([ci, key, group, recs]);
    this.state.clear();
    return out;
  }

  addCorrelationMatches(m: CorrelationMatches): void {
    for (const [ci, key, group, recs] of m) {
      const byGroup = this.state.get(ci) ?? this.state.set(ci, new Map()).get(ci)!;
      const slot = byGroup.get(key);
      if (slot) for (const r of recs) slot.recs.push(r);
      else byGroup.set(key, { group, recs: [...recs] });
    }
  }

  finish(): Finding[] {
    if (this.finished) return [];
    this.finished = true;
    const out: Finding[] = [];
    for (const [ci, groups] of this.state) {
      const c = this.set.correlations[ci]!;
      for (const { group, recs } of groups.values()) out.push(...evaluateGroup(c, group, recs));
    }
    out.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
    return out;
  }
}
