// Scaling benchmark: the whole `exhunt scan` pipeline (hunt()) with 1 and 2 worker threads (and every core where
// there are more) on >= 400 MB of EVTX with all SigmaHQ rules and >= 1 GB of IIS logs with our pack + SigmaHQ web.
// Run compiled: `npm run bench:scale`. EXHUNT_BENCH_SCALE (default 1) scales both corpora; EXHUNT_BENCH_RUNS (1);
// EXHUNT_BENCH_ONLY=evtx or =iis runs one of the two (a long run at 4x on a busy machine); each run is
// `exhunt scan --out` with every output written, or hunt() alone with EXHUNT_BENCH_OUT=0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hunt } from '../src/hunt.js';
import { main as cli } from '../src/cli/main.js';
import type { ScanSummary } from '../src/summary.js';
import { hasShared, rulesDir, sharedDir } from '../src/paths.js';
import { loadSigmaCached } from '../src/engines/sigma/index.js';
import { denseChunks, packFile } from './evtx-corpus.js';
import { generate } from './logs.js';
import { threadCpu } from './thread-cpu.js';
import { allocCeiling, machineCeiling } from './ceiling.js';
import { median } from './median.js';

const MB = 1024 * 1024;
const SCALE = Number(process.env['EXHUNT_BENCH_SCALE'] ?? 1);
const RUNS = Number(process.env['EXHUNT_BENCH_RUNS'] ?? 1);
const ONLY = process.env['EXHUNT_BENCH_ONLY'] ?? null;
/** Each run is exhunt scan --out (default), or hunt() with no outputs (EXHUNT_BENCH_OUT=0). */
const OUTPUTS = process.env['EXHUNT_BENCH_OUT'] !== '0';
const ROOT = join(tmpdir(), 'exhunt-scale');
const self = fileURLToPath(import.meta.url);

interface Run {
  workers: number;
  seconds: number;
  cpuSeconds: number;
  busiestCpuSeconds: number;
  maxRssMb: number;
  events: number;
  bytes: number;
  findings: number;
  rules: number;
  startup: { ms: number; cpuMs: number; heapMb: number; peakHeapMb: number; jobs: number }[];
  /** What exhunt scan --out wrote (0 for hunt() alone). */
  outputBytes: number;
}


/** What a run gives back to count: the scan's summary (exhunt scan --out writes it, hunt() returns it). */
type Counted = Pick<ScanSummary, 'events' | 'files' | 'counts' | 'rules'>;

/**
 * `exhunt scan --out` itself (findings.jsonl, timeline.csv, timeline.jsonl, summary, report, layer, STIX written to a
 * temp folder, removed after the clock stops), or with EXHUNT_BENCH_OUT=0 hunt() alone (no outputs: what the
 * findings cost without the lines written for each).
 */
async function scanOnce(workers: number, input: string, builtin: boolean, sigma: string[], onWorkers: (s: Run['startup']) => void): Promise<{ summary: Counted; done: () => number }> {
  if (!OUTPUTS) {
    const r = await hunt({ inputs: [input], sigma, builtinRules: builtin, workers, minLevel: 'informational', onWorkers });
    return { summary: r.summary, done: () => 0 };
  }
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-bench-out-'));
  const sink = new PassThrough();
  sink.resume();
  const args = ['scan', input, '--workers', String(workers), '--min-level', 'informational', '--out', dir, '-q', ...(builtin ? [] : ['--no-builtin-rules']), ...sigma.flatMap((x) => ['--sigma', x])];
  const code = await cli(args, { stdout: sink, stderr: sink });
  if (code > 1) throw new Error(`exhunt scan exited ${code}`);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Counted;
  return {
    summary,
    done: () => {
      const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      rmSync(dir, { recursive: true, force: true });
      return bytes;
    },
  };
}

