// Field resolution: how a Sigma field name finds its value in a HuntEvent, with a per-event cache of
// string and case-folded forms so each field is read and lower-cased at most once per event.
import type { HuntEvent, WinEvent } from '../../event.js';

/**
 * Field resolution for Windows events (nested evtx_dump JSON, `{Event:{System,EventData|UserData}}`),
 * following Hayabusa's and Chainsaw's conventions:
 *  1. EventData: `<Data Name="X">` → field `X` (an object with `#text` gives its text). Unnamed `Data`
 *     elements stay under `Data`.
 *  2. UserData: the fields of its single child element (e.g. `UserData.Operation_ClientFailure.User`) → `User`.
 *  3. System: each child by its name (`EventID`, `Channel`, `Computer`, `Level`, ...; `EventID` given as
 *     `{#attributes:{Qualifiers},#text}` reads its text), and each XML attribute as `<Element>_<Attribute>`
 *     (`Provider_Name`, `Provider_Guid`, `Execution_ProcessID`, `Security_UserID`, `TimeCreated_SystemTime`).
 *  EventData wins over UserData, which wins over System, when a name exists in several places.
 *  4. A data name with spaces is also found without them ("Threat Name" → `ThreatName`), as Defender
 *     rules expect.
 *  5. A name with dots is a path from the root (`Event.System.Computer`) or from `Event` (`System.Computer`).
 * W3C and Exchange events: the field name as the reader normalised it (exact, case-sensitive).
 * Numbers and booleans read as their decimal / `true|false` text; JSON null reads as the empty string.
 */
export type FieldValue = string | readonly string[] | undefined;

export interface FieldContext {
  readonly event: HuntEvent;
  /** A number unique to this context (for per-event scratch stamps; see literals.ts). */
  readonly gen: number;
  /** The value as text (undefined when the field is absent). */
  str(field: string): FieldValue;
  /** The value lower-cased (for case-insensitive matching). */
  lower(field: string): FieldValue;
  /** str() of the field registered as fieldId(name): what compiled predicates call (no name hashing). */
  strAt(id: number): FieldValue;
  /** lower() of the field registered as fieldId(name). */
  lowerAt(id: number): FieldValue;
  /** Every value of the event as text (for keyword search), lower-cased or not. */
  allValues(fold: boolean): readonly string[];
  /** The flat field map (for findings and correlation group-by). */
  flat(): Record<string, unknown>;
  /**
   * Every scalar value of the event as text, not case-folded, in document order (for the keyword
   * pre-filter; an Exchange row may add its empty and ignored columns). Read it at once: the list may be
   * reused for the next context.
   */
  scalars(): readonly string[];
}

/** What resolution needs to know about a field name, worked out once when it is registered. */
interface FieldInfo {
  readonly name: string;
  /** `Element_Attribute` names: the System element and attribute (split at the first `_`), else null. */
  readonly el: string | null;
  readonly attr: string | null;
  readonly dotted: boolean;
}

// The field registry: every field name a predicate reads gets a small number when the rule compiles, and a
// context keeps each field's text and case-folded text in slots of that number. The slots are one scratch
// shared by all contexts, each value stamped with its context's generation: matching is synchronous, a
// stamp from another context is stale and the value is read again — so contexts never see each other's
// values, and there is no per-event allocation or clearing. Names come from rules (and correlation
// group-by), so the registry stays small.
const registry = new Map<string, number>();
const infos: FieldInfo[] = [];
let strStamp: Float64Array = new Float64Array(64).fill(-1);
let lowStamp: Float64Array = new Float64Array(64).fill(-1);
const strSlot: FieldValue[] = [];
const lowSlot: FieldValue[] = [];

// The scalars of the last context that asked (see EventFields.scalars).
const scalarsBuf: string[] = [];
let scalarsGen = -1;

/** The slot number of a field name (registered on first use). */
export function fieldId(name: string): number {
  let id = registry.get(name);
  if (id !== undefined) return id;
  id = infos.length;
  const us = name.indexOf('_');
  infos.push({ name, el: us > 0 ? name.slice(0, us) : null, attr: us > 0 ? name.slice(us + 1) : null, dotted: name.includes('.') });
  strSlot.push(undefined);
  lowSlot.push(undefined);
  if (id >= strStamp.length) {
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(a.length * 2).fill(-1);
      b.set(a);
      return b;
    };
    strStamp = grow(strStamp);
    lowStamp = grow(lowStamp);
  }
  registry.set(name, id);
  return id;
}

let generation = 0;

