// bench:store-hunt — the stored retro-hunt (all SigmaHQ Windows rules + the Exchange pack) over ≥ 10 M stored events
// vs the in-process engine on the same events, per CPU-second: each hunt in a fresh process, BENCH_STORE_RUNS runs
// each taking turns, medians; chDB, and servers when given.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { discover } from '../src/evidence/index.js';
import type { HuntEvent, WinEvent } from '../src/event.js';
import type { Finding } from '../src/finding.js';
import { eventBatches, readerFor } from '../src/readers/index.js';
import { loadSigma, type SigmaRuleSet } from '../src/engines/sigma/index.js';
import { hasShared, projectRoot, rulesDir, sharedDir } from '../src/paths.js';
import { EVENT_COLUMNS, ensureSchema, eventToRow, hotColumnType, openStore, stringLiteral, type StoreClient } from '../src/stores/clickhouse/index.js';
import { huntStore } from '../src/stores/hunt/index.js';
import { readSidecar } from '../test/conformance/sidecar.js';
import { threadCpu } from './thread-cpu.js';
import { median } from './median.js';

/** Hosts the events are spread over (a cluster shards by host). */
const HOSTS = 40;
/** One copy in this many keeps a Windows event's attack values; the rest get everyday ones (logs are mostly benign). */
const ATTACK_EVERY = 100;

const BENIGN: Record<string, string> = {
  Image: 'C:\\Windows\\System32\\svchost.exe',
  CommandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
  ParentImage: 'C:\\Windows\\System32\\services.exe',
  ParentCommandLine: 'C:\\Windows\\system32\\services.exe',
  OriginalFileName: 'svchost.exe',
  Description: 'Host Process for Windows Services',
  TargetFilename: 'C:\\Windows\\Temp\\tmp4D2A.tmp',
  TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders\\Cache',
  ImageLoaded: 'C:\\Windows\\System32\\kernel32.dll',
  PipeName: '\\srvsvc',
};

/**
 * BENCH_STORE_UNIQUE=1: every event's command lines end with the copy's number and the event's place in the base,
 * as a real server's differ by their arguments — each process start its own value set, the value sets' worst case.
 */
const UNIQUE = process.env['BENCH_STORE_UNIQUE'] === '1';
const UNIQUE_KEYS = ['CommandLine', 'ParentCommandLine'];

/** Windows regression events weigh this many times in the base (about half the stored events are Windows'). */
const WIN_WEIGHT = 40;

/** The distinct events copies are made of: the example collection's, and SigmaHQ's regression events (weighted). */
export async function baseEvents(): Promise<HuntEvent[]> {
  const out: HuntEvent[] = [];
  const sink = (): void => {};
  for await (const ev of discover([join(projectRoot, 'examples', 'exchange-2021')], sink)) {
    const reader = readerFor(ev.kind);
    if (reader) for await (const batch of eventBatches(reader, ev, sink)) out.push(...batch);
  }
  if (hasShared) {
    const sigma = join(sharedDir, 'sigma');
    const manifest = JSON.parse(readFileSync(join(sigma, 'regression_manifest.json'), 'utf8')) as { json_path: string }[];
    const win = manifest.flatMap((m) => readSidecar(join(sigma, m.json_path), m.json_path));
    for (let w = 0; w < WIN_WEIGHT; w++) out.push(...win);
  }
  return out;
}

const hostOf = (k: number): string => `BENCH${String(k % HOSTS).padStart(2, '0')}`;

/**
 * Copy `k` of a base event, as copySql makes it in the store: time moved by k seconds, evidence path under the
 * copy's host, Windows EventData values made everyday (BENIGN) except in one copy of ATTACK_EVERY.
 */
