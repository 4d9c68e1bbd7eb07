// Three collections made from the example for the fleet's ingest test: EXA the example as is; EXB the same intrusion
// two days later (every date in its text evidence moved, its EVTX left out); EXC the web logs of the day before the
// intrusion only (a vulnerable build in the logs, no attack): exposed but clean.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

const EXAMPLE = join(projectRoot, 'examples', 'exchange-2021');
const TEXT = /\.(?:log|csv|jsonl|json)$/i;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

function moveDates(text: string, days: number): string {
  return text.replace(/\b(2021)-(\d\d)-(\d\d)(?=[T ,"\s]|$)/g, (m: string) => {
    const t = Date.parse(`${m}T00:00:00Z`);
    return Number.isFinite(t) ? new Date(t + days * 86400e3).toISOString().slice(0, 10) : m;
  });
}

/** Writes EXA, EXB and EXC under `dir` and returns their paths. */
export function makeIngestedFleet(dir: string): { a: string; b: string; c: string } {
  const a = join(dir, 'EXA');
  const b = join(dir, 'EXB');
  const c = join(dir, 'EXC');
  cpSync(EXAMPLE, a, { recursive: true });
  cpSync(EXAMPLE, b, { recursive: true });
  for (const p of [...files(b)]) {
    if (p.toLowerCase().endsWith('.evtx')) rmSync(p);
    else if (TEXT.test(p)) writeFileSync(p, moveDates(readFileSync(p, 'latin1'), 2), 'latin1');
  }
  for (const p of files(EXAMPLE)) {
    const name = basename(p);
    const early = /u_ex2102\d\d\.log$/i.test(name) || /_202102\d*-\d+\.log$/i.test(name);
    if (!early || !/LogFiles|Logging/.test(p)) continue;
    const to = join(c, p.slice(EXAMPLE.length + 1));
    mkdirSync(join(to, '..'), { recursive: true });
    cpSync(p, to);
  }
  return { a, b, c };
}
