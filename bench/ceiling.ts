// What the machine gives right now: n threads running the same pure-JS loop, against one thread alone. On a shared
// VM two vCPUs may deliver far less than twice one (the host's other tenants), and no program's speed-up can beat it.
import { Worker } from 'node:worker_threads';

const LOOP = `
const { parentPort, workerData } = require('node:worker_threads');
const t = performance.now();
let x = 0, n = 0;
while (performance.now() - t < workerData) { for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i); n++; }
parentPort.postMessage(n + (x < 0 ? 1 : 0));
`;

function spin(threads: number, ms: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: threads }, () => new Promise<number>((res, rej) => {
      const w = new Worker(LOOP, { eval: true, workerData: ms });
      w.once('message', (n: number) => res(n));
      w.once('error', rej);
    })),
  );
}

/** The work n threads did together, as a multiple of what one thread alone did in the same time (1 thread, then n). */
export async function machineCeiling(threads: number, ms = 1500): Promise<number> {
  const [one] = await spin(1, ms);
  const all = await spin(threads, ms);
  return all.reduce((a, b) => a + b, 0) / one!;
}
