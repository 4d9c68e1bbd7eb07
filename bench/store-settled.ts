// bench:store-hunt's hunt over a store filled once and left to settle (its merges done): the figures that compare
// two builds, run in turns on the same store. `fill DIR [EVENTS]` makes the store (BENCH_STORE_WITHOUT=hot_mask_3:
// without that mask and its fields' columns, to measure what they cost at ingest); `hunt DIR [RUNS]` hunts it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigma } from '../src/engines/sigma/index.js';
import type { Finding } from '../src/finding.js';
import { rulesDir, sharedDir } from '../src/paths.js';
import { HOT_FIELDS, HOT_MASKS, ensureSchema, hotColumn, openStore } from '../src/stores/clickhouse/index.js';
import { huntStore } from '../src/stores/hunt/index.js';
import { baseEvents, fillStore, mergesSettled } from './store-hunt.js';
import { threadCpu } from './thread-cpu.js';

const mainThread = (): number => threadCpu().get(String(process.pid)) ?? 0;
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** A finding's identity as the differential test compares it (rule, host, evidence path and line or record), and its time. */
function identity(f: Finding): string {
  return JSON.stringify([f.rule.id, f.host ?? null, f.evidence.path, f.evidence.line ?? f.evidence.record ?? null, f.time]);
}

async function main(): Promise<void> {
  const [cmd, dir, arg] = process.argv.slice(2);
  if (!dir || (cmd !== 'fill' && cmd !== 'hunt')) throw new Error('usage: store-settled fill DIR [EVENTS] | hunt DIR [RUNS]');
  const client = await openStore(dir);
  try {
    if (cmd === 'fill') {
      await ensureSchema(client);
      const without = process.env['BENCH_STORE_WITHOUT'];
      if (without) {
        const m = HOT_MASKS.find((x) => x.name === without);
        if (!m) throw new Error(`BENCH_STORE_WITHOUT: no mask ${without}`);
        const cols = [...HOT_FIELDS.slice(m.from, m.to).map((_, j) => hotColumn(m.from + j)), m.name];
        await client.exec(`ALTER TABLE events ${cols.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
      }
      const base = await baseEvents();
      const before = load();
      const c0 = process.cpuUsage();
      const fill = await fillStore(client, base, Number(arg ?? 10_000_000));
      const c = process.cpuUsage(c0);
      const settled = await mergesSettled(client);
      console.log(
        `stored ${fill.events} events${without ? ` without ${without}` : ''} in ${fill.wallS.toFixed(0)} s, ${((c.user + c.system) / 1e6).toFixed(1)} CPU-s; ` +
          `merges after ${settled.wallS.toFixed(0)} s, ${settled.cpuS.toFixed(1)} CPU-s; load ${before} -> ${load()} at ${new Date().toISOString().slice(11, 19)}`,
      );
      return;
    }
    const loaded = await loadSigma([join(sharedDir, 'sigma', 'rules', 'windows'), join(rulesDir, 'sigma')], { builtinRoot: rulesDir });
    for (let i = 0; i < Number(arg ?? 1); i++) {
      const ids: string[] = [];
      const before = load();
      const c0 = process.cpuUsage();
      const m0 = mainThread();
      const t0 = performance.now();
      const sum = await huntStore(client, { ruleSet: loaded.ruleSet, onFinding: (f) => void ids.push(identity(f)) });
      const c = process.cpuUsage(c0);
      const digest = createHash('sha256').update(ids.sort().join('\n')).digest('hex').slice(0, 16);
      console.log(
        `hunt: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} CPU-s (main thread ${(mainThread() - m0).toFixed(1)}), ${sum.findings} findings (digest ${digest}), ` +
          `${sum.valueSets.sets} value sets; load ${before} -> ${load()} at ${new Date().toISOString().slice(11, 19)}`,
      );
    }
  } finally {
    await client.close();
  }
}

await main();