function copyOf(e: HuntEvent, k: number, i: number): HuntEvent {
  const time = e.time ? new Date(Date.parse(e.time) + k * 1000).toISOString() : null;
  const ref = { ...e.ref, path: `copy-${k % HOSTS}/${e.ref.path}` };
  if (e.source !== 'evtx' && e.source !== 'json') return { ...e, time, ref };
  if (k % ATTACK_EVERY === 0 && !UNIQUE) return { ...e, time, ref };
  const w = e as WinEvent;
  const ev = (w.data as { Event?: Record<string, unknown> }).Event;
  const ed = ev?.['EventData'] as Record<string, unknown> | undefined;
  if (!ev || !ed || typeof ed !== 'object') return { ...w, time, ref };
  const edCopy: Record<string, unknown> = { ...ed };
  for (const key of Object.keys(edCopy)) {
    if (key in BENIGN && k % ATTACK_EVERY !== 0) edCopy[key] = BENIGN[key];
    if (UNIQUE && UNIQUE_KEYS.includes(key) && typeof edCopy[key] === 'string') edCopy[key] = `${String(edCopy[key])} ${k}.${i}`;
  }
  return { ...w, time, ref, data: { ...w.data, Event: { ...ev, EventData: edCopy } } };
}

/** How many copies of the base make at least `total` events. */
export const copiesFor = (base: readonly HuntEvent[], total: number): number => Math.ceil(total / base.length);

/** The stored events in JavaScript, copy by copy (the same ones copySql writes), with each copy's host. */
export function* benchEvents(base: readonly HuntEvent[], copies: number): Generator<{ host: string; events: HuntEvent[] }> {
  for (let k = 0; k < copies; k++) yield { host: hostOf(k), events: base.map((e, i) => copyOf(e, k, i)) };
}

/** INSERT … SELECT of copies [from, to) of the base rows (bench_base) into events: copyOf, in SQL (18.16's range takes one argument). */
function copySql(from: number, to: number): string {
  const h = 'concat(\'BENCH\', if(k % 40 < 10, \'0\', \'\'), toString(k % 40))';
  const benign = `transform(key, [${Object.keys(BENIGN).map(stringLiteral).join(', ')}], [${Object.values(BENIGN).map(stringLiteral).join(', ')}], v)`;
  const over: Record<string, string> = {
    host: h,
    collection: h,
    ingest_id: `concat(${h}, '\\0bench')`,
    path: "concat('copy-', toString(k % 40), '/', path)",
    t: 'if(has_time = 1, toDateTime(toUInt32(t) + k), t)',
    // a shifted copy's time text would disagree with its shifted t: empty, so findings rebuild it from t and us
    time_text: "if(k = 0, time_text, '')",
    vals: UNIQUE
      ? `if(source IN ('w3c', 'exchange'), vals, arrayMap((x, key) -> if(key IN (${UNIQUE_KEYS.map(stringLiteral).join(', ')}), concat(x, ' ', toString(k), '.', toString(bench_i)), x), ` +
        `if(k % ${ATTACK_EVERY} = 0, vals, arrayMap((v, key) -> ${benign}, vals, keys)), keys))`
      : `if(source IN ('w3c', 'exchange') OR k % ${ATTACK_EVERY} = 0, vals, arrayMap((v, key) -> ${benign}, vals, keys))`,
  };
  const cols = EVENT_COLUMNS.map((c) => c.name);
  return `INSERT INTO events (${cols.join(', ')}) SELECT ${cols.map((c) => (over[c] ? `${over[c]} AS ${c}` : c)).join(', ')} FROM (SELECT *, arrayJoin(arrayMap(i -> i + ${from}, range(${to - from}))) AS k FROM bench_base)`;
}

/**
 * Stores the bench's events: the base rows once (bench_base, a Memory table), then every copy made by the store
 * itself (INSERT … SELECT, so 10 M rows do not cross JSON), each host's attempt marked complete.
 */
