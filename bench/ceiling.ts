// What the machine gives right now: n threads running the same JS loop, against one thread alone — a pure loop, and
// one that allocates as a scan does. On a shared VM two vCPUs may deliver far less than twice one (the host's other
// tenants, caches and memory shared between the vCPUs), and no program's speed-up can beat it.
import { Worker } from 'node:worker_threads';

const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const t = performance.now();
let x = 0, n = 0;
while (performance.now() - t < workerData) { for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i); n++; }
parentPort.postMessage(n + (x < 0 ? 1 : 0));
`;

// Short-lived objects, strings and JSON text, a few kept for a while, in a worker with a scan worker's young
// generation (16 MB): the garbage collector and the memory traffic a scan has, without its code.
const ALLOC = `
const { parentPort, workerData } = require('node:worker_threads');
const t = performance.now();
let n = 0;
const keep = [];
while (performance.now() - t < workerData) {
  for (let i = 0; i < 200; i++) {
    const s = JSON.stringify({ a: 'x' + i, b: [i, i + 1, 'y' + n], c: { d: String(n) } });
    if ((n + i) % 97 === 0) { keep.push(s); if (keep.length > 20000) keep.length = 0; }
  }
  n++;
}
parentPort.postMessage(n);
`;

function spin(threads: number, ms: number, code = LOOP): Promise<number[]> {
  return Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((res, rej) => {
      const w = new Worker(code, { eval: true, workerData: ms, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
      w.once('message', (n: number) => res(n));
      w.once('error', rej);
    })),
  );
}

/** The work n threads did together, as a multiple of what one thread alone did in the same time (1 thread, then n). */
export async function machineCeiling(threads: number, ms = 1500, code = LOOP): Promise<number> {
  const [one] = await spin(1, ms, code);
  const all = await spin(threads, ms, code);
  return all.reduce((a, b) => a + b, 0) / one!;
}

/** machineCeiling for a loop that allocates as a scan does (ALLOC). */
export function allocCeiling(threads: number, ms = 1500): Promise<number> {
  return machineCeiling(threads, ms, ALLOC);
}
