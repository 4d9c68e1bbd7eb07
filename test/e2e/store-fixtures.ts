// Helpers of the store's end-to-end tests: the CLI in a child process (chDB keeps one data directory per process,
// and a killed ingest must be a real process), a big IIS log collection, and a store's exact event counts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { projectRoot } from '../../src/paths.js';

export const bin = join(projectRoot, 'bin', 'exhunt.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code, signal) => res({ code, signal, out, err }));
  });
}

/** `exhunt store stats --json` of a store. */
export async function stats(store: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, number>> {
  const r = await cli(['store', 'stats', '--json', '--store', store], env);
  if (r.code !== 0) throw new Error(`store stats failed (${r.code}): ${r.err}`);
  return JSON.parse(r.out) as Record<string, number>;
}

const CHECK = `
import { openStore, visibleEvents } from ${JSON.stringify(join(projectRoot, 'dist', 'src', 'stores', 'index.js'))};
const s = await openStore(process.argv[1]);
const [v] = await s.rows('SELECT count() AS visible, uniqExact(path, line, record) AS distinct_events FROM events WHERE ' + visibleEvents());
const [a] = await s.rows('SELECT count() AS all_rows FROM events');
const [e] = await s.rows('SELECT count() AS complete_files FROM evidence WHERE complete = 1');
console.log(JSON.stringify({ ...v, ...a, ...e }));
await s.close();
`;

/** Visible events, distinct (path, line, record) among them, all rows (stale attempts too), complete files. */
export function eventCounts(store: string): { visible: number; distinct_events: number; all_rows: number; complete_files: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHECK, store], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const o = JSON.parse(r.stdout) as Record<string, number | string>;
  return { visible: Number(o['visible']), distinct_events: Number(o['distinct_events']), all_rows: Number(o['all_rows']), complete_files: Number(o['complete_files']) };
}

const QUERY = `
import { openStore } from ${JSON.stringify(join(projectRoot, 'dist', 'src', 'stores', 'index.js'))};
const s = await openStore(process.argv[1]);
console.log(JSON.stringify(await s.rows(process.argv[2])));
await s.close();
`;

/** The rows of one query on a store, from a process of its own. */
export function queryStore<T>(store: string, sql: string): T[] {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', QUERY, store, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as T[];
}

/** A collection of one small and one big IIS log (`lines` requests), benign traffic with varied times and clients. */
export function bigIisCollection(dir: string, lines: number): string {
  const logs = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
  mkdirSync(logs, { recursive: true });
  const head = '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-01 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n';
  const line = (i: number): string => {
    const t = new Date(Date.UTC(2021, 2, 1) + i * 1000).toISOString();
    return `${t.slice(0, 10)} ${t.slice(11, 19)} 10.0.1.20 GET /owa/ id=${i} 443 CORP\\user${i % 50} 192.168.${(i >> 8) & 255}.${i & 255} Mozilla/5.0+(Windows+NT+10.0) - 200 0 0 ${i % 900}\n`;
  };
  writeFileSync(join(logs, 'u_ex210228.log'), head + Array.from({ length: 100 }, (_, i) => line(i)).join(''));
  const chunks: string[] = [head];
  for (let i = 0; i < lines; i++) chunks.push(line(i));
  writeFileSync(join(logs, 'u_ex210301.log'), chunks.join(''));
  return dir;
}

/** The URL with a database of its own, so runs and tests never share tables. */
export function freshDb(url: string): string {
  const u = new URL(url);
  u.searchParams.set('database', `exhunt_e2e_${randomBytes(4).toString('hex')}`);
  return u.toString();
}

export const NO_SERVER = "EXHUNT_TEST_CLICKHOUSE is not set (.ci/run starts Debian's clickhouse-server and sets it)";
export const NO_CLUSTER = 'EXHUNT_TEST_CLICKHOUSE_CLUSTER is not set (.ci/run starts a two-shard cluster and sets it)';
