// Finding: what engines produce and reporters consume. A union tagged by `engine`; every finding
// names its rule (with author, as the Detection Rule License requires) and cites its evidence.

import type { EvidenceRef } from './event.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}
export function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}

export interface RuleRef {
  id: string;
  title: string;
  /** Rule author; must travel with every finding (DRL 1.1). */
  author: string | null;
  /** Where the rule came from: 'builtin:<relative path>' or the path given by the user. */
  source: string;
  tags?: string[];
  references?: string[];
  falsepositives?: string[];
}

export type FindingEngine = 'sigma' | 'correlation' | 'exposure' | 'yara' | 'ioc' | 'file' | 'activity';

export interface Finding {
  engine: FindingEngine;
  /** UTC ISO 8601 of the event (or file modification time), null when unknown. */
  time: string | null;
  level: Level;
  rule: RuleRef;
  /** CVE IDs like 'CVE-2021-26855' (upper case). */
  cves: string[];
  /** ATT&CK technique IDs like 'T1190', 'T1505.003'. */
  attack: string[];
  host: string | null;
  evidence: EvidenceRef;
  /** The event's fields that matter (matched event, file hashes and times, build...). */
  fields: Record<string, unknown>;
  /** One human sentence, e.g. "web shell used from 203.0.113.77". */
  message?: string;
}

/** 'attack.t1505.003' -> 'T1505.003'; null for tactic tags and others. */
export function techniqueFromTag(tag: string): string | null {
  const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag.trim());
  return m ? m[1]!.toUpperCase() : null;
}
/** 'cve.2021-26855' -> 'CVE-2021-26855'. */
export function cveFromTag(tag: string): string | null {
  const m = /^cve\.(\d{4}-\d{4,7})$/i.exec(tag.trim());
  return m ? `CVE-${m[1]}` : null;
}

/**
 * The total order of every ordered output (findings.jsonl, --jsonl, the timelines): time (unknown last),
 * evidence path, line/record, engine, rule id; the serialised finding breaks the remaining ties (SpillSorter),
 * so the outputs are the same bytes whatever order the findings were produced in.
 */
export function findingOrderKey(f: Finding): string {
  const at = f.evidence.line ?? f.evidence.record;
  return `${f.time ?? '\uffff'}\u0000${f.evidence.path}\u0000${at === undefined ? '' : String(at).padStart(15, '0')}\u0000${f.engine}\u0000${f.rule.id}`;
}
