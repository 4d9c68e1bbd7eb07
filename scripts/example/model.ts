// The example collection in memory: web requests, Exchange log rows and Windows events, kept per
// output file and written at the end, each file sorted by time, in the formats the real logs use.
import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { dirname, join } from 'node:path';
import { exchangeLogHeader, exchangeLogRow, rowOf, type HeaderMode } from '../../src/readers/exchange/testkit.js';
import { Prng } from './prng.js';
import { EWS_FIELDS, MSGTRK_FIELDS, RPS_CMDLET_FIELDS, RPS_HTTP_FIELDS } from './exchange-logs.js';

/**
 * Whether attack rows of the CmdletInfra, EWS and MessageTracking logs are ground truth (lines the pack must
 * report at medium or above). Those logs' rules are a later part of the pack.
 */
export const NEW_LOGS_TRUTH = true;

export const SERVER = { name: 'EXCH01', fqdn: 'EXCH01.corp.example.com', ip: '10.0.1.20', domain: 'corp.example.com', netbios: 'CORP' };
/** Exchange 2016 CU19 without any security update: vulnerable to ProxyLogon and everything after it. */
export const BUILD = { long: '15.01.2176.002', short: '15.1.2176.2', owa: '15.1.2176', major: 15, minor: 1, build: 2176, rev: 2 };
export const V15 = 'C/Program Files/Microsoft/Exchange Server/V15';
export const V15_WIN = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15';

export interface WebRequest {
  time: number;
  method: string;
  stem: string;
  /** The query as the client sent it (without Exchange's CorrelationID suffix). */
  query?: string;
  user?: string;
  ip: string;
  ua: string;
  referer?: string;
  status: number;
  substatus?: number;
  win32?: number;
  /** HttpProxy protocol folder (Owa, Ecp, ...) or null when the front end served it itself. */
  protocol: string | null;
  anchor?: string;
  routingHint?: string;
  backendStatus?: number;
  genericInfo?: string;
  /** Also log the proxied request in the back-end site W3SVC2 (port 444). */
  backend?: boolean;
  backendUser?: string;
  backendStem?: string;
  backendQuery?: string;
  /** EWS operation and the mailbox acted as (SerializedSecurityContext), for the EWS log; `detect.ews` makes its EWS row truth outside attack mode. */
  soapAction?: string;
  actAs?: string;
  responseSize?: number;
  /** An X-Forwarded-For header the client itself sent (a balancer appends the client's address to it). */
  xff?: string;
  /** Sent to the server's own address, past the balancer (only meaningful once the server is behind one). */
  direct?: boolean;
  /** In attack mode, which of the request's lines a rule must find (default: front end and HttpProxy yes, back end no). */
  detect?: { front?: boolean; proxy?: boolean; backend?: boolean; ews?: boolean };
}

export const HTTPPROXY_FIELDS = 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus'.split(',');
const IIS_FIELDS = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';
const CRLF = '\r\n';

interface Row { t: number; text: string; detect: boolean }

/** One output file: its rows, its header builder and an optional fixed mtime. */
interface OutFile { rows: Row[]; header: (first: number) => string; eol: string }

export const iso = (t: number): string => new Date(t).toISOString();
const ymd = (t: number): string => iso(t).slice(0, 10).replaceAll('-', '');
const iisDate = (t: number): string => iso(t).slice(0, 19).replace('T', ' ');

export class Collection {
  private files = new Map<string, OutFile>();
  private diskFiles: { path: string; data: string | Uint8Array; mtime: number }[] = [];
  private recordIds = new Map<string, number>();
  /**
   * From this time on, the front end sits behind a balancer: IIS logs its nodes as c-ip and the client in an
   * X-Forwarded-For custom field (IIS 8.5+ writes such logs as u_exYYMMDD_x.log, the field named after the header).
   */
  balancer: { from: number; nodes: string[] } | null = null;
  private balancerTurn = 0;
  /** While true, every row written is an attack line that the rule pack must find (ground truth for tests). */
  attackMode = false;

