// bench:logs — full read + Sigma match of a generated 1 GB Exchange-style IIS log, single core, against
// `grep -c -F autodiscover.json` on the same file as the floor (and the bare line splitter, the reader's own floor);
// plus the Exchange CSV reader on a generated HttpProxy log (quoted fields) against csv-parse alone. Medians, fresh processes.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exchangeLogHeader } from '../src/readers/exchange/testkit.js';
import type { Diagnostic } from '../src/diagnostics.js';
import type { Evidence } from '../src/evidence/evidence.js';
import type { HuntEvent } from '../src/event.js';
import { loadSigma } from '../src/engines/sigma/index.js';
import { hunt } from '../src/hunt.js';
import { projectRoot, rulesDir, sharedDir } from '../src/paths.js';
import { DiagnosticLimiter, readLineBatches, readTextBlocks } from '../src/readers/text/index.js';
import { readW3cBatches } from '../src/readers/w3c/index.js';
import { readExchangeBatches } from '../src/readers/exchange/index.js';
import { parse as parseCsv } from 'csv-parse/sync';
import { median } from './median.js';

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env['EXHUNT_BENCH_MB'] ?? 1024);
const RUNS = Number(process.env['EXHUNT_BENCH_RUNS'] ?? 3);
const DATA = join(projectRoot, '.bench-data');
const FILE = join(DATA, `W3SVC1/u_ex-bench-${SIZE_MB}mb.log`);
const X_SIZE_MB = Number(process.env['EXHUNT_BENCH_EXCH_MB'] ?? 200);
// v2: in the shape Exchange writes (CSV-compatible header, commas in values replaced by spaces).
const XFILE = join(DATA, `HttpProxy/Owa/HttpProxy_bench-${X_SIZE_MB}mb-v2.LOG`);

