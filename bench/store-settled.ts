// bench:store-hunt's hunt over a store filled once and left to settle (its merges done): the figures that compare
// two builds, run in turns on the same store. `fill DIR [EVENTS]` makes the store; `hunt DIR [RUNS]` hunts it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigma } from '../src/engines/sigma/index.js';
import type { Finding } from '../src/finding.js';
import { rulesDir, sharedDir } from '../src/paths.js';
import { ensureSchema, openStore } from '../src/stores/clickhouse/index.js';
import { huntStore } from '../src/stores/hunt/index.js';
import { baseEvents, fillStore, mergesSettled } from './store-hunt.js';

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
      const base = await baseEvents();
      const fill = await fillStore(client, base, Number(arg ?? 10_000_000));
      const settled = await mergesSettled(client);
      console.log(`stored ${fill.events} events in ${fill.wallS.toFixed(0)} s; merges after ${settled.wallS.toFixed(0)} s, ${settled.cpuS.toFixed(1)} CPU-s`);
      return;
    }
    const loaded = await loadSigma([join(sharedDir, 'sigma', 'rules', 'windows'), join(rulesDir, 'sigma')], { builtinRoot: rulesDir });
    for (let i = 0; i < Number(arg ?? 1); i++) {
      const ids: string[] = [];
      const before = load();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const sum = await huntStore(client, { ruleSet: loaded.ruleSet, onFinding: (f) => void ids.push(identity(f)) });
      const c = process.cpuUsage(c0);
      const digest = createHash('sha256').update(ids.sort().join('\n')).digest('hex').slice(0, 16);
      console.log(
        `hunt: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${((c.user + c.system) / 1e6).toFixed(1)} CPU-s, ${sum.findings} findings (digest ${digest}), ` +
          `${sum.valueSets.sets} value sets; load ${before} -> ${load()} at ${new Date().toISOString().slice(11, 19)}`,
      );
    }
  } finally {
    await client.close();
  }
}

await main();
