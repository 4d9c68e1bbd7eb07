// EVTX reader benchmark: records/s, MB/s and peak RSS, single core and all cores, on the regression files made
// dense and replicated to >= 200 MB; evtxexport (libevtx, C) and python-evtx measured in the same run.
// Run compiled: `npm run bench:evtx`. EXHUNT_BENCH_MB (default 200), EXHUNT_BENCH_RUNS (default 3),
// EXHUNT_BENCH_PEER_FILES (files the peers parse, default 1; "all" for the whole corpus).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evidence } from '../src/evidence/evidence.js';
import { hasShared, sharedDir } from '../src/paths.js';
import { readEvtxParallel } from '../src/readers/evtx/index.js';
import { denseChunks, packFile } from './evtx-corpus.js';
import { threadCpu } from './thread-cpu.js';

interface Phase {
  records: number;
  bytes: number;
  seconds: number;
  maxRssMb: number;
  /** CPU seconds of the whole process (all threads); absent for peers. The machine is shared: rec/CPU-s is steadier. */
  cpuSeconds?: number;
  /**
   * CPU seconds of the busiest thread (Linux /proc; absent elsewhere): what the phase would take with a core per
   * thread. On the shared machine the process gets well under its 2 cores, so wall time hides what threads buy.
   */
  busiestCpuSeconds?: number;
}


const self = fileURLToPath(import.meta.url);
const corpusDir = join(tmpdir(), 'exhunt-evtx-bench');

function corpusFiles(): string[] {
  return existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => f.endsWith('.evtx')).sort().map((f) => join(corpusDir, f)) : [];
}

function buildCorpus(targetMb: number, pyChunks: number): { files: string[]; records: number; small: string; smallRecords: number } {
  const { header, chunks, records } = denseChunks(sharedDir);
  const perFile = records.reduce((a, b) => a + b, 0);
  const file = packFile(header, chunks, perFile + 1);
  // python-evtx runs at tens of records/s here: it gets a small file made of the first chunks.
  mkdirSync(join(corpusDir, 'small'), { recursive: true });
  const small = join(corpusDir, 'small', `dense-${pyChunks}.evtx`);
  const smallRecords = records.slice(0, pyChunks).reduce((a, b) => a + b, 0);
  writeFileSync(small, packFile(header, chunks.slice(0, pyChunks), smallRecords + 1));
  const copies = Math.ceil((targetMb * 1024 * 1024) / file.length);
  mkdirSync(corpusDir, { recursive: true });
  for (const f of corpusFiles()) if (statSync(f).size !== file.length) throw new Error(`stale corpus file ${f}; delete ${corpusDir}`);
  for (let i = 0; i < copies; i++) {
    const p = join(corpusDir, `dense-${String(i).padStart(3, '0')}.evtx`);
    if (!existsSync(p)) writeFileSync(p, file);
  }
  return { files: corpusFiles().slice(0, copies), records: perFile * copies, small, smallRecords };
}

/** Every value of an event's data visited, every string read (first and last character). */
function visit(x: unknown): number {
  if (typeof x === 'string') return x.length === 0 ? 0 : x.charCodeAt(0) + x.charCodeAt(x.length - 1);
  if (x === null || typeof x !== 'object') return 1;
  let n = 0;
  if (Array.isArray(x)) for (const y of x) n += visit(y);
  else for (const k in x) n += visit((x as Record<string, unknown>)[k]);
  return n;
}