// ---------- generator: realistic Exchange front-end traffic (our own invented hosts and users) ----------
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `bytes` of generated IIS W3C traffic (deterministic) to `file`; bench:scale uses it too. */
export async function generate(file: string, bytes: number): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const r = rng(42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const guids = Array.from({ length: 2000 }, () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`);
  const users = Array.from({ length: 300 }, (_, i) => `user${i.toString().padStart(3, '0')}`);
  const ips = Array.from({ length: 500 }, () => `10.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}`);
  const outlook = 'Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.17928;+Pro)';
  const chrome = 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/126.0.0.0+Safari/537.36';
  const header =
    '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-11-01 00:00:00\n' +
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n';
  const out = createWriteStream(file);
  let written = 0;
  let sec = 0;
  let buf: string[] = [];
  let bufLen = 0;
  const flush = async (): Promise<void> => {
    const s = buf.join('');
    buf = [];
    bufLen = 0;
    written += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((res) => out.once('drain', () => res()));
  };
  buf.push(header);
  while (written + bufLen < bytes) {
    sec += r() < 0.5 ? 1 : 0;
    const day = 1 + Math.floor(sec / 86400) % 28;
    const t = sec % 86400;
    const ts = `2026-11-${String(day).padStart(2, '0')} ${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
    const corr = `&CorrelationID=<empty>;&cafeReqId=${pick(guids)};`;
    const u = pick(users);
    const ip = pick(ips);
    const x = r();
    let line: string;
    if (x < 0.3) line = `${ts} 10.0.0.5 POST /mapi/emsmdb/ MailboxId=${pick(guids)}@contoso.example${corr}&encoding=deflate 443 CONTOSO\\${u} ${ip} ${outlook} - 200 0 0 ${Math.floor(r() * 900)}`;
    else if (x < 0.5) line = `${ts} 10.0.0.5 POST /EWS/Exchange.asmx ${corr} 443 ${u}@contoso.example ${ip} ExchangeWebServices/2.2+(ExchangeServicesClient/15.0.913.15) - 200 0 0 ${Math.floor(r() * 300)}`;
    else if (x < 0.65) line = `${ts} 10.0.0.5 POST /Microsoft-Server-ActiveSync/default.eas Cmd=Sync&User=${u}&DeviceId=${hex(32).toUpperCase()}&DeviceType=iPhone${corr}_Sy1 443 CONTOSO\\${u} ${ip} Apple-iPhone15C2/2107.96 - 200 0 0 ${Math.floor(r() * 60000)}`;
    else if (x < 0.75) line = `${ts} 10.0.0.5 ${pick(['GET', 'POST'])} /owa/service.svc action=${pick(['GetItem', 'FindItem', 'GetFolder', 'SyncCalendar'])}&app=Mail&n=${Math.floor(r() * 99)}${corr} 443 ${u}@contoso.example ${ip} ${chrome} https://mail.contoso.example/owa/ 200 0 0 ${Math.floor(r() * 400)}`;
    else if (x < 0.85)
      line =
        r() < 0.5
          ? `${ts} 10.0.0.5 POST /autodiscover/autodiscover.xml ${corr} 443 ${u}@contoso.example ${ip} ${outlook} - 200 0 0 ${Math.floor(r() * 80)}`
          : `${ts} 10.0.0.5 GET /autodiscover/autodiscover.json/v1.0/${u}@contoso.example Protocol=AutodiscoverV1&RedirectCount=1${corr} 443 - ${ip} ${outlook} - 200 0 0 ${Math.floor(r() * 40)}`;
    else if (x < 0.95) line = `${ts} 127.0.0.1 GET /${pick(['owa', 'ecp', 'ews', 'mapi', 'oab', 'Microsoft-Server-ActiveSync'])}/healthcheck.htm - 443 - 127.0.0.1 AMProbe/Local/ClientAccess - 200 0 0 ${Math.floor(r() * 5)}`;
    else if (x < 0.99995) line = `${ts} 10.0.0.5 GET /OAB/${pick(guids)}/oab.xml ${corr} 443 CONTOSO\\${u} ${ip} ${outlook} - 200 0 0 ${Math.floor(r() * 20)}`;
    else if (x < 0.99998) line = `${ts} 10.0.0.5 GET /autodiscover/autodiscover.json @evil.example/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&Email=autodiscover/autodiscover.json%3F@evil.example${corr} 443 - 192.0.2.10 python-requests/2.25.1 - 200 0 0 52`;
    else line = `${ts} 10.0.0.5 POST /ecp/y.js ${corr} 443 - 192.0.2.10 ExchangeServicesClient/0.0.0.0 - 200 0 0 41`;
    buf.push(line, '\n');
    bufLen += line.length + 1;
    if (bufLen > 4 * MB) await flush();
  }
  await flush();
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}


/**
 * HttpProxy (all protocols in one file): the 74 columns Exchange 2016 writes, in its CSV-compatible mode (a bare
 * header row, then the # block) with its sanitising (',' in a value becomes a space, so only a value holding '"'
 * is quoted: a few GenericInfo values here).
 */
const HTTPPROXY_FIELDS =
  'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus';