export async function fillStore(client: StoreClient, base: readonly HuntEvent[], total: number): Promise<{ events: number; wallS: number }> {
  const t0 = performance.now();
  const copies = copiesFor(base, total);
  const cols = EVENT_COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ');
  await client.exec('DROP TABLE IF EXISTS bench_base');
  await client.exec(`CREATE TABLE bench_base (${cols}, bench_i UInt32) ENGINE = Memory`);
  for (let i = 0; i < base.length; i += 20_000)
    await client.insert('bench_base', base.slice(i, i + 20_000).map((e, j) => ({ ...eventToRow(e, { host: 'BASE', collection: 'BASE', sha256: '', ingestId: 'base' }), bench_i: i + j })));
  // Copies of about 1,000,000 rows a statement (a block of the INSERT … SELECT holds them all at once); on 18.16, one
  // copy (its hot fields are String columns computed at insert, about 75 KB of the server's memory a row: 1.5 GB for
  // the 19,985 base rows, where 1,000,000 rows passed its 9.3 GiB limit).
  const step = hotColumnType(client.info) === 'String' ? 1 : Math.max(1, Math.floor(1_000_000 / base.length));
  for (let k = 0; k < copies; k += step) {
    await client.exec(copySql(k, Math.min(copies, k + step)));
    process.stderr.write(`  stored ${(Math.min(copies, k + step) * base.length).toLocaleString('en')}\n`);
  }
  await client.exec('DROP TABLE bench_base');
  const hosts = Array.from({ length: Math.min(HOSTS, copies) }, (_, k) => hostOf(k));
  await client.insert(
    'evidence',
    hosts.map((host) => ({ host, collection: host, path: 'bench', kind: '', size: 0, sha256: '', ingest_id: `${host}\u0000bench`, complete: 1, events: 0, first_t: 0, last_t: 0, coverage: '', scan_id: '', ingested_at: 0 })),
  );
  return { events: copies * base.length, wallS: (performance.now() - t0) / 1000 };
}

/**
 * Waits until the events table has no merge running (chDB merges in this process, on the same cores, so a hunt
 * started right after the fill counted the ingest's merges as its own CPU: session 10's figures include them).
 */
export async function mergesSettled(client: StoreClient): Promise<{ wallS: number; cpuS: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let quiet = 0; quiet < 3; ) {
    const [r] = await client.rows<{ n: number | string }>("SELECT count() AS n FROM system.merges WHERE database = currentDatabase() AND table IN ('events', 'events_local')");
    quiet = Number(r?.n ?? 0) === 0 ? quiet + 1 : 0;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const c = process.cpuUsage(c0);
  return { wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 };
}

/** The main thread's CPU seconds (the in-process engine runs there; chDB's own threads are left out). */
function mainThreadCpu(): number {
  return threadCpu().get(String(process.pid)) ?? process.cpuUsage().user / 1e6;
}

/** The in-process engine over the same events: CPU seconds of the main thread, findings. */
export function huntInProcess(set: SigmaRuleSet, base: readonly HuntEvent[], total: number): { cpuS: number; findings: number; events: number } {
  let cpuS = 0;
  let findings = 0;
  const runs = new Map<string, ReturnType<SigmaRuleSet['createRun']>>();
  let n = 0;
  for (const { host, events } of benchEvents(base, copiesFor(base, total))) {
    n += events.length;
    const run = runs.get(host) ?? runs.set(host, set.createRun()).get(host)!;
    const c0 = mainThreadCpu();
    for (const e of events) findings += run.match(e).length;
    cpuS += mainThreadCpu() - c0;
  }
  const c0 = mainThreadCpu();
  for (const run of runs.values()) findings += run.finish().length;
  cpuS += mainThreadCpu() - c0;
  return { cpuS, findings, events: n };
}

/** CPU seconds (utime + stime) of the server processes, from /proc/<pid>/stat. */
function serverCpu(pids: readonly number[]): number {
  let s = 0;
  // clickhouse-local.sh's pid file may name the shell that runs the server: count its children too.
  const all = pids.flatMap((p) => {
    try {
      return [p, ...readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)];
    } catch {
      return [p];
    }
  });
  for (const pid of all) {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    s += (Number(f[11]) + Number(f[12])) / 100;
  }
  return s;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const clock = (): string => new Date().toISOString().slice(11, 19);

