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
  /** The value as text (undefined when the field is absent). */
  str(field: string): FieldValue;
  /** The value lower-cased (for case-insensitive matching). */
  lower(field: string): FieldValue;
  /** Every value of the event as text (for keyword search), lower-cased or not. */
  allValues(fold: boolean): readonly string[];
  /** The flat field map (for findings and correlation group-by). */
  flat(): Record<string, unknown>;
}

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

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flatten a Windows event into Sigma field names (see the resolution order above). */
export function flattenWinEvent(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ev = isObj(data['Event']) ? data['Event'] : data;
  const sys = ev['System'];
  if (isObj(sys)) {
    for (const [k, v] of Object.entries(sys)) {
      if (isObj(v)) {
        const attrs = v['#attributes'];
        if (isObj(attrs)) for (const [a, av] of Object.entries(attrs)) out[`${k}_${a}`] = av;
        if ('#text' in v) out[k] = v['#text'];
        else if (!isObj(attrs)) out[k] = v;
      } else out[k] = v;
    }
  }
  const ud = ev['UserData'];
  if (isObj(ud)) {
    for (const [k, child] of Object.entries(ud)) {
      if (k === '#attributes') continue;
      if (isObj(child)) {
        for (const [ck, cv] of Object.entries(child)) if (ck !== '#attributes') out[ck] = cv;
      } else out[k] = child;
    }
  }
  const ed = ev['EventData'];
  if (isObj(ed)) {
    for (const [k, v] of Object.entries(ed)) if (k !== '#attributes') out[k] = v;
  } else if (ed !== undefined && ed !== null) out['EventData'] = ed;
  // Defender and others name data with spaces ("Threat Name"); rules write them without (ThreatName).
  for (const k of Object.keys(out)) {
    if (k.includes(' ')) {
      const alias = k.replace(/ /g, '');
      if (!(alias in out)) out[alias] = out[k];
    }
  }
  return out;
}

function pathLookup(root: Record<string, unknown>, path: string): unknown {
  let cur: unknown = root;
  for (const p of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A per-event accessor; create one per event, never share between events. */
export class EventFields implements FieldContext {
  private readonly fields: Record<string, unknown>;
  private readonly strCache = new Map<string, FieldValue>();
  private readonly lowCache = new Map<string, FieldValue>();
  private all: string[] | undefined;
  private allLow: string[] | undefined;
  private readonly win: WinEvent | null;

  readonly event: HuntEvent;
  constructor(event: HuntEvent) {
    this.event = event;
    if (event.source === 'w3c' || event.source === 'exchange') {
      this.win = null;
      this.fields = event.fields;
    } else {
      this.win = event;
      this.fields = flattenWinEvent(event.data);
    }
  }

  str(field: string): FieldValue {
    let v = this.strCache.get(field);
    if (v !== undefined || this.strCache.has(field)) return v;
    let raw = this.fields[field];
    if (raw === undefined && this.win && field.includes('.')) {
      raw = pathLookup(this.win.data, field);
      if (raw === undefined && isObj(this.win.data['Event'])) raw = pathLookup(this.win.data['Event'], field);
    }
    v = toText(raw);
    this.strCache.set(field, v);
    return v;
  }

  lower(field: string): FieldValue {
    let v = this.lowCache.get(field);
    if (v !== undefined || this.lowCache.has(field)) return v;
    const s = this.str(field);
    v = s === undefined ? undefined : typeof s === 'string' ? s.toLowerCase() : s.map((x) => x.toLowerCase());
    this.lowCache.set(field, v);
    return v;
  }

  allValues(fold: boolean): readonly string[] {
    if (!this.all) {
      this.all = [];
      for (const v of Object.values(this.fields)) {
        const t = toText(v);
        if (typeof t === 'string') this.all.push(t);
        else if (t) this.all.push(...t);
      }
    }
    if (!fold) return this.all;
    return (this.allLow ??= this.all.map((x) => x.toLowerCase()));
  }

  flat(): Record<string, unknown> {
    return this.fields;
  }
}
