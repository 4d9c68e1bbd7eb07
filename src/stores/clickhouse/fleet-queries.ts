// The fleet view's queries: aggregations over `scans`, `findings` and `evidence`, in the SQL ClickHouse 18.16 and
// 26.x share, so the same text runs on chDB, one server and a cluster (every sub-select GLOBAL, hosts on one shard).
import type { StoreClient, StoreParams } from './client.js';

export interface FleetScope {
  /** Only these hosts (empty: all). */
  hosts: readonly string[];
  /** Findings at or after / at or before (ISO 8601), or null. */
  since: string | null;
  until: string | null;
}

const unix = (iso: string | null): number => (iso === null ? 0 : Math.floor(Date.parse(iso) / 1000));
export function scopeParams(s: FleetScope): StoreParams {
  return { hosts: [...s.hosts], since: unix(s.since), until: unix(s.until) };
}

// CAST: where a literal stands for the parameter (18.16), an empty [] is Array(Nothing), which has() refuses
const HOSTS = '(length({hosts:Array(String)}) = 0 OR has(CAST({hosts:Array(String)} AS Array(String)), host))';
/** The newest scan of each (host, collection): a collection ingested again replaces its findings. */
const LATEST_SCANS = 'SELECT argMax(scan_id, finished) FROM scans GROUP BY host, collection';
/** Findings in scope: the hosts asked for, the newest scan of each collection (and every retro-hunt), the time range. */
export const FINDINGS_IN_SCOPE = `${HOSTS}
  AND (origin != 'scan' OR scan_id GLOBAL IN (${LATEST_SCANS}))
  AND ({since:UInt32} = 0 OR (has_time = 1 AND toUnixTimestamp(t) >= {since:UInt32}))
  AND ({until:UInt32} = 0 OR (has_time = 1 AND toUnixTimestamp(t) <= {until:UInt32}))`;
/**
 * Exploitation or post-exploitation, as the verdict sees it: high or critical, or medium naming a CVE or
 * T1190; exposure statements are not activity.
 */
// A probe (reconnaissance techniques only, e.g. a version scan tagged with the CVE it looks for) is not an attempt.
const PROBE = `(notEmpty(attack) AND arrayAll(x -> match(x, '^T(1589|159[0-8])'), attack))`;
export const MALICIOUS = `(engine != 'exposure' AND NOT ${PROBE} AND (level IN ('high', 'critical') OR (level = 'medium' AND (notEmpty(cves) OR has(attack, 'T1190')))))`;
const EXPLOITATION = `(engine != 'exposure' AND NOT ${PROBE} AND notEmpty(cves) AND level IN ('medium', 'high', 'critical') AND has_time = 1)`;

/** One row per (host, collection): the newest scan's verdict, build and summary. */
export interface ScanRow {
  host: string;
  collection: string;
  build: string;
  verdict: string;
  summary: string;
  /** taken.json of the newest scan, '' when none. */
  taken: string;
  finished_at: number;
}
export function scanRows(c: StoreClient, s: FleetScope): Promise<ScanRow[]> {
  return c.rows<ScanRow>(
    `SELECT host, collection, argMax(build, finished) AS build, argMax(verdict, finished) AS verdict, argMax(summary, finished) AS summary, argMax(taken, finished) AS taken,
       toUnixTimestamp(max(finished)) AS finished_at
     FROM scans WHERE ${HOSTS} GROUP BY host, collection ORDER BY host, collection`,
    scopeParams(s),
  );
}

export interface HostFindingRow {
  host: string;
  findings: number;
  malicious: number;
  /** Unix seconds, 0 when none. */
  first: number;
  last: number;
}
export async function hostFindingRows(c: StoreClient, s: FleetScope): Promise<HostFindingRow[]> {
  const rows = await c.rows<HostFindingRow>(
    `SELECT host, count() AS findings, countIf(${MALICIOUS}) AS malicious,
       toUnixTimestamp(minIf(t, ${MALICIOUS} AND has_time = 1)) AS first, toUnixTimestamp(maxIf(t, ${MALICIOUS} AND has_time = 1)) AS last
     FROM findings WHERE ${FINDINGS_IN_SCOPE} GROUP BY host`,
    scopeParams(s),
  );
  // UInt64 counts come back as strings in JSON
  return rows.map((r) => ({ host: r.host, findings: Number(r.findings), malicious: Number(r.malicious), first: Number(r.first), last: Number(r.last) }));
}