  constructor(readonly rng: Prng) {}

  private file(path: string, header: (first: number) => string, eol = CRLF): OutFile {
    let f = this.files.get(path);
    if (!f) {
      f = { rows: [], header, eol };
      this.files.set(path, f);
    }
    return f;
  }

  /** A client request: front-end IIS line, HttpProxy row when proxied, back-end IIS line when asked. */
  web(r: WebRequest): void {
    const rng = this.rng;
    const reqId = rng.guid();
    const suffix = `&CorrelationID=<empty>;&cafeReqId=${reqId};`;
    const query = r.protocol !== null ? (r.query ?? '') + suffix : r.query;
    const d = this.attackMode ? { front: true, proxy: true, backend: false, ...r.detect } : { front: false, proxy: false, backend: false };
    const lb = this.balancer !== null && r.time >= this.balancer.from ? this.balancer : null;
    // Behind the balancer: c-ip is a node, the client is appended to whatever X-Forwarded-For the client sent.
    // Exchange's own probes run on the server and never pass the balancer.
    const direct = r.direct === true || r.ip === '127.0.0.1' || r.ip === SERVER.ip;
    const peer = lb !== null && !direct ? lb.nodes[this.balancerTurn++ % lb.nodes.length]! : r.ip;
    const xff = lb === null ? undefined : direct ? (r.xff ?? '') : r.xff ? `${r.xff}, ${r.ip}` : r.ip;
    this.iis('W3SVC1', r.time, r.method, r.stem, query, 443, r.user, peer, r.ua, r.referer, r.status, r.substatus ?? 0, r.win32 ?? 0, rng.int(4, 900), d.front, xff);
    if (r.protocol !== null) {
      this.httpProxy(r, reqId, d.proxy);
      const beStem = r.backendStem ?? r.stem;
      if (r.backend) {
        const bt = r.time + rng.int(20, 200);
        this.iis('W3SVC2', bt, r.method, beStem, r.backendQuery ?? (r.query ?? '-'), 444,
          r.backendUser ?? r.user, SERVER.ip, r.ua, undefined, r.backendStatus ?? r.status, 0, 0, rng.int(3, 700), d.backend);
        if (/^\/powershell/i.test(beStem)) this.rpsHttp(r.time + rng.int(30, 250), r, beStem);
      }
      if (r.protocol === 'Ews' || /^\/ews\//i.test(beStem)) this.ews(r.time + rng.int(30, 250), r);
    }
  }

  /** A Remote PowerShell request as the back end's Rps_Http log records it (research exchange-logs.md §2). */
  rpsHttp(t: number, r: Pick<WebRequest, 'user' | 'backendUser' | 'ip' | 'ua' | 'status' | 'query' | 'backendQuery' | 'method'>, stem: string, session = false): void {
    const rng = this.rng;
    const q = r.backendQuery ?? r.query ?? '';
    // Through the autodiscover confusion the back end sees the query after the embedded /powershell/?.
    const inner = q.includes('/powershell/?') ? q.slice(q.indexOf('/powershell/?') + 13) : q.includes('?') ? q.slice(q.indexOf('?') + 1) : q;
    const user = r.backendUser ?? r.user ?? '';
    const legit = session || r.ua === 'Microsoft WinRM Client' || r.ua === 'Exchange BackEnd Probes';
    const v: Record<string, string> = {
      DateTime: iso(t), StartTime: iso(t - rng.int(5, 900)), RequestId: rng.guid(), MajorVersion: String(BUILD.major), MinorVersion: String(BUILD.minor),
      BuildVersion: String(BUILD.build), RevisionVersion: String(BUILD.rev), UrlHost: SERVER.fqdn.toLowerCase(), UrlStem: stem,
      AuthenticationType: 'Kerberos', IsAuthenticated: 'true', AuthenticatedUser: user, ClientIpAddress: r.ip, ServerHostName: SERVER.name,
      FrontEndServer: SERVER.fqdn.toUpperCase(), HttpStatus: String(r.status), SubStatus: '0', RequestBytes: String(rng.int(900, 4000)),
      ClientInfo: r.ua, CPU: String(rng.int(0, 60)), Memory: String(rng.int(100_000, 900_000)), TotalTime: String(rng.int(10, 2000)),
      UrlQuery: inner ? `?${inner}` : '', GenericInfo: `OnEndRequest.End.ContentType=application/soap+xml charset UTF-8;S:ServiceCommonMetadata.HttpMethod=${r.method};`,
      ...(legit ? { Action: rng.pick(['Command', 'Receive', 'Send']), CommandId: rng.guid().toUpperCase(), CommandName: rng.pick(['Get-Mailbox', 'Get-ExchangeServer', 'Test-ServiceHealth']), SessionId: rng.guid(), ShellId: rng.guid().toUpperCase() } : {}),
    };
    this.exchangeRow({ folder: 'CmdletInfra/Powershell-Proxy/Http', prefix: 'Rps_Http_', logType: 'Rps Http Logs', fields: RPS_HTTP_FIELDS, mode: 'csv-compatible' }, t, rowOf(RPS_HTTP_FIELDS, v), this.attackMode && NEW_LOGS_TRUTH);
  }

  /** An EWS request as the mailbox server's EWS log records it (research exchange-logs.md §3.1). */
  ews(t: number, r: WebRequest): void {
    const rng = this.rng;
    const user = r.backendUser ?? r.user ?? '';
    const smtp = user.includes('@') ? user : '';
    const v: Record<string, string> = {
      DateTime: iso(t), RequestId: rng.guid(), MajorVersion: String(BUILD.major), MinorVersion: String(BUILD.minor), BuildVersion: String(BUILD.build),
      RevisionVersion: String(BUILD.rev), AuthenticationType: user ? 'Negotiate' : '', IsAuthenticated: user ? 'true' : 'false', AuthenticatedUser: user,
      UserAgent: r.ua, VersionInfo: 'Exchange2013_SP1', ClientIpAddress: r.ip, ServerHostName: SERVER.name, FrontEndServer: SERVER.name,
      SoapAction: r.soapAction ?? rng.pick(['FindItem', 'GetItem', 'SyncFolderItems', 'GetFolder', 'GetUserAvailability']), HttpStatus: String(r.status),
      RequestSize: String(rng.int(400, 3000)), ResponseSize: String(r.responseSize ?? rng.int(800, 60_000)), ImpersonatedUser: r.actAs ?? smtp, ActAsUser: r.actAs ?? '',
      TotalRequestTime: String(rng.int(5, 900)), StartTime: iso(t - rng.int(5, 900)), ProcessId: String(rng.int(2000, 9000)),
    };
    this.exchangeRow({ folder: 'Ews', prefix: 'Ews_', logType: 'EWS Logs', fields: EWS_FIELDS, mode: 'csv-compatible' }, t, rowOf(EWS_FIELDS, v), (this.attackMode && NEW_LOGS_TRUTH) || r.detect?.ews === true);
  }

  /** A MessageTracking row (research exchange-logs.md §4), on the Mailbox role's TransportRoles\Logs\MessageTracking. */
  messageTracking(t: number, values: Record<string, string>, prefix = 'MSGTRK'): void {
    const v = { 'date-time': iso(t), 'server-hostname': SERVER.name, 'server-ip': SERVER.ip, 'schema-version': BUILD.long, ...values };
    this.exchangeRow({ folder: 'MessageTracking', prefix, logType: 'Message Tracking Log', fields: MSGTRK_FIELDS, root: `${V15}/TransportRoles/Logs` }, t, rowOf(MSGTRK_FIELDS, v), this.attackMode && NEW_LOGS_TRUTH);
  }

  /** A cmdlet run through Remote PowerShell as CmdletInfra's Rps_Cmdlet log records it (research exchange-logs.md §1.2). */
  rpsCmdlet(t: number, values: Record<string, string>): void {
    const v = { DateTime: iso(t), StartTime: iso(t - this.rng.int(20, 900)), MajorVersion: String(BUILD.major), MinorVersion: String(BUILD.minor), BuildVersion: String(BUILD.build), RevisionVersion: String(BUILD.rev), ServerHostName: SERVER.name, ...values };
    this.exchangeRow({ folder: 'CmdletInfra/Powershell-Proxy/Cmdlet', prefix: 'Rps_Cmdlet_', logType: 'Rps Cmdlet Logs', fields: RPS_CMDLET_FIELDS, mode: 'csv-compatible' }, t, rowOf(RPS_CMDLET_FIELDS, v), this.attackMode && NEW_LOGS_TRUTH);
  }

  /** A back-end only request (health probes and the Exchange front end talking to W3SVC2). */
  backendOnly(time: number, method: string, stem: string, query: string | undefined, user: string | undefined, ua: string, status: number): void {
    this.iis('W3SVC2', time, method, stem, query, 444, user, SERVER.ip, ua, undefined, status, 0, 0, this.rng.int(3, 300), false);
    if (/^\/powershell/i.test(stem)) this.rpsHttp(time + this.rng.int(30, 250), { user, ip: SERVER.ip, ua, status, query, method }, stem, true);
  }

  private iis(site: string, t: number, method: string, stem: string, query: string | undefined, port: number, user: string | undefined,
    ip: string, ua: string, referer: string | undefined, status: number, sub: number, win32: number, taken: number, detect: boolean, xff?: string): void {
    const day = ymd(t).slice(2);
    const custom = xff !== undefined;
    const path = `C/inetpub/logs/LogFiles/${site}/u_ex${day}${custom ? '_x' : ''}.log`;
    const f = this.file(path, (first) =>
      `#Software: Microsoft Internet Information Services 10.0${CRLF}#Version: 1.0${CRLF}#Date: ${iisDate(first)}${CRLF}#Fields: ${IIS_FIELDS}${custom ? ' X-Forwarded-For' : ''}${CRLF}`);
    const w3c = (v: string | undefined): string => (v === undefined || v === '' ? '-' : v.replaceAll(' ', '+'));
    const line = [iisDate(t), SERVER.ip, method, stem, w3c(query), String(port), w3c(user), ip, w3c(ua), w3c(referer),
      String(status), String(sub), String(win32), String(taken), ...(custom ? [w3c(xff)] : [])].join(' ');
    f.rows.push({ t, text: line, detect });
  }

  private httpProxy(r: WebRequest, reqId: string, detect: boolean): void {
    const rng = this.rng;
    const path = `${V15}/Logging/HttpProxy/${r.protocol}/HttpProxy_${ymd(r.time)}00-1.LOG`;
    const f = this.file(path, exchangeHeader('csv-compatible', 'HttpProxy Logs', HTTPPROXY_FIELDS));
    const authed = r.user !== undefined && r.user !== '';
    const v: Record<string, string> = {
      DateTime: iso(r.time), RequestId: reqId, MajorVersion: String(BUILD.major), MinorVersion: String(BUILD.minor),
      BuildVersion: String(BUILD.build), RevisionVersion: String(BUILD.rev), ClientRequestId: rng.chance(0.5) ? rng.guid() : '',
      Protocol: r.protocol ?? '', UrlHost: `mail.${SERVER.domain}`, UrlStem: r.stem, ProtocolAction: '',
      AuthenticationType: authed ? rng.pick(['Basic', 'Negotiate', 'NTLM']) : '', IsAuthenticated: authed ? 'True' : 'False',
      AuthenticatedUser: authed ? r.user! : '', Organization: '', AnchorMailbox: r.anchor ?? (authed ? `SMTP:${r.user}` : ''),
      UserAgent: r.ua, ClientIpAddress: r.ip, ServerHostName: SERVER.name, HttpStatus: String(r.status),
      BackEndStatus: String(r.backendStatus ?? r.status), ErrorCode: '', Method: r.method, ProxyAction: 'Proxy',
      TargetServer: SERVER.fqdn, TargetServerVersion: '15.01.2176.000', RoutingType: r.anchor?.startsWith('ServerInfo~') ? 'Server' : 'Mailbox',
      RoutingHint: r.routingHint ?? (authed ? 'Mailbox-SMTP' : ''), BackEndCookie: authed ? `Database~${rng.guid()}` : '',
      ServerLocatorHost: SERVER.fqdn, ServerLocatorLatency: String(rng.int(0, 3)), RequestBytes: String(rng.int(0, 4000)),
      ResponseBytes: String(rng.int(200, 60000)), TargetOutstandingRequests: String(rng.int(0, 4)),
      UrlQuery: r.query ? `?${r.query}` : '', GenericInfo: r.genericInfo ?? '', RoutingStatus: 'Success',
    };
    for (const name of HTTPPROXY_FIELDS) if (name.endsWith('Latency') || name === 'ProxyTime' || name === 'TotalRequestTime') v[name] ??= String(rng.int(0, 40));
    f.rows.push({ t: r.time, text: exchangeLogRow(HTTPPROXY_FIELDS.map((n) => v[n] ?? ''), { requestDetails: true }), detect });
  }

  /**
   * A row of a header-described Exchange log (ECP server, OAB generator, CmdletInfra, EWS, MessageTracking ...) in the
   * header mode that log is written in; `hourly` names the file per hour (RequestDetailsLoggerBase logs, research §0.3).
   */
  exchangeRow(log: ExchangeLogSpec, t: number, values: string[], detect = this.attackMode): void {
    const mode = log.mode ?? 'hash-first';
    // The example keeps one file a day per log (Exchange starts one an hour for most of these; research §0.3).
    const path = `${log.root ?? `${V15}/Logging`}/${log.folder}/${log.prefix}${ymd(t)}${log.prefix.startsWith('ECPServer') || log.prefix.startsWith('OABGenerator') ? '' : '00'}-1.LOG`;
    const requestDetails = mode === 'csv-compatible';
    this.file(path, exchangeHeader(mode, log.logType, log.fields)).rows.push({ t, text: exchangeLogRow(values, { requestDetails }), detect });
  }

  /** A Windows event in the nested evtx_dump JSON shape, one JSON object per line. */
  winEvent(channel: string, t: number, provider: string, eventId: number, level: number, data: string[], qualifiers?: number): void {
    const id = (this.recordIds.get(channel) ?? 1000) + 1;
    this.recordIds.set(channel, id);
    const event = {
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: provider } },
          EventID: qualifiers === undefined ? eventId : { '#attributes': { Qualifiers: qualifiers }, '#text': eventId },
          Level: level, Task: 1, Keywords: '0x80000000000000',
          TimeCreated: { '#attributes': { SystemTime: iso(t).replace('Z', '000Z') } },
          EventRecordID: id, Channel: channel, Computer: SERVER.fqdn, Security: null,
        },
        EventData: { Data: { '#text': data } },
      },
    };
    this.file(`C/Windows/System32/winevt/Logs-json/${channel}.jsonl`, () => '', '\n').rows.push({ t, text: JSON.stringify(event), detect: this.attackMode });
  }

  /** Runs `fn` with attack mode off: attack rows that no rule is expected to find. */
  quiet(fn: () => void): void {
    const was = this.attackMode;
    this.attackMode = false;
    try {
      fn();
    } finally {
      this.attackMode = was;
    }
  }

  disk(path: string, data: string | Uint8Array, mtime: number): void {
    this.diskFiles.push({ path, data, mtime });
  }

  /** Write everything under root; log files get the mtime of their last row. Returns the attack lines per file. */
  write(root: string): ExampleWritten {
    let bytes = 0;
    const truth: Record<string, number[]> = {};
    const copied: CopyLogRow[] = [];
    const put = (rel: string, data: string | Uint8Array, mtime: number, created = mtime): void => {
      const abs = join(root, rel);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, data);
      utimesSync(abs, mtime / 1000, mtime / 1000);
      const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      bytes += size;
      copied.push({ rel, size, sha1: createHash('sha1').update(data).digest('hex'), created, modified: mtime });
    };
    const paths = [...this.files.keys()].sort();
    for (const path of paths) {
      const f = this.files.get(path)!;
      const rows = f.rows.map((r, i) => ({ ...r, i })).sort((a, b) => a.t - b.t || a.i - b.i);
      const body = rows.map((r) => r.text + f.eol).join('');
      const header = f.header(rows[0]!.t);
      const headerLines = header === '' ? 0 : header.split(f.eol).length - 1;
      const lines = rows.flatMap((r, k) => (r.detect ? [headerLines + k + 1] : []));
      if (lines.length > 0) truth[path] = lines;
      put(path, header + body, rows[rows.length - 1]!.t, rows[0]!.t);
    }
    for (const d of this.diskFiles) put(d.path, d.data, d.mtime);
    // KAPE's own record of what it copied, with each file's times on the server: a clone of the repository
    // keeps no file times, and the scan takes them from here (research formats.md §6).
    writeFileSync(join(root, COPY_LOG_NAME), copyLog(copied));
    return { files: paths.length + this.diskFiles.length, bytes, truth };
  }
}

