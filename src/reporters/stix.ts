// stix.json: a STIX 2.1 bundle for MISP and OpenCTI: indicators for the attacker's IPs, file hashes and URLs,
// a sighting of each on the scanned host, ATT&CK attack-patterns they indicate, and a grouping for the run.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { cmpStr, wantsHashes, wantsUrl, type FindingView } from '../engines/activity/index.js';
import type { ReportModel } from './model.js';
import type { AttackCatalog } from '../attack/index.js';

type StixObject = Record<string, unknown> & { type: string; id: string };

// Our own UUIDv5 namespace for exhunt objects, so a report rebuilt from the same findings gets the same ids.
const NAMESPACE = 'b7f3c1e2-5d4a-4c8e-9f1a-2e6d8c0b4a71';

export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
const sid = (type: string, key: string): string => `${type}--${uuidV5(`${type}|${key}`)}`;
/** STIX timestamp: RFC 3339 UTC with millisecond precision. */
export function stixTime(t: string | null | undefined, fallback: string): string {
  const ms = t ? Date.parse(t) : NaN;
  return new Date(Number.isNaN(ms) ? Date.parse(fallback) : ms).toISOString();
}
/** A string literal of the STIX patterning grammar: only \\ and \' are escapes. */
export function patternString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

interface Sighted {
  pattern: string;
  name: string;
  description: string;
  first: string | null;
  last: string | null;
  count: number;
  techniques: Set<string>;
  hosts: Set<string>;
  rules: Set<string>;
}

const HOST_RE = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/i;
const URL_PATH_RE = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;

function urlOf(f: FindingView): string | null {
  const stem = f.urlStem;
  if (!stem || !URL_PATH_RE.test(stem)) return null;
  const host = f.urlHost ?? f.host;
  if (!host || !HOST_RE.test(host)) return null;
  return `https://${host.toLowerCase()}${stem}`;
}

/** Most indicators kept; past it new ones are counted, not kept, and the bundle says so. */
export const MAX_INDICATORS = 10_000;

/**
 * The indicators a bundle is made of, gathered finding by finding (exact counts and times per indicator;
 * at most 20 hosts and 10 rule titles each, as before).
 */
export class StixTally {
  readonly sighted = new Map<string, Sighted>();
  /** Indicators seen past MAX_INDICATORS (not in the bundle). */
  dropped = 0;
  constructor(private readonly catalog: AttackCatalog) {}

  add(f: FindingView): void {
    if (!wantsHashes(f)) return;
    const ip = f.ip;
    if (ip && isIP(ip)) {
      const type = isIP(ip) === 4 ? 'ipv4-addr' : 'ipv6-addr';
      this.sight(`ip:${ip}`, `[${type}:value = ${patternString(ip)}]`, `Attacker address ${ip}`, f);
    }
    const h = f.hashes ?? {};
    if (h.sha256 || h.sha1 || h.md5) {
      const parts: string[] = [];
      if (h.sha256) parts.push(`file:hashes.'SHA-256' = '${h.sha256}'`);
      if (h.sha1) parts.push(`file:hashes.'SHA-1' = '${h.sha1}'`);
      if (h.md5) parts.push(`file:hashes.MD5 = '${h.md5}'`);
      const name = f.evidence.path.split('/').pop() ?? 'file';
      this.sight(`file:${h.sha256 ?? h.sha1 ?? h.md5}`, `[${parts.join(' OR ')}]`, `Malicious file ${name}`, f);
    }
    if (wantsUrl(f)) {
      const url = urlOf(f);
      if (url) this.sight(`url:${url}`, `[url:value = ${patternString(url)}]`, `Malicious URL ${url}`, f);
    }
  }

  /**
   * Adds a tally of the findings that come after this one's; false where the result could differ from one tally
   * of both (either dropped indicators past MAX_INDICATORS: which ones depends on the order they came in).
   */
  absorb(p: Pick<StixTally, 'sighted' | 'dropped'>): boolean {
    if (this.dropped > 0 || p.dropped > 0) return false;
    for (const [key, o] of p.sighted) {
      const s = this.sighted.get(key);
      if (!s) {
        if (this.sighted.size >= MAX_INDICATORS) return false;
        this.sighted.set(key, o);
        continue;
      }
      s.count += o.count;
      if (o.first && (!s.first || o.first < s.first)) s.first = o.first;
      if (o.last && (!s.last || o.last > s.last)) s.last = o.last;
      for (const t of o.techniques) s.techniques.add(t);
      for (const h of o.hosts) if (s.hosts.size < 20) s.hosts.add(h);
      for (const r of o.rules) if (s.rules.size < 10) s.rules.add(r);
    }
    return true;
  }

