// timeline.jsonl for Timesketch: one object per line with message, datetime, timestamp_desc and an integer
// microsecond timestamp; the rest as flat attributes. Exact values (not spreadsheet-safe, by design).
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { timelineRow, type TimelineRow } from './timeline-rows.js';
import { cmpStr } from '../engines/activity/index.js';

const FILE_ENGINES = new Set(['yara', 'ioc', 'file']);

/** Lines per chunk of timesketchChunks. */
const CHUNK_LINES = 1000;

/**
 * timeline.jsonl as text chunks of at most CHUNK_LINES lines (see timelineCsvChunks). Findings without a
 * usable timestamp are left out (Timesketch rejects them): `counts.skipped` says how many, once done.
 */
/** One Timesketch line for a finding, or null when it has no usable timestamp (Timesketch rejects those). */
export function timesketchLine(f: Finding, catalog: AttackCatalog, row?: TimelineRow): string | null {
  const ms = f.time === null ? NaN : Date.parse(f.time);
  if (Number.isNaN(ms) || ms < Date.UTC(1700, 0, 1)) return null;
  const r = row ?? timelineRow(f, catalog);
  const iso = new Date(ms).toISOString();
  const fractionUs = /\.(\d{4,6})/.exec(f.time ?? '')?.[1]?.padEnd(6, '0').slice(3) ?? '000';
  const obj: Record<string, string | number | string[]> = {
    message: `[${f.level}] ${f.rule.title}${f.message ? ` — ${f.message}` : ''}`,
    datetime: iso,
    timestamp: ms * 1000 + Number(fractionUs),
    timestamp_desc: FILE_ENGINES.has(f.engine) ? 'File Modified' : f.engine === 'exposure' ? 'Build Observed' : 'Event Recorded',
    data_type: `exhunt:finding:${f.engine}`,
    level: f.level,
    rule_title: r.RuleTitle,
    rule_id: r.RuleID,
    rule_author: r.RuleAuthor,
    rule_file: r.RuleFile,
    computer: r.Computer,
    evidence_file: r.EvidenceFile,
    evidence_line: r.EvidenceLine,
    evidence_record: r.EvidenceRecord,
    attack_tactics: r.MitreTactics,
    attack_techniques: r.MitreTags,
    cves: r.CVEs,
    client_ip: r.ClientIP,
    user_agent: r.UserAgent,
    user: r.User,
    path: r.Path,
    details: r.Details,
  };
  obj['tag'] = [...f.attack, ...f.cves, f.level];
  return JSON.stringify(obj);
}

/**
 * timeline.jsonl as text chunks of at most CHUNK_LINES lines (see timelineCsvChunks). Findings without a
 * usable timestamp are left out: `counts.skipped` says how many, once done.
 */
export function* timesketchChunks(findings: readonly Finding[], catalog: AttackCatalog, counts: { skipped: number } = { skipped: 0 }): Generator<string> {
  let lines: string[] = [];
  const sorted = [...findings].sort((a, b) => cmpStr(a.time ?? '~', b.time ?? '~'));
  for (const f of sorted) {
    const line = timesketchLine(f, catalog);
    if (line === null) {
      counts.skipped++;
      continue;
    }
    lines.push(line);
    if (lines.length >= CHUNK_LINES) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

export function timesketchJsonl(findings: readonly Finding[], catalog: AttackCatalog): { text: string; skipped: number } {
  const counts = { skipped: 0 };
  const text = [...timesketchChunks(findings, catalog, counts)].join('');
  return { text, skipped: counts.skipped };
}
