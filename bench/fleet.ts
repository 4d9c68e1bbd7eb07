// Fleet view benchmark: 1,000 synthetic servers written into an embedded store by direct inserts (what ingest
// stores), then the fleet model and fleet.html (target: under 10 s), and the whole `exhunt fleet` with hosts/.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attackCatalog } from '../src/attack/index.js';
import { fleetHtml } from '../src/reporters/index.js';
import { buildFleetModel, ensureSchema, openStore, writeFleet, type FleetScope } from '../src/stores/index.js';
import { insertCollections } from '../src/stores/clickhouse/testkit.js';
import { syntheticServer as server } from '../test/fleet/fleet-fixture.js';

export interface FleetBench {
  hosts: number;
  findings: number;
  insertMs: number;
  /** Median ms of the fleet model (every query) + fleet.html. */
  pageMs: number;
  pageBytes: number;
  /** `exhunt fleet` in full: hosts/<host>/ for every server, the timelines and every fleet file. */
  fullMs: number;
  load: number[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchFleet(hosts = 1000, runs = 3): Promise<FleetBench> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-bench-fleet-'));
  const store = await openStore(join(dir, 'store'));
  try {
    await ensureSchema(store);
    const cols = Array.from({ length: hosts }, (_, i) => server(i));
    const findings = cols.reduce((n, c) => n + c.findings.length, 0);
    let t = performance.now();
    await insertCollections(store, cols);
    const insertMs = performance.now() - t;
    const scope: FleetScope = { hosts: [], since: null, until: null };
    const times: number[] = [];
    let pageBytes = 0;
    for (let r = 0; r < runs; r++) {
      t = performance.now();
      const model = await buildFleetModel(store, scope, attackCatalog(), null);
      const page = fleetHtml(model);
      writeFileSync(join(dir, 'fleet.html'), page);
      times.push(performance.now() - t);
      pageBytes = statSync(join(dir, 'fleet.html')).size;
    }
    t = performance.now();
    await writeFleet(store, join(dir, 'out'), { scope });
    const fullMs = performance.now() - t;
    return { hosts, findings, insertMs, pageMs: median(times), pageBytes, fullMs, load: loadavg() };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printFleetBench(b: FleetBench): void {
  console.log(`fleet view: ${b.hosts} servers, ${b.findings} stored findings (inserted in ${(b.insertMs / 1000).toFixed(2)} s), load ${b.load.map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`  fleet model (all queries) + fleet.html: ${(b.pageMs / 1000).toFixed(2)} s median (target < 10 s: ${b.pageMs < 10_000 ? 'met' : 'NOT met'}); page ${(b.pageBytes / 1024).toFixed(0)} KB`);
  console.log(`  exhunt fleet in full (hosts/<host>/ for every server, timelines, all fleet files): ${(b.fullMs / 1000).toFixed(2)} s`);
  console.log('  peer: none — no peer tool builds a fleet view offline (Hayabusa and Chainsaw work per host; Velociraptor hunts need its server)');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printFleetBench(await benchFleet(Number(process.env['BENCH_HOSTS'] ?? 1000)));