/** The bench's rules: SigmaHQ rules/windows and the Exchange pack. */
const benchRules = async (): Promise<SigmaRuleSet> =>
  (await loadSigma([join(sharedDir, 'sigma', 'rules', 'windows'), join(rulesDir, 'sigma')], { builtinRoot: rulesDir })).ruleSet;

/** A finding's identity without its time (rule, evidence path, line or record): the same on both sides. */
const identity = (f: Finding): string => JSON.stringify([f.rule.id, f.evidence.path, f.evidence.line ?? f.evidence.record ?? null]);
const digestOf = (ids: string[]): string => createHash('sha256').update(ids.sort().join('\n')).digest('hex').slice(0, 16);

/** What one measured hunt (a child process) reports: CPU-s of the whole process over the hunt, every thread. */
export interface ChildResult {
  kind: 'in-process' | 'stored';
  cpuS: number;
  /** The main thread's share (JavaScript, chDB's fetch calls); the in-process figure before session 14. */
  mainS: number;
  wallS: number;
  findings: number;
  digest: string;
  events: number;
  rules: number;
  queries?: number;
  hotFields?: number;
  valueSets?: { logsources: number; sets: number; events: number };
  /** process.resourceUsage over the hunt: user and system CPU-s, minor page faults. */
  userS?: number;
  sysS?: number;
  minorFaults?: number;
  at: string;
  loadBefore: string;
  loadAfter: string;
}

/**
 * One measured hunt in this (fresh) process: `in-process TOTAL` or `stored SPEC HOT PIDS`. The rules are loaded and
 * the events made before the clock starts; CPU-s is process.cpuUsage (every thread of the process: V8's helpers and
 * chDB's too), plus a server's /proc CPU. BENCH_STORE_WARM_EVENTS=N first runs the in-process engine over N events
 * (not counted), as the one-process bench before session 14 did.
 */
async function child(args: string[]): Promise<ChildResult> {
  const set = await benchRules();
  const loadBefore = load();
  const ids: string[] = [];
  const [kind, a, b, c] = args;
  if (kind === 'in-process') {
    const base = await baseEvents();
    const total = Number(a);
    const runs = new Map<string, ReturnType<SigmaRuleSet['createRun']>>();
    let cpuS = 0;
    let mainS = 0;
    let wallS = 0;
    let n = 0;
    const span = <T>(fn: () => T): T => {
      const c0 = process.cpuUsage();
      const m0 = mainThreadCpu();
      const t0 = performance.now();
      const r = fn();
      const cu = process.cpuUsage(c0);
      cpuS += (cu.user + cu.system) / 1e6;
      mainS += mainThreadCpu() - m0;
      wallS += (performance.now() - t0) / 1000;
      return r;
    };
    for (const { host, events } of benchEvents(base, copiesFor(base, total))) {
      n += events.length;
      const run = runs.get(host) ?? runs.set(host, set.createRun()).get(host)!;
      const found = span(() => events.flatMap((e) => run.match(e)));
      for (const f of found) ids.push(identity(f));
    }
    for (const f of span(() => [...runs.values()].flatMap((r) => r.finish()))) ids.push(identity(f));
    return { kind: 'in-process', cpuS, mainS, wallS, findings: ids.length, digest: digestOf(ids), events: n, rules: set.size, at: clock(), loadBefore, loadAfter: load() };
  }
  if (kind !== 'stored' || !a) throw new Error(`usage: store-hunt --child in-process TOTAL | stored SPEC HOT PIDS`);
  const warm = Number(process.env['BENCH_STORE_WARM_EVENTS'] ?? 0);
  if (warm > 0) huntInProcess(set, await baseEvents(), warm);
  const pids = (c ?? '').split(',').filter(Boolean).map(Number);
  const client = await openStore(a);
  try {
    const s0 = serverCpu(pids);
    const c0 = process.cpuUsage();
    const r0 = process.resourceUsage();
    const m0 = mainThreadCpu();
    const t0 = performance.now();
    const sum = await huntStore(client, { ruleSet: set, hotColumns: b !== '0', valueSets: b !== '0' && process.env['BENCH_STORE_VALUE_SETS'] !== '0', onFinding: (f) => void ids.push(identity(f)) });
    const cu = process.cpuUsage(c0);
    const r1 = process.resourceUsage();
    return {
      kind: 'stored',
      userS: (r1.userCPUTime - r0.userCPUTime) / 1e6,
      sysS: (r1.systemCPUTime - r0.systemCPUTime) / 1e6,
      minorFaults: r1.minorPageFault - r0.minorPageFault,
      cpuS: (cu.user + cu.system) / 1e6 + serverCpu(pids) - s0,
      mainS: mainThreadCpu() - m0,
      wallS: (performance.now() - t0) / 1000,
      findings: ids.length,
      digest: digestOf(ids),
      events: sum.valueSets.events,
      rules: set.size,
      queries: sum.queries,
      hotFields: sum.hotFields,
      valueSets: sum.valueSets,
      at: clock(),
      loadBefore,
      loadAfter: load(),
    };
  } finally {
    await client.close();
  }
}

