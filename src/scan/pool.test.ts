// The scan's GC setting: once workers start, no scavenge of any thread hands work to V8's helper threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** Background scavenge time (ms) of each of a child's worker's scavenges (--trace-gc-nvp), the worker allocating small objects. */
function backgroundScavenge(setFlag: boolean): number[] {
  const pool = new URL('./pool.js', import.meta.url).href;
  const code = `
    const { Worker } = await import('node:worker_threads');
    if (${setFlag}) (await import(${JSON.stringify(pool)})).singleThreadedScavenges();
    const w = new Worker("let keep = []; for (let i = 0; i < 2e6; i++) { keep.push({ a: i, b: 'x' + i }); if (keep.length > 20000) keep = []; }", { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    await new Promise((resolve) => w.on('exit', resolve));`;
  const r = spawnSync(process.execPath, ['--trace-gc-nvp', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // The worker's isolate: the one with the most scavenges (the main thread's, some before the flag was set, are fewer).
  const byIsolate = new Map<string, number[]>();
  for (const l of r.stdout.split('\n')) {
    const m = /^\[\d+:(0x[0-9a-f]+)\].* gc=s .* background\.scavenge\.parallel=([\d.]+)/.exec(l);
    if (!m) continue;
    const list = byIsolate.get(m[1]!) ?? byIsolate.set(m[1]!, []).get(m[1]!)!;
    list.push(Number(m[2]));
  }
  return [...byIsolate.values()].sort((a, b) => b.length - a.length)[0] ?? [];
}

test("singleThreadedScavenges: a worker started after it scavenges on its own thread only (without it, V8's helpers take part)", () => {
  const before = backgroundScavenge(false);
  const after = backgroundScavenge(true);
  assert.ok(before.length > 20 && after.length > 20, `scavenges logged: ${before.length} / ${after.length}`);
  assert.ok(after.every((ms) => ms === 0), 'no background scavenging once set');
  assert.ok(before.some((ms) => ms > 0), 'the control does use helpers (else this test could not fail)');
});