/** The collection was taken on 2023-01-10 by KAPE into E:\\kape-EXCH01 (the copy log's name is its start time). */
const COPY_LOG_NAME = '2023-01-10T091502_CopyLog.csv';
const COLLECTED = Date.parse('2023-01-10T09:15:02Z');

interface CopyLogRow { rel: string; size: number; sha1: string; created: number; modified: number }

/** KAPE's `*_CopyLog.csv`: CopiedTimestamp, SourceFile, DestinationFile, FileSize, SourceFileSha1, DeferredCopy, and the source's times. */
function copyLog(rows: readonly CopyLogRow[]): string {
  const kapeTime = (t: number): string => `${iso(t).slice(0, 19).replace('T', ' ')}.${iso(t).slice(20, 23)}0000`;
  const out = rows.map((r, i) => {
    const win = r.rel.replace(/^C\//, 'C:\\').replaceAll('/', '\\');
    return [kapeTime(COLLECTED + i * 40), win, `E:\\kape-EXCH01\\${r.rel.replaceAll('/', '\\')}`, String(r.size), r.sha1.toUpperCase(), 'False',
      kapeTime(r.created), kapeTime(r.modified), kapeTime(COLLECTED + i * 40), '00:00:00.0010000'];
  });
  return stringify([['CopiedTimestamp', 'SourceFile', 'DestinationFile', 'FileSize', 'SourceFileSha1', 'DeferredCopy', 'CreatedOnUtc', 'ModifiedOnUtc', 'LastAccessedOnUtc', 'CopyDuration'], ...out], { record_delimiter: 'windows' });
}

/** Where and how one Exchange log is written. */
export interface ExchangeLogSpec {
  folder: string;
  prefix: string;
  logType: string;
  fields: readonly string[];
  mode?: HeaderMode;
  /** The folder holding `folder` (default V15\Logging). */
  root?: string;
}

export interface ExampleWritten {
  files: number;
  bytes: number;
  /** Ground truth: path (relative, '/') -> 1-based lines that the rule pack must report at medium or above. */
  truth: Record<string, number[]>;
}

/** The header block of a new log file in `mode`, dated at its first row's hour (#Date is the file's creation time). */
function exchangeHeader(mode: HeaderMode, logType: string, fields: readonly string[]): (first: number) => string {
  const hour = (t: number): string => `${iso(t).slice(0, 13)}:00:00.000Z`;
  return (first) => exchangeLogHeader({ mode, version: BUILD.long, logType, date: hour(first), fields });
}