const RESULT = 'BENCH-RESULT ';

/** Runs one measured hunt in a fresh node process (this file, --child …) and reads its result line. */
export function runChild(args: string[], script = fileURLToPath(import.meta.url), env: NodeJS.ProcessEnv = process.env): ChildResult {
  const r = spawnSync(process.execPath, [script, '--child', ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const line = r.stdout.split('\n').find((l) => l.startsWith(RESULT));
  if (r.status !== 0 || !line) throw new Error(`bench child ${args.join(' ')} failed (exit ${r.status}): ${r.stdout.slice(-2000)}`);
  return JSON.parse(line.slice(RESULT.length)) as ChildResult;
}

const fmtRun = (r: ChildResult): string =>
  `${r.cpuS.toFixed(1)} CPU-s (main thread ${r.mainS.toFixed(1)}${r.sysS !== undefined ? `, system ${r.sysS.toFixed(1)}, ${r.minorFaults} minor faults` : ''}), ${r.wallS.toFixed(1)} s wall, ${r.findings} findings (digest ${r.digest}); ${r.at}, load ${r.loadBefore} -> ${r.loadAfter}`;

async function main(): Promise<void> {
  if (!hasShared) {
    console.log('bench:store-hunt needs ../shared (SigmaHQ rules and regression events); skipped');
    return;
  }
  const total = Number(process.env['BENCH_STORE_EVENTS'] ?? 10_000_000);
  const runs = Number(process.env['BENCH_STORE_RUNS'] ?? 3);
  const base = await baseEvents();
  console.log(`${base.length} distinct events, ${total.toLocaleString('en')} stored; ${runs} runs each, every hunt in a fresh process, in-process and stored taking turns; started ${clock()}, load ${load()}`);
  const targets: { label: string; spec: string; pids: number[]; events: number }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-bench-store-'));
  targets.push({ label: 'chDB', spec: dir, pids: [], events: 0 });
  for (const [label, url, chDir] of [
    ['one node', process.env['BENCH_CLICKHOUSE'], process.env['BENCH_CLICKHOUSE_DIR']],
    ['two shards', process.env['BENCH_CLICKHOUSE_CLUSTER'], process.env['BENCH_CLICKHOUSE_CLUSTER_DIR']],
  ] as const) {
    if (!url) continue;
    const pids = chDir ? ['node1', 'node2'].flatMap((n) => { try { return [Number(readFileSync(join(chDir, n, 'pid'), 'utf8'))]; } catch { return []; } }) : [];
    targets.push({ label, spec: url, pids, events: 0 });
  }
  try {
    // Each store filled once, here, and its merges waited for; then closed, so the children open it afresh.
    for (const t of targets) {
      const client = await openStore(t.spec);
      try {
        await ensureSchema(client);
        if (t.pids.length === 0 && t.spec !== dir) console.log(`${t.label}: no server pid (BENCH_CLICKHOUSE*_DIR), server CPU not counted`);
        const s0 = serverCpu(t.pids);
        const c0 = process.cpuUsage();
        const fill = await fillStore(client, base, total);
        const cu = process.cpuUsage(c0);
        const ingestCpu = (cu.user + cu.system) / 1e6 + serverCpu(t.pids) - s0;
        t.events = fill.events;
        console.log(
          `${t.label}: stored ${fill.events.toLocaleString('en')} events in ${fill.wallS.toFixed(0)} s wall, ${ingestCpu.toFixed(1)} CPU-s (${(fill.events / fill.wallS).toFixed(0)} events/s; INSERT … SELECT of copies, not exhunt ingest)`,
        );
        const settled = await mergesSettled(client);
        console.log(`${t.label}: the store's merges after the fill: ${settled.wallS.toFixed(1)} s wall, ${settled.cpuS.toFixed(1)} CPU-s (not counted in the hunt)`);
      } finally {
        await client.close();
      }
    }
    // Hot fields from their own columns where the store keeps them; BENCH_STORE_ARRAYS=1 also reads every field
    // from keys/vals (the plan without them), for the comparison.
    const modes = process.env['BENCH_STORE_ARRAYS'] === '1' ? ['1', '0'] : ['1'];
    const local: ChildResult[] = [];
    const stored = new Map<string, ChildResult[]>();
    for (let i = 0; i < runs; i++) {
      const l = runChild(['in-process', String(total)]);
      local.push(l);
      console.log(`run ${i + 1} in-process: ${fmtRun(l)}`);
      for (const t of targets)
        for (const hot of modes) {
          const r = runChild(['stored', t.spec, hot, t.pids.join(',')]);
          const key = `${t.label}${hot === '0' ? ' (every field from keys/vals)' : ''}`;
          stored.set(key, [...(stored.get(key) ?? []), r]);
          console.log(`run ${i + 1} ${key}: ${fmtRun(r)}`);
        }
    }
    const lcpu = median(local.map((r) => r.cpuS));
    const lmain = median(local.map((r) => r.mainS));
    const events = local[0]!.events;
    console.log(
      `in-process (${local[0]!.rules} rules): ${events} events, median ${lcpu.toFixed(1)} CPU-s (runs ${local.map((r) => r.cpuS.toFixed(1)).join(' / ')}; main thread ${lmain.toFixed(1)}), ` +
        `${(events / lcpu).toFixed(0)} events per CPU-s, ${local[0]!.findings} findings`,
    );
    const localSame = local.every((r) => r.findings === local[0]!.findings && r.digest === local[0]!.digest);
    let ok = localSame;
    for (const [label, res] of stored) {
      const r0 = res[0]!;
      const cpu = median(res.map((r) => r.cpuS));
      const same = res.every((r) => r.findings === local[0]!.findings && r.digest === local[0]!.digest);
      ok &&= same;
      console.log(
        `${label} (${r0.hotFields} fields from their own columns; ${r0.valueSets!.logsources} logsources over ${r0.valueSets!.sets.toLocaleString('en')} value sets of ${r0.valueSets!.events.toLocaleString('en')} events): ` +
          `hunt median ${median(res.map((r) => r.wallS)).toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s (runs ${res.map((r) => r.cpuS.toFixed(1)).join(' / ')}; main thread ${median(res.map((r) => r.mainS)).toFixed(1)}), ` +
          `${r0.queries} queries, ${r0.findings} findings, ${same ? 'the same as in-process (count and digest)' : `FINDINGS DIFFER from in-process (${local[0]!.findings}, digest ${local[0]!.digest})`}; ` +
          `${(events / cpu).toFixed(0)} events per CPU-s = ${(lcpu / cpu).toFixed(2)}x the in-process engine per CPU-second (medians; ${(lmain / cpu).toFixed(2)}x against its main thread alone)`,
      );
    }
    if (!ok) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`finished ${clock()}, load ${load()}`);
}

// Run when executed (bench/store.ts imports the functions above).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') console.log(RESULT + JSON.stringify(await child(process.argv.slice(3))));
  else await main();
}