async function generateHttpProxy(file: string, bytes: number): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
  const guid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const dbs = Array.from({ length: 20 }, guid);
  const users = Array.from({ length: 300 }, (_, i) => `user${i.toString().padStart(3, '0')}@contoso.example`);
  const ips = Array.from({ length: 500 }, () => `10.${Math.floor(r() * 250)}.${Math.floor(r() * 250)}.${1 + Math.floor(r() * 250)}`);
  const browser = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68';
  const kinds: [string, string, string, string][] = [
    ['Eas', '/Microsoft-Server-ActiveSync/default.eas', 'Apple-iPhone15C2/2107.96', 'POST'],
    ['Ews', '/EWS/Exchange.asmx', 'ExchangeWebServices/2.2 (ExchangeServicesClient/15.0.913.15)', 'POST'],
    ['Mapi', '/mapi/emsmdb/', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)', 'POST'],
    ['Owa', '/owa/service.svc', browser, 'POST'],
    ['Autodiscover', '/autodiscover/autodiscover.xml', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)', 'POST'],
    ['Ecp', '/ecp/default.aspx', browser, 'GET'],
  ];
  const lat = (): string => String(Math.floor(r() * 40));
  const out = createWriteStream(file);
  const header = exchangeLogHeader({ mode: 'csv-compatible', version: '15.01.2507.006', logType: 'HttpProxy Logs', date: '2026-11-01T00:00:00.000Z', fields: HTTPPROXY_FIELDS.split(',') });
  let written = 0;
  let ms = 0;
  let buf: string[] = [header];
  let bufLen = header.length;
  while (written + bufLen < bytes) {
    ms += Math.floor(r() * 400);
    const time = new Date(Date.UTC(2026, 10, 1) + ms).toISOString();
    const [proto, stem, ua, method] = pick(kinds);
    const user = pick(users);
    const g = r();
    const generic = g < 0.02 ? `"S:ServiceCommonMetadata.HttpMethod=${method};S:ActivityStandardMetadata.Action=GetItem GetFolder;Dbl=""${hex(4)}"""` : g < 0.6 ? `S:ServiceCommonMetadata.HttpMethod=${method};S:ActivityStandardMetadata.Action=GetItem GetFolder` : '';
    const lats = Array.from({ length: 30 }, () => (r() < 0.2 ? '' : lat())).join(',');
    const row = [
      time, guid(), '15', '1', '2507', '6', r() < 0.5 ? guid() : '', proto, 'mail.contoso.example', stem, '', 'Negotiate', 'True', user, '', `SMTP:${user}`,
      ua, pick(ips), 'EXCH01', '200', '200', '', method, 'Proxy', 'EXCH01.contoso.example', '15.01.2507.000', 'Mailbox', 'Mailbox-SMTP',
      `Database~${pick(dbs)}`, 'EXCH01.contoso.example', lat(), String(Math.floor(r() * 9000)), String(Math.floor(r() * 90000)), lat(), '', lats,
      proto === 'Eas' ? `?Cmd=Sync&User=${user.split('@')[0]}&DeviceId=${hex(32).toUpperCase()}&DeviceType=iPhone` : '', '', generic, '', '', pick(dbs), guid(), lat(), 'Success',
    ].join(',');
    buf.push(row, '\r\n');
    bufLen += row.length + 2;
    if (bufLen > 4 * MB) {
      const s = buf.join('');
      buf = [];
      bufLen = 0;
      written += Buffer.byteLength(s);
      if (!out.write(s)) await new Promise<void>((res) => out.once('drain', () => res()));
    }
  }
  out.write(buf.join(''));
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

// ---------- child: one measured pass in a fresh process ----------
interface ChildResult {
  /** Wall-clock seconds of the pass. */
  seconds: number;
  /** CPU seconds (user + system) of the pass: what a dedicated core would need; robust on a busy machine. */
  cpuSeconds: number;
  lines: number;
  bytes: number;
  findings: number;
  rules: number;
  loadSeconds: number;
  maxRssMB: number;
  diagnostics: number;
}

type Mode = 'lines' | 'read' | 'scan' | 'hunt' | 'xread' | 'xcsv';