/** Child-process phase: parse the corpus with `workers` threads and print the Phase as JSON. */
async function runPhase(workers: number, files: string[], readData = false): Promise<void> {
  const evidence: Evidence[] = files.map((f) => ({ absPath: f, path: f, root: corpusDir, kind: 'evtx', size: statSync(f).size, mtime: '' }));
  const before = threadCpu();
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let records = 0;
  let fields = 0;
  // Worker threads end with the iteration: their CPU is read every 4,096 events (the last reading counts).
  let threads = new Map<string, number>();
  for await (const ev of readEvtxParallel(evidence, () => undefined, { workers })) {
    if ((++records & 4095) === 0) threads = threadCpu();
    if (ev.eventId !== null) fields++;
    // A Sigma scan reads the data of (nearly) every event: with readData every value is visited and every string's
    // characters read (what a rope of concatenated pieces costs shows only when it is read).
    if (readData) {
      if ((ev.data as { Event?: unknown }).Event === undefined) throw new Error('event without Event');
      fields += visit(ev.data) & 1;
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  if (fields === 0) throw new Error('no events');
  const main = threadCpu().get(String(process.pid));
  if (main !== undefined) threads.set(String(process.pid), main);
  // Only what each thread spent during the phase (this thread also loaded the modules before it).
  const busiest = threads.size > 0 ? Math.max(...[...threads].map(([t, c]) => c - (before.get(t) ?? 0))) : undefined;
  const out: Phase = { records, bytes: evidence.reduce((a, e) => a + e.size, 0), seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(busiest ? { busiestCpuSeconds: busiest } : {}) };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function measureChild(args: string[]): Phase {
  const r = spawnSync(process.execPath, [self, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`phase ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Phase;
}

/** A peer tool over `files`, timed by wall clock, peak RSS from /usr/bin/time when present. */
function measurePeer(cmd: string, argsOf: (f: string) => string[], files: string[], records: number): Phase | string {
  const hasTime = existsSync('/usr/bin/time');
  let seconds = 0;
  let rss = 0;
  for (const f of files) {
    const t0 = process.hrtime.bigint();
    const r = hasTime
      ? spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...argsOf(f)], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 })
      : spawnSync(cmd, argsOf(f), { stdio: ['ignore', 'ignore', 'pipe'] });
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.error) return `not available (${r.error.message})`;
    if (r.status !== 0) return `failed: ${String(r.stderr).slice(0, 200)}`;
    if (hasTime) rss = Math.max(rss, Number(String(r.stderr).trim().split('\n').pop()) / 1024);
  }
  return { records, bytes: files.reduce((a, f) => a + statSync(f).size, 0), seconds, maxRssMb: rss };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function line(name: string, p: Phase | string, runs = 1): string {
  if (typeof p === 'string') return `${name.padEnd(34)} ${p}`;
  return `${name.padEnd(34)} ${(p.records / p.seconds).toFixed(0).padStart(9)} rec/s ${(p.bytes / p.seconds / 1e6).toFixed(1).padStart(8)} MB/s ${p.maxRssMb.toFixed(0).padStart(6)} MB RSS${p.cpuSeconds !== undefined ? ` ${(p.records / p.cpuSeconds).toFixed(0).padStart(7)} rec/CPU-s` : ''}${p.busiestCpuSeconds !== undefined ? ` ${(p.records / p.busiestCpuSeconds).toFixed(0).padStart(7)} rec/busiest-thread-CPU-s` : ''}  (${p.records} records, ${(p.bytes / 1e6).toFixed(0)} MB, ${p.seconds.toFixed(2)} s${runs > 1 ? `, median of ${runs}` : ''})`;
}

function medianPhase(runs: Phase[]): Phase {
  const secs = median(runs.map((r) => r.seconds));
  const cpu = runs[0]!.cpuSeconds === undefined ? {} : { cpuSeconds: median(runs.map((r) => r.cpuSeconds!)) };
  if (runs.every((r) => r.busiestCpuSeconds !== undefined)) Object.assign(cpu, { busiestCpuSeconds: median(runs.map((r) => r.busiestCpuSeconds!)) });
  return { ...runs[0]!, seconds: secs, maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)), ...cpu };
}

async function main(): Promise<void> {
  const [mode, workers] = [process.argv[2], process.argv[3]];
  if (mode === '--phase') {
    await runPhase(Number(workers), corpusFiles().slice(0, Number(process.argv[4] ?? 1e9)), process.argv[5] === 'data');
    return;
  }
  if (mode === '--phase-file') {
    await runPhase(Number(workers), [process.argv[4]!]);
    return;
  }
  if (!hasShared) {
    console.log('bench:evtx needs ../shared (the regression EVTX files)');
    return;
  }
  const targetMb = Number(process.env['EXHUNT_BENCH_MB'] ?? 200);
  const runs = Number(process.env['EXHUNT_BENCH_RUNS'] ?? 3);
  const { files, records, small, smallRecords } = buildCorpus(targetMb, Number(process.env['EXHUNT_BENCH_PY_CHUNKS'] ?? 10));
  const perFile = records / files.length;
  const cores = availableParallelism();
  console.log(`corpus: ${files.length} files × ${(statSync(files[0]!).size / 1e6).toFixed(1)} MB = ${(files.length * statSync(files[0]!).size / 1e6).toFixed(0)} MB, ${records} records (${corpusDir})`);
  const single = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase', '1', String(files.length)])));
  const singleData = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase', '1', String(files.length), 'data'])));
  const all = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase', String(cores), String(files.length)])));
  const allData = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase', String(cores), String(files.length), 'data'])));
  const peerSpec = process.env['EXHUNT_BENCH_PEER_FILES'] ?? '1';
  const peerFiles = peerSpec === 'all' ? files : files.slice(0, Number(peerSpec));
  const oursOnPeerSet = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase', '1', String(peerFiles.length)])));
  const evtxexport = measurePeer('evtxexport', (f) => ['-f', 'xml', f], peerFiles, perFile * peerFiles.length);
  const py = 'import sys\nimport Evtx.Evtx as E\nn=0\nwith E.Evtx(sys.argv[1]) as log:\n    for r in log.records():\n        r.xml(); n+=1\n';
  const pyevtx = measurePeer('/usr/bin/python3', (f) => ['-c', py, f], [small], smallRecords);
  const oursOnSmall = medianPhase(Array.from({ length: runs }, () => measureChild(['--phase-file', '1', small])));
  console.log(line('exhunt, 1 core (all files)', single, runs));
  console.log(line('exhunt, 1 core, data read (all)', singleData, runs));
  console.log(line(`exhunt, ${cores} cores (all files)`, all, runs));
  console.log(line(`exhunt, ${cores} cores, data read (all)`, allData, runs));
  console.log(line(`exhunt, 1 core (${peerFiles.length} file(s))`, oursOnPeerSet, runs));
  console.log(line(`evtxexport -f xml (${peerFiles.length} file(s))`, evtxexport));
  console.log(line('exhunt, 1 core (small file)', oursOnSmall, runs));
  console.log(line('python-evtx r.xml() (small file)', pyevtx));
  const rate = (p: Phase): number => p.records / p.seconds;
  if (typeof evtxexport !== 'string') console.log(`single core vs evtxexport: ${(rate(oursOnPeerSet) / rate(evtxexport)).toFixed(2)}× (target >= 1.0×)`);
  if (typeof pyevtx !== 'string') console.log(`single core vs python-evtx: ${(rate(oursOnSmall) / rate(pyevtx)).toFixed(1)}×`);
  console.log(`all cores: ${rate(all).toFixed(0)} records/s (target >= 250,000); scaling ${(rate(all) / rate(single)).toFixed(2)}× on ${cores} cores`);
  console.log(`all cores with every event's data read: ${rate(allData).toFixed(0)} records/s; scaling ${(rate(allData) / rate(singleData)).toFixed(2)}× (1 core, data read: ${rate(singleData).toFixed(0)})`);
  const crit = (p: Phase): number | undefined => (p.busiestCpuSeconds !== undefined ? p.records / p.busiestCpuSeconds : undefined);
  const [c1, cn, c1d, cd] = [crit(single), crit(all), crit(singleData), crit(allData)];
  if (c1 !== undefined && cn !== undefined && c1d !== undefined && cd !== undefined) {
    console.log(`with a core per thread (records per CPU-second of the busiest thread): 1 core ${c1.toFixed(0)}, ${cores} cores ${cn.toFixed(0)} (${(cn / c1).toFixed(2)}×); data read: 1 core ${c1d.toFixed(0)}, ${cores} cores ${cd.toFixed(0)} (${(cd / c1d).toFixed(2)}×)`);
  }
}

await main();
