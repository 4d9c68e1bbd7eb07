// bench:store — the ClickHouse store's write rate: ≥ 10 million events (the example collection's EVTX, IIS and
// Exchange events, via eventToRow, repeated over 20 hosts with shifted times) into chDB, one 18.16 node and two
// shards; events/s, MB/s of rows, CPU-s (ours and the server's), store size. Beside it, ClickHouse's own floor in
// the same run (the same bytes, pre-made, inserted with no JS in the way), and `exhunt ingest` of the real
// collection end to end. prepareStores() leaves the stores filled for the retro-hunt bench (bench/store-hunt.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/paths.js';
import { discover, ArchiveSession, CollectionRecords } from '../src/evidence/index.js';
import { fileRows } from '../src/ingest/file-rows.js';
import { ingest } from '../src/ingest/index.js';
import { ensureSchema, openStore, type StoreClient } from '../src/stores/index.js';

const EVENTS = Number(process.env['EXHUNT_BENCH_EVENTS'] ?? 10_000_000);
// Ports of the bench's own servers (node: BASE+123; cluster: BASE+623 and BASE+10623); CI's are 18000/18500.
const BASE_PORT = Number(process.env['EXHUNT_BENCH_CH_PORT'] ?? 31000);
const CHUNK = 100_000;
const HOSTS = 20;
const script = join(projectRoot, 'scripts', 'clickhouse-local.sh');
const example = join(projectRoot, 'examples', 'exchange-2021');

export type Engine = 'chdb' | 'node' | 'cluster';

export interface WriteFigure {
  engine: Engine;
  events: number;
  rowBytes: number;
  wallS: number;
  /** CPU seconds of this process (chDB runs in it) and of the server processes. */
  cpuS: number;
  serverCpuS: number;
  storeBytes: number;
  /** The same bytes inserted again into a scratch table: ClickHouse's own parse-and-write floor. */
  floorWallS: number;
}

export interface PreparedStores {
  events: number;
  /** --store specs of the filled stores (null: that engine was not prepared). */
  chdb: string | null;
  node: string | null;
  cluster: string | null;
  figures: WriteFigure[];
  /** Stops the servers and removes every store. */
  dispose(): Promise<void>;
}

/** The example's events as JSONEachRow templates: host, ingest id and time are filled per copy. */
async function templates(): Promise<{ parts: string[][]; times: number[] }> {
  const archives = new ArchiveSession({});
  const records = new CollectionRecords();
  const evidence = [];
  for await (const ev of discover([example], () => {}, { archives, records })) evidence.push(ev);
  const parts: string[][] = [];
  const times: number[] = [];
  for (const ev of evidence) {
    if (ev.kind === 'file') continue;
    const task = { evidence: ev, row: { host: '@@HOST@@', collection: 'bench', sha256: 'x'.repeat(64), ingestId: '@@INGEST@@' }, proxies: { given: [], detected: [] } };
    for await (const chunk of fileRows(task, () => {})) {
      for (const line of chunk.lines.split('\n')) {
        const t = /"t":(\d+)/.exec(line)![1]!;
        times.push(Number(t));
        parts.push(line.replace(`"t":${t},`, '"t":@@T@@,').split(/@@HOST@@|@@INGEST@@|@@T@@/));
      }
    }
  }
  archives.dispose();
  return { parts, times };
}

/** Chunks of `total` rows: copy k of the example on host BENCH(k mod 20), its times shifted by k hours. */
function* rowChunks(tpl: { parts: string[][]; times: number[] }, total: number): Generator<{ body: string; rows: number; ingest: string[] }> {
  let made = 0;
  let copy = 0;
  let lines: string[] = [];
  let ingests: string[] = [];
  while (made < total) {
    const host = `BENCH${String(copy % HOSTS).padStart(2, '0')}`;
    const ing = `bench-${copy}`;
    ingests.push(`${host}\t${ing}`);
    for (let i = 0; i < tpl.parts.length && made < total; i++, made++) {
      const p = tpl.parts[i]!;
      const t = tpl.times[i]! > 0 ? tpl.times[i]! + copy * 3600 : 0;
      lines.push(p[0] + host + p[1] + ing + p[2] + t + p[3]);
      if (lines.length >= CHUNK) {
        yield { body: lines.join('\n'), rows: lines.length, ingest: ingests };
        lines = [];
        ingests = [`${host}\t${ing}`];
      }
    }
    copy++;
  }
  if (lines.length) yield { body: lines.join('\n'), rows: lines.length, ingest: ingests };
}

