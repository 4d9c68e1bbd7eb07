// timeline.jsonl for Timesketch: one object per line with message, datetime, timestamp_desc and an integer
// microsecond timestamp; the rest as flat attributes. Exact values (not spreadsheet-safe, by design).
import type { Finding } from '../finding.js';
import type { AttackCatalog } from '../attack/index.js';
import { timelineRow, type TimelineRow } from './timeline-rows.js';
import { cmpStr } from '../engines/activity/index.js';
import { Pieces } from './finding-line.js';

const FILE_ENGINES = new Set(['yara', 'ioc', 'file']);

/** Lines per chunk of timesketchChunks. */
const CHUNK_LINES = 1000;

/**
 * timeline.jsonl as text chunks of at most CHUNK_LINES lines (see timelineCsvChunks). Findings without a
 * usable timestamp are left out (Timesketch rejects them): `counts.skipped` says how many, once done.
 */
/**
 * One Timesketch line for a finding, or null when it has no usable timestamp (Timesketch rejects those): the JSON
 * of an object with these keys in this order (the test holds it to JSON.stringify of that object). What findings
 * share is made into JSON once: a rule's title, id, author and file per rule object; the details (a KB or more,
 * and most of the escaping) per fields object, as findings of one event share it.
 */
export function timesketchLine(f: Finding, catalog: AttackCatalog, row?: TimelineRow): string | null {
  const out = new Pieces();
  return timesketchPieces(f, catalog, row ?? timelineRow(f, catalog), out) ? out.text() : null;
}

/**
 * timesketchLine as pieces appended to `out` (false, and nothing appended, where the finding has no usable
 * timestamp): the details' JSON (a KB or more, the same for every finding of an event) a piece of its own, made
 * once per event and never copied into a line per finding.
 */
export function timesketchPieces(f: Finding, catalog: AttackCatalog, r: TimelineRow, out: Pieces): boolean {
  const time = timeJson(f.time);
  if (time === null) return false;
  const J = JSON.stringify;
  out.push(`{"message":${J(`[${f.level}] ${f.rule.title}${f.message ? ` — ${f.message}` : ''}`)}`, time);
  out.push(kindJson(f.engine, f.level), ruleJson(f, r));
  out.push(events.of(r), mitres.of(r));
  out.push(clients.of(r), detailsJson(f, r.Details));
  out.push(`,"tag":${J([...f.attack, ...f.cves, f.level])}}`);
  return true;
}

// What an event's findings share is made into JSON once, for as long as the next finding's values are the same
// (they come one after another): its time, its evidence and its client's cells.
let lastTime: string | null | undefined;
let lastTimeJson: string | null = null;
/** `,"datetime":…,"timestamp":…` for a finding's time, or null where it has no usable one (before 1700 too). */
function timeJson(t: string | null): string | null {
  if (t === lastTime) return lastTimeJson;
  lastTime = t;
  const ms = t === null ? NaN : Date.parse(t);
  if (Number.isNaN(ms) || ms < Date.UTC(1700, 0, 1)) return (lastTimeJson = null);
  const fractionUs = /\.(\d{4,6})/.exec(t ?? '')?.[1]?.padEnd(6, '0').slice(3) ?? '000';
  return (lastTimeJson = `,"datetime":${JSON.stringify(new Date(ms).toISOString())},"timestamp":${JSON.stringify(ms * 1000 + Number(fractionUs))}`);
}

const kindJsons = new Map<string, string>();
/** `,"timestamp_desc":…,"data_type":…,"level":…` per engine and level. */
function kindJson(engine: string, level: string): string {
  const key = `${engine}\u0000${level}`;
  let j = kindJsons.get(key);
  if (j === undefined) {
    const J = JSON.stringify;
    j = `,"timestamp_desc":${J(FILE_ENGINES.has(engine) ? 'File Modified' : engine === 'exposure' ? 'Build Observed' : 'Event Recorded')},"data_type":${J(`exhunt:finding:${engine}`)},"level":${J(level)}`;
    if (kindJsons.size < 256) kindJsons.set(key, j);
  }
  return j;
}

/**
 * The row's values at `keys` as `,"name":value` pairs (and `tail`), made again only when a value differs from the
 * last ones it was made of.
 */
class LastJson {
  private values: string[] | null = null;
  private json = '';
  constructor(private readonly keys: readonly (keyof TimelineRow)[], private readonly tail = '') {}
  of(r: TimelineRow): string {
    const v = this.values;
    if (v !== null && this.keys.every((k, i) => v[i] === r[k])) return this.json;
    const values = this.keys.map((k) => r[k]);
    this.values = values;
    return (this.json = this.keys.map((k, i) => `,"${SKETCH_NAMES[k]}":${JSON.stringify(values[i])}`).join('') + this.tail);
  }
}
/** Timesketch's names for the row's columns. */
const SKETCH_NAMES: Partial<Record<keyof TimelineRow, string>> = {
  RuleTitle: 'rule_title', RuleID: 'rule_id', RuleAuthor: 'rule_author', RuleFile: 'rule_file',
  Computer: 'computer', EvidenceFile: 'evidence_file', EvidenceLine: 'evidence_line', EvidenceRecord: 'evidence_record',
  MitreTactics: 'attack_tactics', MitreTags: 'attack_techniques', CVEs: 'cves', ClientIP: 'client_ip', UserAgent: 'user_agent', User: 'user', Path: 'path',
};
// An event's findings come one after another: its evidence, techniques and client's cells are made once for them.
const events = new LastJson(['Computer', 'EvidenceFile', 'EvidenceLine', 'EvidenceRecord']);
const mitres = new LastJson(['MitreTactics', 'MitreTags', 'CVEs']);
/** The client's cells, then `,"details":` (the details' JSON follows as a piece of its own). */
const clients = new LastJson(['ClientIP', 'UserAgent', 'User', 'Path'], ',"details":');

const RULE_KEYS: (keyof TimelineRow)[] = ['RuleTitle', 'RuleID', 'RuleAuthor', 'RuleFile'];
const ruleJsons = new WeakMap<object, LastJson>();
/** `,"rule_title":…,"rule_id":…,"rule_author":…,"rule_file":…` for the row's rule values, made once per rule object. */
function ruleJson(f: Finding, r: TimelineRow): string {
  let j = ruleJsons.get(f.rule);
  if (!j) ruleJsons.set(f.rule, (j = new LastJson(RULE_KEYS)));
  return j.of(r);
}

const detailsJsons = new WeakMap<object, { details: string; json: string }>();
/** The details' JSON, once per fields object (the same details string: detailsOf caches it there too). */
function detailsJson(f: Finding, details: string): string {
  const c = detailsJsons.get(f.fields);
  if (c && c.details === details) return c.json;
  const json = JSON.stringify(details);
  detailsJsons.set(f.fields, { details, json });
  return json;
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