async function child(workers: number, input: string, builtin: boolean, sigma: string[]): Promise<void> {
  // Worker threads end before hunt() returns: sample their CPU while they live.
  const busiest = new Map<string, number>();
  const sample = (): void => {
    for (const [t, s] of threadCpu()) busiest.set(t, Math.max(busiest.get(t) ?? 0, s));
  };
  const timer = setInterval(sample, 200);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let startup: Run['startup'] = [];
  const { summary, done } = await scanOnce(workers, input, builtin, sigma, (s) => (startup = s));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  sample();
  const cpu = process.cpuUsage(cpu0);
  const outputBytes = done();
  const out: Run = {
    workers,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    busiestCpuSeconds: Math.max(...busiest.values()),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    events: summary.events.total,
    bytes: summary.files.bytes,
    findings: summary.counts.findings,
    rules: summary.rules.sigma.loaded,
    startup,
    outputBytes,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function measure(workers: number, input: string, builtin: boolean, sigma: string[]): Run {
  const p = spawnSync(process.execPath, [self, '--child', String(workers), input, builtin ? '1' : '0', ...sigma], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (p.status !== 0) throw new Error(`child failed: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').at(-1)!) as Run;
}


function evtxCorpus(targetMb: number): string {
  const dir = join(ROOT, `evtx-${targetMb}mb`);
  const { header, chunks, records } = denseChunks(sharedDir);
  const file = packFile(header, chunks, records.reduce((a, b) => a + b, 0) + 1);
  const copies = Math.ceil((targetMb * MB) / file.length);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < copies; i++) {
    const p = join(dir, `dense-${String(i).padStart(3, '0')}.evtx`);
    if (!existsSync(p) || statSync(p).size !== file.length) writeFileSync(p, file);
  }
  return dir;
}

async function iisCorpus(targetMb: number): Promise<string> {
  const dir = join(ROOT, `iis-${targetMb}mb`);
  const file = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex261101.log');
  if (!existsSync(file) || statSync(file).size < targetMb * MB * 0.99) {
    process.stdout.write(`generating ${targetMb} MB of IIS log at ${file} ...\n`);
    await generate(file, targetMb * MB);
  }
  return join(dir, 'C');
}

function peer(cmd: string, args: string[]): number | null {
  if (spawnSync('which', [cmd]).status !== 0) return null;
  const t0 = performance.now();
  // output to a pipe, not /dev/null: GNU grep stops at the first match when its output is /dev/null
  const p = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  return p.status === 0 ? (performance.now() - t0) / 1000 : null;
}

/**
 * Each worker count's runs, taken in turn (1, 2, …, 1, 2, …: a shared machine's slow minutes fall on every count
 * alike), with the machine's ceiling for that many threads measured just before each run (the median kept).
 */
async function runAll(counts: number[], input: string, builtin: boolean, sigma: string[]): Promise<{ runs: Run[][]; ceilings: number[]; allocs: number[] }> {
  // The rule cache is made before the first run, so no run (the first one-worker run above all) pays for compiling.
  const warm = await loadSigmaCached([...(builtin ? [join(rulesDir, 'sigma')] : []), ...sigma], { builtinRoot: rulesDir, cache: true });
  process.stdout.write(`rule cache: ${warm.cache === 'hit' ? 'warm' : 'made before the runs'} (${warm.loaded} rules)\n`);
  const runs: Run[][] = counts.map(() => []);
  const seen: number[][] = counts.map(() => []);
  const alloc: number[][] = counts.map(() => []);
  for (let k = 0; k < RUNS; k++) {
    for (const [i, w] of counts.entries()) {
      seen[i]!.push(w === 1 ? 1 : await machineCeiling(w));
      alloc[i]!.push(w === 1 ? 1 : await allocCeiling(w));
      runs[i]!.push(measure(w, input, builtin, sigma));
    }
  }
  return { runs, ceilings: seen.map(median), allocs: alloc.map(median) };
}

function table(name: string, runs: Run[][], peerLine: string, ceilings: number[], allocs: number[]): string {
  const rows = runs.map((rs) => {
    const r = rs[0]!;
    const wall = median(rs.map((x) => x.seconds));
    const cpu = median(rs.map((x) => x.cpuSeconds));
    const busy = median(rs.map((x) => x.busiestCpuSeconds));
    const rss = median(rs.map((x) => x.maxRssMb));
    const start = r.startup.length
      ? `${(median(r.startup.map((s) => s.ms)) / 1000).toFixed(1)} s (${(median(r.startup.map((s) => s.cpuMs)) / 1000).toFixed(1)} CPU-s); ` +
        `heap per worker, rules ready → peak: ${r.startup.map((s) => `${s.heapMb.toFixed(0)} → ${s.peakHeapMb.toFixed(0)} MB (${s.jobs} jobs)`).join(', ')}`
      : '-';
    return { r, wall, cpu, busy, rss, start };
  });
  const one = rows[0]!;
  const written = OUTPUTS ? `; exhunt scan --out wrote ${(one.r.outputBytes / MB).toFixed(0)} MB` : '; hunt() alone, no outputs';
  let s = `\n${name}: ${(one.r.bytes / MB).toFixed(0)} MB, ${one.r.events} events, ${one.r.rules} Sigma rules, ${one.r.findings} findings (any level)${written}\n`;
  s += `${'workers'.padEnd(8)} ${'wall s'.padStart(7)} ${'ev/s'.padStart(8)} ${'MB/s'.padStart(6)} ${'CPU s'.padStart(7)} ${'µs CPU/ev'.padStart(9)} ${'ev/busiest CPU-s'.padStart(16)} ${'per-CPU-s vs 1'.padStart(14)} ${'speed-up'.padStart(8)} ${'peak RSS'.padStart(9)} ${'machine'.padStart(8)} ${'alloc'.padStart(6)}  worker rules ready; worker heaps\n`;
  for (const [i, x] of rows.entries()) {
    const perBusy = x.r.events / x.busy;
    s +=
      `${String(x.r.workers).padEnd(8)} ${x.wall.toFixed(2).padStart(7)} ${(x.r.events / x.wall).toFixed(0).padStart(8)} ${(x.r.bytes / MB / x.wall).toFixed(1).padStart(6)} ` +
      `${x.cpu.toFixed(2).padStart(7)} ${((x.cpu / x.r.events) * 1e6).toFixed(1).padStart(9)} ${perBusy.toFixed(0).padStart(16)} ` +
      `${(x.r.events / x.cpu / (one.r.events / one.cpu)).toFixed(2).padStart(13)}x ${(one.wall / x.wall).toFixed(2).padStart(7)}x ${x.rss.toFixed(0).padStart(6)} MB ${ceilings[i]!.toFixed(2).padStart(7)}x ${allocs[i]!.toFixed(2).padStart(5)}x  ${x.start}\n`;
    if (x.r.findings !== one.r.findings) s += `  !! findings differ from --workers 1: ${x.r.findings} vs ${one.r.findings}\n`;
  }
  if (RUNS > 1) for (const [i, rs] of runs.entries()) s += `  runs with ${rows[i]!.r.workers}: ${rs.map((x) => `${x.seconds.toFixed(1)} s ${x.cpuSeconds.toFixed(1)} CPU-s ${x.maxRssMb.toFixed(0)} MB`).join('; ')}\n`;
  s += 'machine: what that many threads running a pure-JS loop did together just before, as a multiple of one thread alone (the ceiling for any speed-up);\n';
  s += 'alloc: the same for a loop that allocates as a scan does (short-lived objects and JSON text, a 16 MB young generation): the ceiling for work like ours\n';
  return s + peerLine + '\n';
}

async function main(): Promise<void> {
  if (!hasShared) {
    process.stdout.write('bench:scale needs ../shared (SigmaHQ rules and EVTX samples)\n');
    return;
  }
  const counts = [...new Set([1, 2, availableParallelism()])];
  const rules = join(sharedDir, 'sigma', 'rules');
  const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');
  process.stdout.write(`bench:scale: scale ${SCALE}, ${RUNS} run(s) each, ${availableParallelism()} cores, load average ${load()}\n`);
  process.stdout.write(OUTPUTS ? 'each run: exhunt scan --out, every output written (EXHUNT_BENCH_OUT=0: hunt() alone)\n' : 'each run: hunt() alone, no outputs written\n');

  if (ONLY !== 'iis') await evtxPart(counts, rules, load);
  if (ONLY !== 'evtx') await iisPart(counts, rules, load);
  process.stdout.write('targets: per CPU-second, 2 workers >= 0.85x of 1; wall-clock speed-up with 2 workers >= 1.7x; peak RSS <= 512 MB\n');
}

async function evtxPart(counts: number[], rules: string, load: () => string): Promise<void> {
  const evtx = evtxCorpus(Math.round(400 * SCALE));
  const { runs: evtxRuns, ceilings, allocs } = await runAll(counts, evtx, false, [rules]);
  const firstEvtx = readdirSync(evtx).find((f) => f.endsWith('.evtx'))!;
  const ee = peer('evtxexport', ['-f', 'xml', join(evtx, firstEvtx)]);
  const perFile = evtxRuns[0]![0]!.events / readdirSync(evtx).filter((f) => f.endsWith('.evtx')).length;
  const evtxPeer = ee === null ? 'peer: evtxexport not installed' : `peer: evtxexport -f xml (libevtx, parsing only, 1 file, same run): ${(perFile / ee).toFixed(0)} records/s`;
  process.stdout.write(table(`EVTX, all SigmaHQ rules (${rules})`, evtxRuns, evtxPeer, ceilings, allocs));
  process.stdout.write(`load average ${load()}\n`);
}

async function iisPart(counts: number[], rules: string, load: () => string): Promise<void> {
  const iis = await iisCorpus(Math.round(1024 * SCALE));
  const { runs: iisRuns, ceilings, allocs } = await runAll(counts, iis, true, [join(rules, 'web')]);
  const log = join(iis, 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex261101.log');
  const g = peer('grep', ['-c', '-F', 'autodiscover.json', log]);
  const iisPeer = g === null ? '' : `peer: grep -c -F autodiscover.json, same run: ${(statSync(log).size / MB / g).toFixed(0)} MB/s`;
  process.stdout.write(table('IIS W3C, built-in pack + SigmaHQ rules/web', iisRuns, iisPeer, ceilings, allocs));
  process.stdout.write(`load average ${load()}\n`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(Number(argv[1]), argv[2]!, argv[3] === '1', argv.slice(4));
else await main();