function procCpu(pid: number): number {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function storeBytes(store: StoreClient, shards: string[]): Promise<number> {
  const sql = "SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE active AND database = currentDatabase() AND table NOT LIKE 'floor%'";
  if (shards.length === 0) return Number((await store.rows<{ n: number }>(sql))[0]?.n ?? 0);
  let n = 0;
  for (const s of shards) {
    const c = await openStore(s);
    n += Number((await c.rows<{ n: number }>(sql))[0]?.n ?? 0);
    await c.close();
  }
  return n;
}

async function fill(engine: Engine, spec: string, tpl: Awaited<ReturnType<typeof templates>>, serverPids: number[], shards: string[]): Promise<WriteFigure> {
  const store = await openStore(spec);
  await ensureSchema(store);
  // The floor table: the events' columns and order (on a cluster, one shard's local table: no distribution).
  await store.exec(`CREATE TABLE IF NOT EXISTS floor_events AS ${engine === 'cluster' ? 'events_local' : 'events'}`);
  const cpu0 = selfCpu();
  const srv0 = serverPids.reduce((n, p) => n + procCpu(p), 0);
  const t0 = performance.now();
  let rows = 0;
  let bytes = 0;
  let floor = 0;
  const sample: string[] = [];
  for (const c of rowChunks(tpl, EVENTS)) {
    await store.insertJsonLines('events', c.body);
    await store.insert('evidence', c.ingest.map((hi) => {
      const [host, ingest_id] = hi.split('\t');
      return { host, collection: 'bench', path: 'bench', kind: 'bench', ingest_id, complete: 1 };
    }));
    rows += c.rows;
    bytes += c.body.length;
    if (sample.length < 10) sample.push(c.body);
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = selfCpu() - cpu0;
  const serverCpuS = serverPids.reduce((n, p) => n + procCpu(p), 0) - srv0;
  // The floor: the first 1M rows' bytes, made beforehand, inserted again with nothing of ours in the way.
  const f0 = performance.now();
  let floorRows = 0;
  for (const body of sample) {
    await store.insertJsonLines('floor_events', body);
    floorRows += CHUNK;
  }
  floor = ((performance.now() - f0) / 1000) * (rows / Math.max(1, floorRows));
  await store.exec('DROP TABLE floor_events');
  const size = await storeBytes(store, shards);
  await store.close();
  return { engine, events: rows, rowBytes: bytes, wallS, cpuS, serverCpuS, storeBytes: size, floorWallS: floor };
}

function startServer(dir: string, base: number, shards: boolean): { url: string; pids: number[]; shardUrls: string[] } {
  const r = spawnSync('bash', [script, 'start', dir, String(base), ...(shards ? ['--shards', '2'] : [])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`clickhouse-local.sh: ${r.stderr}`);
  const url = r.stdout.trim().replace('database=exhunt_test', 'database=exhunt_bench');
  const pids = ['node1', 'node2'].map((n) => join(dir, n, 'pid')).filter(existsSync).map((p) => Number(readFileSync(p, 'utf8')));
  const shardUrls = shards ? [`http://127.0.0.1:${base + 123}/?database=exhunt_bench`, `http://127.0.0.1:${base + 10123}/?database=exhunt_bench`] : [];
  return { url, pids, shardUrls };
}

/** Fills a store of each engine with EVENTS rows; the servers (Debian's 18.16) run until dispose(). */
export async function prepareStores(engines: readonly Engine[] = ['chdb', 'node', 'cluster'], onFigure?: (f: WriteFigure) => void): Promise<PreparedStores> {
  const work = mkdtempSync(join(tmpdir(), 'exhunt-bench-store-'));
  const tpl = await templates();
  const stops: string[] = [];
  const out: PreparedStores = {
    events: EVENTS,
    chdb: null,
    node: null,
    cluster: null,
    figures: [],
    dispose: async () => {
      for (const d of stops) spawnSync('bash', [script, 'stop', d]);
      rmSync(work, { recursive: true, force: true });
    },
  };
  try {
    for (const engine of engines) {
      if (engine === 'chdb') {
        out.chdb = join(work, 'chdb');
        out.figures.push(await fill('chdb', out.chdb, tpl, [], []));
        onFigure?.(out.figures.at(-1)!);
      } else {
        const dir = join(work, engine);
        const s = startServer(dir, engine === 'node' ? BASE_PORT : BASE_PORT + 500, engine === 'cluster');
        stops.push(dir);
        out[engine] = s.url;
        out.figures.push(await fill(engine, s.url, tpl, s.pids, s.shardUrls));
        onFigure?.(out.figures.at(-1)!);
      }
    }
  } catch (e) {
    await out.dispose();
    throw e;
  }
  return out;
}

function dirBytes(dir: string): number {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0] ?? 0);
}

async function main(): Promise<void> {
  console.log(`bench:store — ${EVENTS.toLocaleString('en')} events; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on a shared 2-core machine`);
  // 1. exhunt ingest end to end on the real collection (scan + readers + eventToRow + chDB), in this process.
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-bench-ingest-'));
  const evidenceBytes = dirBytes(example);
  const store = await openStore(join(dir, 'store'));
  const c0 = selfCpu();
  const t0 = performance.now();
  const r = await ingest({ store, collection: { name: 'exchange-2021', inputs: [example] }, scan: { ruleCache: true } });
  const wall = (performance.now() - t0) / 1000;
  const cpu = selfCpu() - c0;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`exhunt ingest (example, ${(evidenceBytes / 1048576).toFixed(1)} MB, ${r.events} events, scan included, chDB): ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} CPU-s; ${Math.round(r.events / wall).toLocaleString('en')} events/s, ${(evidenceBytes / 1048576 / wall).toFixed(2)} MB/s of evidence`);

  // 2. The store's write rate at 10 M events, per engine, with ClickHouse's own floor beside it.
  console.log('engine   events       wall s  events/s   MB/s rows  CPU-s ours  CPU-s server  store MB  floor s (ClickHouse alone)  ours/floor');
  const stores = await prepareStores(['chdb', 'node', 'cluster'], (f) =>
    console.log(
      `${f.engine.padEnd(8)} ${f.events.toLocaleString('en').padStart(11)} ${f.wallS.toFixed(1).padStart(8)} ${Math.round(f.events / f.wallS).toLocaleString('en').padStart(9)} ` +
        `${(f.rowBytes / 1048576 / f.wallS).toFixed(1).padStart(9)} ${f.cpuS.toFixed(1).padStart(11)} ${f.serverCpuS.toFixed(1).padStart(13)} ${(f.storeBytes / 1048576).toFixed(0).padStart(9)} ` +
        `${f.floorWallS.toFixed(1).padStart(26)} ${(f.wallS / f.floorWallS).toFixed(2).padStart(11)}`,
    ),
  );
  await stores.dispose();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();

