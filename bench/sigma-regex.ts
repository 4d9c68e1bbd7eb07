// Regex engines for Sigma `|re` on the same work: every SigmaHQ regex over the regression events'
// field values, with re2js (chosen), V8 RegExp (backtracking, the unsafe baseline) and, when
// RE2_MODULE points at a built `re2` package, the native RE2 binding. Run: node dist/bench/sigma-regex.js
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadSigma } from '../src/engines/sigma/index.js';
import { hasShared, sharedDir } from '../src/paths.js';
import { readSidecar } from '../test/conformance/sidecar.js';

type Tester = (v: string) => boolean;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  if (!hasShared) return console.log('needs ../shared; skipped');
  const sigma = join(sharedDir, 'sigma');
  const dirs = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];
  const { regexes } = await loadSigma(dirs.map((d) => join(sigma, d)));
  const manifest = JSON.parse(readFileSync(join(sigma, 'regression_manifest.json'), 'utf8')) as { json_path: string }[];
  const values: string[] = [];
  for (const m of manifest)
    for (const e of readSidecar(join(sigma, m.json_path))) {
      const ed = (e.data['Event'] as Record<string, unknown>)['EventData'];
      if (ed && typeof ed === 'object') for (const v of Object.values(ed)) if (typeof v === 'string') values.push(v);
    }
  const stripFlags = (p: string, extra: string): { body: string; flags: string } => {
    const m = /^\(\?([ims]+)\)/.exec(p);
    const flags = [...new Set((m ? m[1]! : '') + extra)].join('');
    return m ? { body: p.slice(m[0].length), flags } : { body: p, flags };
  };
  const engines: { name: string; testers: Tester[] }[] = [{ name: 're2js (chosen)', testers: regexes.map((r) => (v: string) => r.test(v)) }];
  engines.push({
    name: 'V8 RegExp (backtracking)',
    testers: regexes.map((r) => {
      const { body, flags } = stripFlags(r.source, r.flags);
      const re = new RegExp(body, flags);
      return (v: string) => re.test(v);
    }),
  });
  const mod = process.env['RE2_MODULE'];
  if (mod) {
    try {
      const RE2 = createRequire(import.meta.url)(mod) as new (p: string, f?: string) => { test(v: string): boolean };
      engines.push({
        name: 're2 (native binding)',
        testers: regexes.map((r) => {
          const { body, flags } = stripFlags(r.source, r.flags);
          const re = new RE2(body, flags + 'u');
          return (v: string) => re.test(v);
        }),
      });
    } catch (e) {
      console.log(`re2 (native): could not load ${mod}: ${(e as Error).message}`);
    }
  } else console.log('re2 (native): not measured (set RE2_MODULE to a built re2 package; it does not install offline here)');
  const hostile = 'a'.repeat(5000) + '!';
  console.log(`${regexes.length} regexes × ${values.length} field values`);
  for (const e of engines) {
    const times: number[] = [];
    let hits = 0;
    for (let run = 0; run < 3; run++) {
      hits = 0;
      const t0 = performance.now();
      for (const v of values) for (const t of e.testers) if (t(v)) hits++;
      times.push(performance.now() - t0);
    }
    const perTest = (median(times) * 1e6) / (values.length * e.testers.length);
    const h0 = performance.now();
    for (const t of e.testers) t(hostile);
    const hostileMs = performance.now() - h0;
    console.log(`${e.name}: median ${median(times).toFixed(0)} ms (${perTest.toFixed(0)} ns per regex test), ${hits} hits; hostile 5k-char value through all regexes: ${hostileMs.toFixed(1)} ms`);
  }
}

await main();