async function child(mode: Mode, file: string): Promise<void> {
  const st = statSync(file);
  const exchange = mode === 'xread' || mode === 'xcsv';
  const ev: Evidence = {
    absPath: file,
    path: file.slice(DATA.length + 1),
    root: DATA,
    kind: exchange ? 'exchange-csv' : 'iis-w3c',
    size: st.size,
    mtime: st.mtime.toISOString(),
  };
  let diagnostics = 0;
  const sink = (_d: Diagnostic): void => {
    diagnostics++;
  };
  let rules = 0;
  let loadSeconds = 0;
  let match: ((e: HuntEvent) => unknown[]) | null = null;
  if (mode === 'scan') {
    const t0 = performance.now();
    const paths = [join(rulesDir, 'sigma'), join(sharedDir, 'sigma', 'rules', 'web')];
    const loaded = await loadSigma(paths.filter((p) => existsSync(p)));
    loadSeconds = (performance.now() - t0) / 1000;
    rules = loaded.loaded;
    const run = loaded.ruleSet.createRun();
    match = (e) => run.match(e);
  }
  let lines = 0;
  let findings = 0;
  if (mode === 'hunt') {
    // The whole `exhunt scan` pipeline on this one file (coverage, build sightings, what attackers touched,
    // web-shell requests, Sigma), reports not written: what a user waits for, rules loaded inside the pass.
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await hunt({ inputs: [file], sigma: [join(sharedDir, 'sigma', 'rules', 'web')].filter((p) => existsSync(p)), minLevel: 'informational', onDiagnostic: sink });
    const cpu = process.cpuUsage(c0);
    const res: ChildResult = {
      seconds: (performance.now() - t0) / 1000,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      lines: r.summary.events.total,
      bytes: st.size,
      findings: r.summary.counts.findings,
      rules: r.summary.rules.sigma.loaded,
      loadSeconds: 0,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      diagnostics,
    };
    process.stdout.write(JSON.stringify(res) + '\n');
    return;
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  // 'lines': the shared block splitter alone (same chunk size as the W3C reader), the reader's floor.
  if (mode === 'lines') for await (const b of readTextBlocks(file, new DiagnosticLimiter(sink, ev.path), { chunkBytes: 128 * 1024 })) lines += b.lineCount;
  else if (mode === 'xcsv') {
    // The CSV library alone on the same rows (records as arrays, no events): the Exchange reader's peer.
    for await (const b of readLineBatches(file, new DiagnosticLimiter(sink, ev.path), { chunkBytes: 256 * 1024 })) {
      const rows = b.lines.filter((l) => l.length > 0 && l.charCodeAt(0) !== 35);
      lines += (parseCsv(rows.join('\n'), { relax_column_count: true }) as string[][]).length;
    }
  } else if (mode === 'xread') for await (const batch of readExchangeBatches(ev, sink)) lines += batch.length;
  else for await (const batch of readW3cBatches(ev, sink)) {
    lines += batch.length;
    if (match) for (let i = 0; i < batch.length; i++) findings += match(batch[i]!).length;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const res: ChildResult = { seconds, cpuSeconds, lines, bytes: st.size, findings, rules, loadSeconds, maxRssMB: process.resourceUsage().maxRSS / 1024, diagnostics };
  process.stdout.write(JSON.stringify(res) + '\n');
}

// ---------- orchestrator ----------

function runChild(mode: Mode, file = FILE): ChildResult {
  const self = fileURLToPath(import.meta.url);
  // taskset pins the child (and its GC helper threads) to one core so "single core" is literal.
  const pin = spawnSync('taskset', ['--version']).status === 0;
  const cmd = pin ? 'taskset' : process.execPath;
  const args = pin ? ['-c', '0', process.execPath, self, '--child', mode, file] : [self, '--child', mode, file];
  const p = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 * MB });
  if (p.status !== 0) throw new Error(`child ${mode} failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').at(-1)!) as ChildResult;
}

function grepFloor(file = FILE): { seconds: number; cpuSeconds: number; count: number } {
  // bash's `time` gives grep's own CPU seconds, comparable with the children's process.cpuUsage().
  const script = `TIMEFORMAT='%U %S'; { time taskset -c 0 grep -c -F autodiscover.json "$1"; } 2>&1`;
  const t0 = performance.now();
  const p = spawnSync('bash', ['-c', script, 'bash', file], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  const [count, times] = p.stdout.trim().split('\n');
  const [u, sys] = (times ?? '0 0').split(' ').map(Number);
  return { seconds, cpuSeconds: (u ?? 0) + (sys ?? 0), count: Number(count) };
}

type Timed = { seconds: number; cpuSeconds: number; maxRssMB?: number };

/** One table: a grep floor and exhunt passes over one file, MB/s and lines/s per CPU second. */
function table(file: string, lines: number, grep: Timed[], rows: [string, Timed[], string][]): string {
  const size = statSync(file).size;
  const gCpu = median(grep.map((x) => x.cpuSeconds));
  const row = (name: string, xs: Timed[], extra: string): string => {
    const wall = median(xs.map((x) => x.seconds));
    const cpu = median(xs.map((x) => x.cpuSeconds));
    const rss = xs[0]!.maxRssMB !== undefined ? `${median(xs.map((x) => x.maxRssMB!)).toFixed(0).padStart(4)} MB` : '     -';
    return (
      `${name.padEnd(40)} ${cpu.toFixed(2).padStart(7)} ${wall.toFixed(2).padStart(7)} ${(size / MB / cpu).toFixed(0).padStart(7)} ` +
      `${(lines / cpu / 1e6).toFixed(2).padStart(8)} ${rss}  ${(cpu / gCpu).toFixed(1).padStart(5)}x  ${extra}\n`
    );
  };
  return (
    `${'pass'.padEnd(40)} ${'cpu s'.padStart(7)} ${'wall s'.padStart(7)} ${'MB/s'.padStart(7)} ${'M lines/s'.padStart(8)} ${'peakRSS'.padStart(7)} vs grep\n` +
    row('grep -c -F autodiscover', grep, '(floor)') +
    rows.map(([name, xs, extra]) => row(name, xs, extra)).join('')
  );
}

async function ensure(file: string, sizeMB: number, what: string, gen: (f: string, b: number) => Promise<void>): Promise<void> {
  if (existsSync(file) && statSync(file).size >= sizeMB * MB * 0.99) return;
  process.stdout.write(`generating ${sizeMB} MB ${what} at ${file} ...\n`);
  const t0 = performance.now();
  await gen(file, sizeMB * MB);
  process.stdout.write(`  generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}

async function main(generateOnly = false): Promise<void> {
  // EXHUNT_BENCH_ONLY=iis|exchange runs one part (while developing).
  const only = process.env['EXHUNT_BENCH_ONLY'];
  const iis = only !== 'exchange';
  const exch = only !== 'iis';
  if (iis) await ensure(FILE, SIZE_MB, 'IIS log', generate);
  if (exch) await ensure(XFILE, X_SIZE_MB, 'HttpProxy log', generateHttpProxy);
  if (generateOnly) return;
  process.stdout.write(`runs: ${RUNS} (median), each pass in a fresh process pinned to one core; MB/s and lines/s per CPU second (user+sys), wall time for reference\n`);
  const grep: Timed[] = [];
  const split: ChildResult[] = [];
  const read: ChildResult[] = [];
  const scan: ChildResult[] = [];
  const whole: ChildResult[] = [];
  const xgrep: Timed[] = [];
  const xcsv: ChildResult[] = [];
  const xread: ChildResult[] = [];
  let grepCount = 0;
  for (let i = 0; i < RUNS; i++) {
    if (iis) {
      const g = grepFloor();
      grep.push(g);
      grepCount = g.count;
      split.push(runChild('lines'));
      read.push(runChild('read'));
      scan.push(runChild('scan'));
      whole.push(runChild('hunt'));
    }
    if (exch) {
      xgrep.push(grepFloor(XFILE));
      xcsv.push(runChild('xcsv', XFILE));
      xread.push(runChild('xread', XFILE));
    }
  }
  if (iis) {
    const lines = read[0]!.lines;
    process.stdout.write(`\nIIS W3C: ${(statSync(FILE).size / MB).toFixed(0)} MB, ${lines} lines, grep count ${grepCount}\n`);
    process.stdout.write(
      table(FILE, lines, grep, [
        ['block splitter only (readTextBlocks)', split, '(reader floor)'],
        ['exhunt read (W3C reader only)', read, ''],
        [
          `exhunt scan (read + ${scan[0]!.rules} Sigma rules)`,
          scan,
          `${scan[0]!.findings} findings; rules loaded in ${median(scan.map((x) => x.loadSeconds)).toFixed(1)} s (not timed)`,
        ],
        ['exhunt scan, whole pipeline (hunt())', whole, `${whole[0]!.findings} findings at any level; rule loading included`],
      ]),
    );
    process.stdout.write(`targets: >= 150 MB/s per core and peak RSS < 300 MB for the scan\n`);
  }
  if (exch) {
    const lines = xread[0]!.lines;
    process.stdout.write(`\nExchange HttpProxy CSV: ${(statSync(XFILE).size / MB).toFixed(0)} MB, ${lines} rows\n`);
    process.stdout.write(
      table(XFILE, lines, xgrep, [
        ['csv-parse alone (arrays, no events)', xcsv, '(library peer)'],
        ['exhunt read (Exchange CSV reader only)', xread, `${xread[0]!.diagnostics} diagnostics`],
      ]),
    );
  }
}

// Run only as the benchmark itself, not when bench:scale imports the generator.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') await child(argv[1] as Mode, argv[2]!);
  else await main(argv[0] === '--generate');
}
