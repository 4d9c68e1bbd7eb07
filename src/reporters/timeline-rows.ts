// One flat row per finding, shared by the CSV timeline and the Timesketch JSONL: Hayabusa-style names,
// tactics and techniques from the catalogue, event details as `Key: value ¦ Key: value`.
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { findingAgent, findingIp, findingPath, findingUser } from '../engines/activity/index.js';

export interface TimelineRow {
  Timestamp: string;
  RuleTitle: string;
  Level: string;
  Computer: string;
  Engine: string;
  EvidenceFile: string;
  EvidenceLine: string;
  EvidenceRecord: string;
  Message: string;
  MitreTactics: string;
  MitreTags: string;
  CVEs: string;
  ClientIP: string;
  UserAgent: string;
  User: string;
  Path: string;
  Details: string;
  RuleAuthor: string;
  RuleID: string;
  RuleFile: string;
}
export const TIMELINE_COLUMNS: (keyof TimelineRow)[] = [
  'Timestamp', 'RuleTitle', 'Level', 'Computer', 'Engine', 'EvidenceFile', 'EvidenceLine', 'EvidenceRecord', 'Message', 'MitreTactics',
  'MitreTags', 'CVEs', 'ClientIP', 'UserAgent', 'User', 'Path', 'Details', 'RuleAuthor', 'RuleID', 'RuleFile',
];

const MAX_DETAILS = 4000;

/** Walks `fields` as `Key: value` parts (evtx_dump's Event.EventData./System./UserData. left off the names), at most 201, in key order. */
class Flat {
  text = '';
  parts = 0;
  add(prefix: string, v: unknown, depth: number): void {
    // past MAX_DETAILS characters nothing more is kept (detailsOf cuts there), past 201 parts nothing more is taken
    if (this.parts > 200 || this.text.length > MAX_DETAILS) return;
    if (v === null || v === undefined) return;
    if (typeof v === 'object') {
      if (depth > 4) return;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) this.add(`${prefix}[${i}]`, v[i], depth + 1);
        return;
      }
      const o = v as Record<string, unknown>;
      for (const k in o) if (Object.prototype.hasOwnProperty.call(o, k)) this.add(prefix ? `${prefix}.${k}` : k, o[k], depth + 1);
      return;
    }
    const s = String(v);
    if (s === '' || s === '-') return;
    this.text += `${this.parts++ === 0 ? '' : ' ¦ '}${shortName(prefix)}: ${s}`;
  }
}

function shortName(path: string): string {
  if (!path.startsWith('Event.')) return path;
  for (const p of EVENT_PARTS) if (path.startsWith(p)) return path.slice(p.length);
  return path;
}
const EVENT_PARTS = ['Event.EventData.', 'Event.System.', 'Event.UserData.'];

// Findings of one event share their fields object, and the CSV and Timesketch timelines both ask for it.
const detailsCache = new WeakMap<object, string>();

export function detailsOf(fields: Record<string, unknown>): string {
  let d = detailsCache.get(fields);
  if (d === undefined) {
    const flat = new Flat();
    flat.add('', fields, 0);
    const s = flat.text;
    d = s.length > MAX_DETAILS ? s.slice(0, MAX_DETAILS) + ' …' : s;
    detailsCache.set(fields, d);
  }
  return d;
}

// A rule's findings share their technique list: its tactics and tags are named once per list (and catalogue).
const mitreCache = new WeakMap<readonly string[], { catalog: AttackCatalog; of: string; tactics: string; tags: string }>();
function mitreOf(attack: readonly string[], catalog: AttackCatalog): { tactics: string; tags: string } {
  const of = attack.join('\u0000');
  const c = mitreCache.get(attack);
  if (c && c.catalog === catalog && c.of === of) return c;
  const techs = attack.map((t) => catalog.resolve(t) ?? t);
  const tactics = new Set<string>();
  for (const t of techs) for (const s of catalog.technique(t)?.tactics ?? []) tactics.add(catalog.tactic(s)?.name ?? s);
  const made = { catalog, of, tactics: [...tactics].join(', '), tags: techs.join(', ') };
  mitreCache.set(attack, made);
  return made;
}

export function timelineRow(f: Finding, catalog: AttackCatalog): TimelineRow {
  const mitre = mitreOf(f.attack, catalog);
  return {
    Timestamp: f.time ?? '',
    RuleTitle: f.rule.title,
    Level: f.level,
    Computer: f.host ?? '',
    Engine: f.engine,
    EvidenceFile: f.evidence.path,
    EvidenceLine: f.evidence.line !== undefined ? String(f.evidence.line) : '',
    EvidenceRecord: f.evidence.record !== undefined ? String(f.evidence.record) : '',
    Message: f.message ?? '',
    MitreTactics: mitre.tactics,
    MitreTags: mitre.tags,
    CVEs: f.cves.join(', '),
    ClientIP: findingIp(f) ?? '',
    UserAgent: findingAgent(f) ?? '',
    User: findingUser(f) ?? '',
    Path: findingPath(f) ?? '',
    Details: detailsOf(f.fields),
    RuleAuthor: f.rule.author ?? '',
    RuleID: f.rule.id,
    RuleFile: f.rule.source,
  };
}