function toText(v: unknown): string | readonly string[] | undefined {
  if (v === undefined) return undefined;
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const x of v) {
      const t = toText(x);
      if (typeof t === 'string') out.push(t);
      else if (t) out.push(...t);
    }
    return out;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('#text' in o) return toText(o['#text']);
    return JSON.stringify(v);
  }
  return String(v);
}

/** Every scalar under v, as text, in document order (for the keyword pre-filter). */
function collectScalars(v: unknown, parts: string[]): void {
  // An identical value next to itself (W3C's cs-user-agent and cs(User-Agent)) adds no literal.
  if (typeof v === 'string') {
    if (parts[parts.length - 1] !== v) parts.push(v);
    return;
  }
  if (v === null || v === undefined) return;
  if (typeof v !== 'object') {
    parts.push(String(v));
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) collectScalars(v[i], parts);
    return;
  }
  // Most members are strings: handled here, without a call each.
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (typeof x === 'string') {
      if (parts[parts.length - 1] !== x) parts.push(x);
    } else if (x !== null && x !== undefined) collectScalars(x, parts);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flatten a Windows event into Sigma field names (see the resolution order above). */
export function flattenWinEvent(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ev = isObj(data['Event']) ? data['Event'] : data;
  const sys = ev['System'];
  if (isObj(sys)) {
    for (const k in sys) {
      const v = sys[k];
      if (isObj(v)) {
        const attrs = v['#attributes'];
        if (isObj(attrs)) for (const a in attrs) out[attrKey(k, a)] = attrs[a];
        if ('#text' in v) out[k] = v['#text'];
        else if (!isObj(attrs)) out[k] = v;
      } else out[k] = v;
    }
  }
  const ud = ev['UserData'];
  if (isObj(ud)) {
    for (const k in ud) {
      if (k === '#attributes') continue;
      const child = ud[k];
      if (isObj(child)) {
        for (const ck in child) if (ck !== '#attributes') put(out, ck, child[ck]);
      } else put(out, k, child);
    }
  }
  const ed = ev['EventData'];
  if (isObj(ed)) {
    for (const k in ed) if (k !== '#attributes') put(out, k, ed[k]);
  } else if (ed !== undefined && ed !== null) out['EventData'] = ed;
  return out;
}

// Key strings made while flattening, kept so that every event does not build (and V8 does not intern)
// the same `Provider_Name` again. The names come from the evidence, so the caches stop growing at a bound.
const KEY_CACHE_MAX = 4096;
const attrKeys = new Map<string, Map<string, string>>();
let attrKeyCount = 0;
function attrKey(el: string, attr: string): string {
  let byAttr = attrKeys.get(el);
  let k = byAttr?.get(attr);
  if (k !== undefined) return k;
  k = `${el}_${attr}`;
  if (attrKeyCount < KEY_CACHE_MAX) {
    if (!byAttr) attrKeys.set(el, (byAttr = new Map()));
    byAttr.set(attr, k);
    attrKeyCount++;
  }
  return k;
}
const unspaced = new Map<string, string>();

// Defender and others name data with spaces ("Threat Name"); rules write them without (ThreatName).
function put(out: Record<string, unknown>, k: string, v: unknown): void {
  out[k] = v;
  if (k.includes(' ')) {
    let alias = unspaced.get(k);
    if (alias === undefined) {
      alias = k.replace(/ /g, '');
      if (unspaced.size < KEY_CACHE_MAX) unspaced.set(k, alias);
    }
    if (!(alias in out)) out[alias] = v;
  }
}

