// Logsource → where a rule applies: Windows rules map to event log channels, EventIDs and field
// mappings (data file generated from SigmaHQ's thor.yml); other rules compare logsource keys directly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventLogsource } from '../../event.js';
import { projectRoot } from '../../paths.js';

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

interface CategoryEntry {
  product?: string;
  service: string;
  conditions: Record<string, (string | number)[]>;
  fieldmappings?: Record<string, string>;
  from: string;
}
interface LogsourceData {
  services: Record<string, string[]>;
  categories: Record<string, CategoryEntry[]>;
}

/** Where a Windows rule applies: lower-cased channels (null = any), EventIDs (null = any), extra conditions. */
export interface WinTarget {
  channels: string[] | null;
  eventIds: number[] | null;
  conditions: Record<string, (string | number)[]>;
  fieldMap: ReadonlyMap<string, string>;
  /** Stable key of the field mapping, so rules sharing it compile once per mapping. */
  mapKey: string;
}

let data: LogsourceData | undefined;
function load(): LogsourceData {
  return (data ??= JSON.parse(readFileSync(join(projectRoot, 'src', 'normalize', 'maps', 'windows-logsources.json'), 'utf8')) as LogsourceData);
}

export type Placement =
  | { kind: 'windows'; targets: WinTarget[] }
  | { kind: 'generic'; logsource: Logsource }
  | { kind: 'unknown'; reason: string };

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();

/** Decide where a rule's logsource applies. */
export function placeLogsource(ls: Logsource): Placement {
  const d = load();
  const cat = ls.category?.toLowerCase();
  const svc = ls.service?.toLowerCase();
  const product = ls.product?.toLowerCase();
  const entries = cat ? (d.categories[cat] ?? []).filter((e) => !e.product || !product || e.product === product) : [];
  const isWindows = product === 'windows' || (product === undefined && entries.length > 0);
  if (!isWindows) return { kind: 'generic', logsource: ls };
  if (cat) {
    if (entries.length === 0) return { kind: 'unknown', reason: `no Windows event log mapping for category '${cat}'` };
    const targets: WinTarget[] = [];
    for (const e of entries) {
      if (svc && svc !== e.service) continue;
      const channels = d.services[e.service];
      if (!channels) continue;
      const ids = e.conditions['EventID'];
      const conditions = { ...e.conditions };
      delete conditions['EventID'];
      const fm = Object.entries(e.fieldmappings ?? {});
      targets.push({
        channels: channels.map((c) => c.toLowerCase()),
        eventIds: ids ? ids.map(Number) : null,
        conditions,
        fieldMap: fm.length ? new Map(fm) : EMPTY_MAP,
        mapKey: fm.map(([a, b]) => `${a}=${b}`).join(','),
      });
    }
    if (targets.length === 0) return { kind: 'unknown', reason: `no Windows event log mapping for category '${cat}'` };
    return { kind: 'windows', targets };
  }
  if (svc) {
    const channels = d.services[svc];
    if (!channels) return { kind: 'unknown', reason: `no Windows event log channel for service '${svc}'` };
    return { kind: 'windows', targets: [{ channels: channels.map((c) => c.toLowerCase()), eventIds: null, conditions: {}, fieldMap: EMPTY_MAP, mapKey: '' }] };
  }
  return { kind: 'windows', targets: [{ channels: null, eventIds: null, conditions: {}, fieldMap: EMPTY_MAP, mapKey: '' }] };
}

/** A non-Windows rule applies when every logsource key it sets equals the event's. */
export function genericApplies(rule: Logsource, ev: EventLogsource): boolean {
  for (const k of ['product', 'category', 'service'] as const) {
    const want = rule[k];
    if (want !== undefined && want.toLowerCase() !== ev[k]) return false;
  }
  return true;
}