  private sight(key: string, pattern: string, name: string, f: FindingView): void {
    let s = this.sighted.get(key);
    if (!s) {
      if (this.sighted.size >= MAX_INDICATORS) {
        this.dropped++;
        return;
      }
      s = { pattern, name, description: '', first: null, last: null, count: 0, techniques: new Set(), hosts: new Set(), rules: new Set() };
      this.sighted.set(key, s);
    }
    s.count++;
    if (f.time) {
      if (!s.first || f.time < s.first) s.first = f.time;
      if (!s.last || f.time > s.last) s.last = f.time;
    }
    for (const t of f.attack) {
      const id = this.catalog.resolve(t);
      if (id) s.techniques.add(id);
    }
    if (f.host && s.hosts.size < 20) s.hosts.add(f.host);
    if (s.rules.size < 10) s.rules.add(f.rule.title);
  }
}

export function stixBundle(model: ReportModel): { type: 'bundle'; id: string; objects: StixObject[] } {
  const { summary, catalog } = model;
  const now = stixTime(summary.finishedAt, new Date().toISOString());
  const identity: StixObject = {
    type: 'identity', spec_version: '2.1', id: sid('identity', 'exhunt'), created: now, modified: now,
    name: 'exhunt', identity_class: 'system', description: `exhunt ${summary.tool.version}, offline compromise assessment for Microsoft Exchange`,
  };
  const sighted = model.digest.stix.sighted;

  const objects: StixObject[] = [identity];
  const hostIds = new Map<string, string>();
  const hostRef = (host: string): string => {
    let id = hostIds.get(host.toLowerCase());
    if (!id) {
      id = sid('identity', `host|${host.toLowerCase()}`);
      hostIds.set(host.toLowerCase(), id);
      objects.push({ type: 'identity', spec_version: '2.1', id, created: now, modified: now, created_by_ref: identity.id, name: host, identity_class: 'system', description: 'Scanned Exchange server' });
    }
    return id;
  };
  const patterns = new Map<string, string>();
  const patternRef = (tid: string): string => {
    let id = patterns.get(tid);
    if (!id) {
      const t = catalog.technique(tid)!;
      id = sid('attack-pattern', tid);
      patterns.set(tid, id);
      objects.push({
        type: 'attack-pattern', spec_version: '2.1', id, created: now, modified: now, created_by_ref: identity.id, name: t.name,
        external_references: [{ source_name: 'mitre-attack', external_id: tid, url: `https://attack.mitre.org/techniques/${tid.replace('.', '/')}` }],
        kill_chain_phases: t.tactics.map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p })),
      });
    }
    return id;
  };
  const refs: string[] = [];
  for (const [key, s] of [...sighted].sort(([a], [b]) => cmpStr(a, b))) {
    const first = stixTime(s.first, now);
    const last = stixTime(s.last, first);
    const indicator: StixObject = {
      type: 'indicator', spec_version: '2.1', id: sid('indicator', key), created: now, modified: now, created_by_ref: identity.id,
      name: s.name.slice(0, 250),
      description: `Seen by exhunt in ${s.count} finding${s.count === 1 ? '' : 's'}: ${[...s.rules].join('; ')}`.slice(0, 2000),
      indicator_types: ['malicious-activity'],
      pattern: s.pattern, pattern_type: 'stix', pattern_version: '2.1', valid_from: first,
    };
    const tp = [...s.techniques].sort();
    if (tp.length) indicator['kill_chain_phases'] = [...new Set(tp.flatMap((t) => catalog.technique(t)!.tactics))].map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p }));
    objects.push(indicator);
    refs.push(indicator.id);
    const sighting: StixObject = {
      type: 'sighting', spec_version: '2.1', id: sid('sighting', key), created: now, modified: now, created_by_ref: identity.id,
      sighting_of_ref: indicator.id, first_seen: first, last_seen: last < first ? first : last, count: Math.min(s.count, 999_999_999),
    };
    if (s.hosts.size) sighting['where_sighted_refs'] = [...s.hosts].sort().map(hostRef);
    objects.push(sighting);
    refs.push(sighting.id);
    for (const t of tp) {
      const rel: StixObject = { type: 'relationship', spec_version: '2.1', id: sid('relationship', `${key}|${t}`), created: now, modified: now, created_by_ref: identity.id, relationship_type: 'indicates', source_ref: indicator.id, target_ref: patternRef(t) };
      objects.push(rel);
      refs.push(rel.id);
    }
  }
  for (const id of [...hostIds.values(), ...patterns.values()]) refs.push(id);
  if (refs.length > 0) {
    objects.push({
      type: 'grouping', spec_version: '2.1', id: sid('grouping', `${summary.startedAt}|${summary.inputs.join(',')}`), created: now, modified: now, created_by_ref: identity.id,
      name: `exhunt scan of ${summary.inputs.join(', ') || 'evidence'}`.slice(0, 250), context: 'suspicious-activity',
      description: `Verdict: ${model.verdict.headline}`, object_refs: refs,
    });
  }
  return { type: 'bundle', id: `bundle--${uuidV5(`bundle|${summary.startedAt}|${summary.finishedAt}|${summary.inputs.join(',')}`)}`, objects };
}