function pathLookup(root: Record<string, unknown>, path: string): unknown {
  let cur: unknown = root;
  for (const p of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function unwrapSystem(v: unknown): unknown {
  if (!isObj(v)) return v;
  if ('#text' in v) return v['#text'];
  return isObj(v['#attributes']) ? undefined : v;
}

/**
 * A per-event accessor; create one per event, never share between events. Windows fields are resolved
 * on demand (same order as flattenWinEvent, which is only built for findings and keyword search).
 */
export class EventFields implements FieldContext {
  private flatFields: Record<string, unknown> | undefined;
  private all: string[] | undefined;
  private allLow: string[] | undefined;
  private readonly win: WinEvent | null;
  private readonly ed: Record<string, unknown> | null = null;
  private readonly ud: Record<string, unknown> | null = null;
  private readonly sys: Record<string, unknown> | null = null;
  private spaced: Map<string, string> | undefined;
  readonly event: HuntEvent;
  readonly gen = ++generation;

  constructor(event: HuntEvent) {
    this.event = event;
    if (event.source === 'w3c' || event.source === 'exchange') {
      this.win = null;
      this.flatFields = event.fields;
    } else {
      this.win = event;
      const ev = isObj(event.data['Event']) ? event.data['Event'] : event.data;
      const ed = ev['EventData'];
      const ud = ev['UserData'];
      const sys = ev['System'];
      // EventData that is not a map (a bare value) or UserData beyond one child: take the flat path.
      if ((ed !== undefined && ed !== null && !isObj(ed)) || (isObj(ud) && Object.keys(ud).filter((k) => k !== '#attributes').length !== 1)) {
        this.flatFields = flattenWinEvent(event.data);
      } else {
        this.ed = isObj(ed) ? ed : null;
        if (isObj(ud)) {
          for (const k in ud) if (k !== '#attributes' && isObj(ud[k])) this.ud = ud[k] as Record<string, unknown>;
        }
        this.sys = isObj(sys) ? sys : null;
      }
    }
  }

  private raw(info: FieldInfo): unknown {
    const field = info.name;
    if (this.flatFields) return this.flatFields[field];
    // One lookup when the field is there; `in` only tells an own undefined from a missing one.
    const ed = this.ed;
    if (ed !== null && field !== '#attributes') {
      const v = ed[field];
      if (v !== undefined || field in ed) return v;
    }
    const ud = this.ud;
    if (ud !== null && field !== '#attributes') {
      const v = ud[field];
      if (v !== undefined || field in ud) return v;
    }
    const sys = this.sys;
    if (sys !== null) {
      if (field in sys) {
        const v = unwrapSystem(sys[field]);
        if (v !== undefined) return v;
      }
      if (info.el !== null) {
        const el = sys[info.el];
        if (isObj(el) && isObj(el['#attributes'])) {
          const a = el['#attributes'][info.attr!];
          if (a !== undefined) return a;
        }
      }
    }
    // Data names with spaces ("Threat Name") answer to their name without spaces.
    if (!this.spaced) {
      this.spaced = new Map();
      for (const src of [ud, ed]) if (src) for (const k in src) if (k.includes(' ')) this.spaced.set(k.replace(/ /g, ''), k);
    }
    const orig = this.spaced.get(field);
    if (orig !== undefined) return ed && orig in ed ? ed[orig] : ud?.[orig];
    return undefined;
  }

  strAt(id: number): FieldValue {
    if (strStamp[id] === this.gen) return strSlot[id];
    const info = infos[id]!;
    let raw = this.raw(info);
    if (raw === undefined && this.win && info.dotted) {
      raw = pathLookup(this.win.data, info.name);
      if (raw === undefined && isObj(this.win.data['Event'])) raw = pathLookup(this.win.data['Event'], info.name);
    }
    const v = toText(raw);
    strStamp[id] = this.gen;
    strSlot[id] = v;
    return v;
  }

  lowerAt(id: number): FieldValue {
    if (lowStamp[id] === this.gen) return lowSlot[id];
    const s = this.strAt(id);
    const v = s === undefined ? undefined : typeof s === 'string' ? s.toLowerCase() : s.map((x) => x.toLowerCase());
    lowStamp[id] = this.gen;
    lowSlot[id] = v;
    return v;
  }

  str(field: string): FieldValue {
    return this.strAt(fieldId(field));
  }

  lower(field: string): FieldValue {
    return this.lowerAt(fieldId(field));
  }

  allValues(fold: boolean): readonly string[] {
    const cached = fold ? this.allLow : this.all;
    if (cached) return cached;
    const out: string[] = [];
    const flat = this.flat();
    for (const k in flat) {
      const t = toText(flat[k]);
      if (typeof t === 'string') out.push(fold ? t.toLowerCase() : t);
      else if (t) for (const x of t) out.push(fold ? x.toLowerCase() : x);
    }
    if (fold) this.allLow = out;
    else this.all = out;
    return out;
  }

  flat(): Record<string, unknown> {
    return (this.flatFields ??= flattenWinEvent(this.win!.data));
  }

  /** Valid until scalars() runs for another context: one buffer, refilled per event (no allocation). */
  scalars(): readonly string[] {
    const ev = this.event;
    // Exchange rows bring their values in column order (a superset of the fields' values: fine for a pre-filter).
    if (ev.source === 'exchange' && ev.values !== undefined) return ev.values;
    if (scalarsGen === this.gen) return scalarsBuf;
    scalarsBuf.length = 0;
    collectScalars(this.win ? this.win.data : this.flatFields, scalarsBuf);
    scalarsGen = this.gen;
    return scalarsBuf;
  }
}
