// IOC lists over a store: C2 IP addresses against the addresses stored events record (one SELECT), hash and
// file-name IOCs against the `evidence` table (each stored file's SHA-256 and Windows path) — usual IOC findings.
import { basename } from 'node:path';
import type { Finding } from '../../finding.js';
import type { IocSet, IpIoc } from '../../engines/ioc/index.js';
import { levelFromScore, windowsPathOf } from '../../engines/files/index.js';
import { stringLiteral, type StoreClient } from '../clickhouse/index.js';
import { evidenceOf, fieldsOf, STORED_EVENT_COLUMNS, timeOf, type StoredEvent } from './stored-event.js';

/**
 * Fields that hold a client's or a peer's address: IIS (c-ip, X-Forwarded-For), Exchange logs and message
 * tracking, Windows logons and Sysmon network events. The server's own address (s-ip) is left out.
 */
export const IP_FIELDS = [
  'c-ip', 'client-ip', 'clientIp', 'ClientIp', 'ClientIpAddress', 'original-client-ip', 'X-Forwarded-For', 'x-forwarded-for',
  'cs(X-Forwarded-For)', 'IpAddress', 'SourceIp', 'DestinationIp', 'SourceAddress', 'DestAddress', 'ClientAddress', 'RemoteAddress',
] as const;

export interface IocHuntOptions {
  ips: readonly IpIoc[];
  /** Hash and file-name IOCs (engines/ioc's set, as the file scan matches them). */
  files: IocSet | null;
  /** The scope condition of the hunt (hosts, times, visible events only). */
  scope: string;
  /** Only these hosts, for the evidence table. */
  hosts?: readonly string[];
  onFinding(f: Finding): void;
}

/**
 * The addresses of one event's IP fields, as tokens: IPv4 dotted quads found in the values (a value may be
 * 'a, b' or 'ip:port'), and each whole value lower-cased (IPv6).
 */
function ipTokensSql(): string {
  const own = `arrayFilter((v, k) -> has([${IP_FIELDS.map(stringLiteral).join(', ')}], k), vals, keys)`;
  return `arrayConcat(extractAll(arrayStringConcat(${own}, ' '), '[0-9]+\\\\.[0-9]+\\\\.[0-9]+\\\\.[0-9]+'), arrayMap(v -> lowerUTF8(v), ${own}))`;
}

export async function huntIocs(client: StoreClient, o: IocHuntOptions): Promise<{ findings: number; eventsMatched: number }> {
  let findings = 0;
  let eventsMatched = 0;
  const emit = (f: Finding): void => {
    findings++;
    o.onFinding(f);
  };
  if (o.ips.length > 0) {
    const byIp = new Map<string, IpIoc>();
    for (const i of o.ips) if (!byIp.has(i.ip)) byIp.set(i.ip, i);
    const list = `[${[...byIp.keys()].map(stringLiteral).join(', ')}]`;
    const sql =
      `SELECT ${STORED_EVENT_COLUMNS}, arrayDistinct(arrayFilter(t -> has(${list}, t), ${ipTokensSql()})) AS hits ` +
      `FROM events WHERE ${o.scope} AND hasAny(keys, [${IP_FIELDS.map(stringLiteral).join(', ')}]) AND notEmpty(hits)`;
    for await (const r of client.stream<StoredEvent & { hits: string[] }>(sql)) {
      eventsMatched++;
      for (const ip of r.hits) {
        const ioc = byIp.get(ip)!;
        emit({
          engine: 'ioc',
          time: timeOf(r),
          level: levelFromScore(ioc.score),
          rule: { id: `ioc-ip:${basename(ioc.source)}:${ioc.line}`, title: ioc.comment || `C2 IP IOC ${ioc.ip}`, author: null, source: ioc.source },
          cves: [],
          attack: [],
          host: r.host,
          evidence: evidenceOf(r),
          fields: { ...fieldsOf(r), iocIp: ioc.ip, iocScore: ioc.score, iocLine: ioc.line },
          message: `${ioc.ip} is a known-bad address (score ${ioc.score})${ioc.comment ? `: ${ioc.comment}` : ''}`,
        });
      }
    }
  }
  const files = o.files;
  if (files && (files.hashIocs.size > 0 || files.filenameIocs.length > 0)) {
    const hostCond = o.hosts && o.hosts.length > 0 ? ` AND host IN (${o.hosts.map(stringLiteral).join(', ')})` : '';
    const sql = `SELECT host, path, kind, sha256, toUInt32(last_t) AS last FROM evidence WHERE complete = 1${hostCond} ORDER BY host, path`;
    for await (const e of client.stream<{ host: string; path: string; kind: string; sha256: string; last: number | string }>(sql)) {
      const windowsPath = windowsPathOf('', e.path);
      const time = Number(e.last) > 0 ? new Date(Number(e.last) * 1000).toISOString() : null;
      const base = { engine: 'ioc' as const, time, cves: [], attack: [], host: e.host, evidence: { path: e.path, kind: e.kind } };
      for (const ioc of files.matchPath(windowsPath))
        emit({
          ...base,
          level: levelFromScore(ioc.score),
          rule: { id: `ioc-filename:${basename(ioc.source)}:${ioc.line}`, title: ioc.description ?? `file-name IOC ${ioc.regex}`, author: null, source: ioc.source },
          fields: { windowsPath, sha256: e.sha256, iocRegex: ioc.regex, iocScore: ioc.score, iocLine: ioc.line },
          message: `file name matches IOC ${ioc.regex} (score ${ioc.score})${ioc.description ? `: ${ioc.description}` : ''}`,
        });
      // The store keeps each file's SHA-256 only: MD5 and SHA-1 IOCs cannot match a stored file.
      const hit = e.sha256 ? files.hashIocs.get(e.sha256.toLowerCase()) : undefined;
      if (hit)
        emit({
          ...base,
          level: levelFromScore(hit.score),
          rule: { id: `ioc-hash:${basename(hit.source)}:${hit.line}`, title: hit.comment || `${hit.kind.toUpperCase()} IOC`, author: null, source: hit.source },
          fields: { windowsPath, sha256: e.sha256, iocHash: hit.hash, iocHashKind: hit.kind, iocScore: hit.score, iocLine: hit.line },
          message: `${hit.kind.toUpperCase()} ${hit.hash} is a known-bad hash (score ${hit.score})${hit.comment ? `: ${hit.comment}` : ''}`,
        });
    }
  }
  return { findings, eventsMatched };
}
