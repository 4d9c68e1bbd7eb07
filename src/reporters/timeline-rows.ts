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

function flatten(prefix: string, v: unknown, out: string[], depth: number): void {
  if (out.length > 200) return;
  if (v === null || v === undefined) return;
  if (typeof v === 'object') {
    if (depth > 4) return;
    if (Array.isArray(v)) v.forEach((x, i) => flatten(`${prefix}[${i}]`, x, out, depth + 1));
    else for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(prefix ? `${prefix}.${k}` : k, x, out, depth + 1);
    return;
  }
  const s = String(v);
  if (s === '' || s === '-') return;
  out.push(`${prefix.replace(/^Event\.(?:EventData|System|UserData)\./, '')}: ${s}`);
}

// Findings of one event share their fields object, and the CSV and Timesketch timelines both ask for it.
const detailsCache = new WeakMap<object, string>();

export function detailsOf(fields: Record<string, unknown>): string {
  let d = detailsCache.get(fields);
  if (d === undefined) {
    const parts: string[] = [];
    flatten('', fields, parts, 0);
    const s = parts.join(' ¦ ');
    d = s.length > MAX_DETAILS ? s.slice(0, MAX_DETAILS) + ' …' : s;
    detailsCache.set(fields, d);
  }
  return d;
}

export function timelineRow(f: Finding, catalog: AttackCatalog): TimelineRow {
  const techs = f.attack.map((t) => catalog.resolve(t) ?? t);
  const tactics = new Set<string>();
  for (const t of techs) for (const s of catalog.technique(t)?.tactics ?? []) tactics.add(catalog.tactic(s)?.name ?? s);
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
    MitreTactics: [...tactics].join(', '),
    MitreTags: techs.join(', '),
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