export interface EvidenceRow {
  host: string;
  files: number;
  events: number;
}
export async function evidenceRows(c: StoreClient, s: FleetScope): Promise<EvidenceRow[]> {
  const rows = await c.rows<EvidenceRow>(`SELECT host, count() AS files, sum(events) AS events FROM evidence WHERE complete = 1 AND ${HOSTS} GROUP BY host`, scopeParams(s));
  return rows.map((r) => ({ host: r.host, files: Number(r.files), events: Number(r.events) }));
}

export interface IndicatorRow {
  type: string;
  value: string;
  hosts: string[];
  findings: number[];
  firsts: number[];
  lasts: number[];
}
/** Most shared indicators kept (by number of servers, then first seen). */
export const MAX_SHARED = 2000;
export async function sharedIndicatorRows(c: StoreClient, s: FleetScope): Promise<IndicatorRow[]> {
  const rows = await c.rows<IndicatorRow>(
    `SELECT type, value, groupArray(host) AS hosts, groupArray(n) AS findings, groupArray(f) AS firsts, groupArray(l) AS lasts
     FROM (
       SELECT ind_type AS type, ind_value AS value, host, count() AS n,
         toUnixTimestamp(minIf(t, has_time = 1)) AS f, toUnixTimestamp(maxIf(t, has_time = 1)) AS l
       FROM findings ARRAY JOIN ind_types AS ind_type, ind_values AS ind_value
       WHERE ${FINDINGS_IN_SCOPE}
       GROUP BY type, value, host
     )
     GROUP BY type, value HAVING count() > 1
     ORDER BY count() DESC, minIf(f, f > 0), type, value LIMIT ${MAX_SHARED + 1}`,
    scopeParams(s),
  );
  return rows.map((r) => ({ ...r, findings: r.findings.map(Number), firsts: r.firsts.map(Number), lasts: r.lasts.map(Number) }));
}

export interface ExploitDayRow {
  /** Days since the epoch (UTC, whatever the server's time zone). */
  day: number;
  /** The finding's CVEs, sorted and joined by ','. */
  cves: string;
  n: number;
}
export async function exploitDayRows(c: StoreClient, s: FleetScope): Promise<ExploitDayRow[]> {
  const rows = await c.rows<ExploitDayRow>(
    `SELECT intDiv(toUnixTimestamp(t), 86400) AS day, arrayStringConcat(arraySort(cves), ',') AS cves, count() AS n
     FROM findings WHERE ${FINDINGS_IN_SCOPE} AND ${EXPLOITATION} GROUP BY day, cves ORDER BY day, cves`,
    scopeParams(s),
  );
  return rows.map((r) => ({ day: Number(r.day), cves: r.cves, n: Number(r.n) }));
}

export interface TechniqueRow {
  id: string;
  hosts: string[];
  n: number;
}
export async function techniqueRows(c: StoreClient, s: FleetScope): Promise<TechniqueRow[]> {
  const rows = await c.rows<TechniqueRow>(
    `SELECT tech AS id, groupUniqArray(host) AS hosts, count() AS n FROM findings ARRAY JOIN attack AS tech
     WHERE ${FINDINGS_IN_SCOPE} AND engine != 'exposure' GROUP BY tech ORDER BY tech`,
    scopeParams(s),
  );
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Every finding in scope as its findings.jsonl line, one host after another (for hosts/<host>/). */
export function findingsByHost(c: StoreClient, s: FleetScope): AsyncIterable<{ host: string; json: string }> {
  return c.stream<{ host: string; json: string }>(`SELECT host, json FROM findings WHERE ${FINDINGS_IN_SCOPE} ORDER BY host`, scopeParams(s));
}

/** Every finding in scope in time order across the fleet (for the fleet-wide timelines). */
export function findingsByTime(c: StoreClient, s: FleetScope): AsyncIterable<{ host: string; json: string }> {
  return c.stream<{ host: string; json: string }>(
    `SELECT host, json FROM findings WHERE ${FINDINGS_IN_SCOPE} ORDER BY has_time DESC, t, us, host, path, line, record, engine, rule_id`,
    scopeParams(s),
  );
}
