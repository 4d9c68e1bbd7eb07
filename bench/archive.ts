// bench:archive — scanning a collection received as a zip against scanning the same collection unpacked: the
// example collection plus a generated IIS log (EXHUNT_BENCH_MB, default 200 MB), deflated with zip.js. Our figure:
// `exhunt scan x.zip`; the peer, measured in the same run: `unzip` into a folder then `exhunt scan` of it (what a
// responder did before). Fresh processes, alternated, medians; target: zip ≤ 1.3× the unpacked scan.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openAsBlob, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobReader, configure, Uint8ArrayWriter, ZipWriter } from '@zip.js/zip.js';
import { projectRoot } from '../src/paths.js';
import { main } from '../src/cli/main.js';
import { generate } from './logs.js';
import { filesOf } from '../test/e2e/archive-packs.js';

const MB = 1024 * 1024;
const SIZE_MB = Number(process.env['EXHUNT_BENCH_MB'] ?? 200);
const RUNS = Number(process.env['EXHUNT_BENCH_RUNS'] ?? 3);
const DATA = join(projectRoot, '.bench-data', 'archive');
const FOLDER = join(DATA, `collection-${SIZE_MB}mb`);
const ZIP = join(DATA, `collection-${SIZE_MB}mb.zip`);

async function prepare(): Promise<void> {
  const log = join(FOLDER, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex-bench.log');
  if (!existsSync(log) || statSync(log).size < SIZE_MB * MB) {
    rmSync(FOLDER, { recursive: true, force: true });
    cpSync(join(projectRoot, 'examples', 'exchange-2021'), FOLDER, { recursive: true });
    await generate(log, SIZE_MB * MB);
    rmSync(ZIP, { force: true });
  }
  if (!existsSync(ZIP)) {
    configure({ useWebWorkers: false });
    const w = new ZipWriter(new Uint8ArrayWriter(), { level: 6 });
    for (const f of filesOf(FOLDER)) await w.add(f.rel, new BlobReader(await openAsBlob(f.abs)));
    writeFileSync(ZIP, await w.close());
  }
}

async function child(input: string): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'exhunt-bench-archive-out-'));
  const t0 = performance.now();
  const code = await main(['scan', input, '--out', out, '--quiet']);
  const seconds = (performance.now() - t0) / 1000;
  rmSync(out, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ code, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

function scan(input: string): { seconds: number; maxRssMB: number } {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', input], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!last.startsWith('{')) throw new Error(`scan of ${input} failed: ${r.stderr}`);
  return JSON.parse(last) as { seconds: number; maxRssMB: number };
}

function unzipThenScan(): { seconds: number; maxRssMB: number } {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-bench-unzip-'));
  const t0 = performance.now();
  const u = spawnSync('unzip', ['-q', ZIP, '-d', dir]);
  if (u.status !== 0) throw new Error(`unzip failed: ${u.stderr}`);
  const unzip = (performance.now() - t0) / 1000;
  const s = scan(dir);
  rmSync(dir, { recursive: true, force: true });
  return { seconds: unzip + s.seconds, maxRssMB: s.maxRssMB };
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function run(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  await prepare();
  const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
  const folder: number[] = [];
  const zip: number[] = [];
  const peer: number[] = [];
  const rss = { folder: [] as number[], zip: [] as number[] };
  scan(ZIP); // warm the rule cache and the page cache
  for (let i = 0; i < RUNS; i++) {
    const f = scan(FOLDER);
    const z = scan(ZIP);
    folder.push(f.seconds);
    zip.push(z.seconds);
    rss.folder.push(f.maxRssMB);
    rss.zip.push(z.maxRssMB);
    if (hasUnzip) peer.push(unzipThenScan().seconds);
  }
  const ratio = median(zip) / median(folder);
  console.log(`bench:archive — ${(statSync(FOLDER + '/C/inetpub/logs/LogFiles/W3SVC1/u_ex-bench.log').size / MB).toFixed(0)} MB IIS log + the example collection, zip ${(statSync(ZIP).size / MB).toFixed(1)} MB; ${RUNS} runs, medians; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`| scan | wall | peak RSS |\n| --- | --- | --- |`);
  console.log(`| folder (unpacked) | ${median(folder).toFixed(2)} s | ${median(rss.folder).toFixed(0)} MB |`);
  console.log(`| zip, read in place | ${median(zip).toFixed(2)} s | ${median(rss.zip).toFixed(0)} MB |`);
  if (hasUnzip) console.log(`| peer: unzip, then scan the folder | ${median(peer).toFixed(2)} s | — |`);
  console.log(`zip ÷ folder: ${ratio.toFixed(2)}× (target ≤ 1.3×)${hasUnzip ? `; zip ÷ (unzip + scan): ${(median(zip) / median(peer)).toFixed(2)}×` : ''}`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!);
else await run();
