// Regex engines for Sigma `|re` on the same work: every SigmaHQ regex over the regression events' field
// values, with the chosen engines (native V8 where proven safe, else re2js), re2js for all, V8 RegExp
// (backtracking, the unsafe baseline) and, when RE2_MODULE points at a built `re2` package, the native
// RE2 binding. Medians of 5 runs, ns per regex test. Run: node dist/bench/sigma-regex.js
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { loadSigma, type SafeRegex } from '../src/engines/sigma/index.js';
import { hasShared, sharedDir } from '../src/paths.js';
import { readSidecar } from '../test/conformance/sidecar.js';

type Tester = (v: string) => boolean;
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function re2js(r: SafeRegex): Tester {
  let f = 0;
  if (r.flags.includes('i')) f |= RE2JS.CASE_INSENSITIVE;
  if (r.flags.includes('m')) f |= RE2JS.MULTILINE;
  if (r.flags.includes('s')) f |= RE2JS.DOTALL;
  const re = RE2JS.compile(r.source, f);
  return (v) => re.test(v);
}

/** Median ns per test of `testers` over `values`, and the number of hits of the last run. */
function time(testers: Tester[], values: string[]): { ns: number; hits: number } {
  const times: number[] = [];
  let hits = 0;
  for (const v of values) for (const t of testers) t(v); // warm-up: irregexp tiers up, re2js builds its DFA states
  for (let run = 0; run < RUNS; run++) {
    hits = 0;
    const t0 = performance.now();
    for (const v of values) for (const t of testers) if (t(v)) hits++;
    times.push(performance.now() - t0);
  }
  return { ns: (median(times) * 1e6) / Math.max(1, values.length * testers.length), hits };
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
  const count = (p: (r: SafeRegex) => boolean): number => regexes.filter(p).length;
  console.log(
    `${regexes.length} regexes (${count((r) => r.nativeProof === 'linear-engine')} native linear-engine, ${count((r) => r.nativeProof === 'one-live-path')} native one-live-path, ${count((r) => r.engine === 're2')} re2js, ${count((r) => r.engine === 'fallback')} fallback) × ${values.length} field values`,
  );
  const engines: { name: string; testers: Tester[] }[] = [
    { name: 'chosen (native where proven, else re2js)', testers: regexes.map((r) => (v: string) => r.test(v)) },
    { name: 're2js for every regex (before)', testers: regexes.map(re2js) },
    {
      name: 'V8 RegExp backtracking (unsafe baseline)',
      testers: regexes.map((r) => {
        const { body, flags } = stripFlags(r.source, r.flags);
        const re = new RegExp(body, flags);
        return (v: string) => re.test(v);
      }),
    },
  ];
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
  for (const e of engines) {
    const { ns, hits } = time(e.testers, values);
    const h0 = performance.now();
    for (const t of e.testers) t(hostile);
    const hostileMs = performance.now() - h0;
    console.log(`${e.name}: ${ns.toFixed(0)} ns per regex test (median of ${RUNS}), ${hits} hits; hostile 5k-char value through all regexes: ${hostileMs.toFixed(1)} ms`);
  }
  // The same comparison restricted to the regexes that run natively, and to the two costly literal-less rules.
  const native = regexes.filter((r) => r.engine === 'native');
  const a = time(native.map((r) => (v: string) => r.test(v)), values);
  const b = time(native.map(re2js), values);
  console.log(`native subset (${native.length} regexes): native ${a.ns.toFixed(0)} ns/test vs re2js ${b.ns.toFixed(0)} ns/test (${(b.ns / a.ns).toFixed(1)}x); hits ${a.hits} vs ${b.hits}`);
  for (const src of ['\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}', '\\\\[a-zA-Z0-9]{1,32}\\.[a-zA-Z0-9]{1,6}\\.[ "\']{1}']) {
    const r = regexes.find((x) => x.source === src);
    if (!r) continue;
    const n = time([(v) => r.test(v)], values);
    const o = time([re2js(r)], values);
    console.log(`  ${src} (${r.engine}${r.nativeProof ? ' ' + r.nativeProof : ''}): ${n.ns.toFixed(0)} ns/test vs re2js ${o.ns.toFixed(0)} ns/test`);
  }
}

await main();
