// --store SPEC → a StoreClient: a directory is an embedded chDB store (created if absent); an http(s) URL is a
// ClickHouse server or cluster. The password (URL or EXHUNT_CLICKHOUSE_PASSWORD) never appears in `info.where`.
import { HuntError } from '../../diagnostics.js';
import type { StoreClient } from './client.js';
import { ServerStore, type ServerTarget } from './server.js';

export interface OpenStoreOptions {
  /** Database of an embedded store (default 'exhunt'); a URL names its own. */
  database?: string;
  /** Environment to read EXHUNT_CLICKHOUSE_PASSWORD from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses a store URL; every problem is a STORE_SPEC HuntError that repeats the URL without its password. */
export function parseStoreUrl(spec: string, env: NodeJS.ProcessEnv = process.env): ServerTarget {
  let u: URL;
  try {
    u = new URL(spec);
  } catch {
    throw new HuntError('STORE_SPEC', `not a store URL: ${redact(spec)} (use http(s)://[user@]host:port/?database=NAME[&cluster=NAME])`);
  }
  const shown = redact(spec);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HuntError('STORE_SPEC', `a store URL is http:// or https://, not ${u.protocol} (${shown})`);
  if (u.pathname !== '/' && u.pathname !== '') throw new HuntError('STORE_SPEC', `a store URL has no path; name the database with ?database=NAME (${shown})`);
  const known = new Set(['database', 'cluster', 'shard']);
  for (const k of u.searchParams.keys()) if (!known.has(k)) throw new HuntError('STORE_SPEC', `unknown store URL parameter '${k}' (database, cluster, shard) in ${shown}`);
  const database = u.searchParams.get('database') ?? 'exhunt';
  const cluster = u.searchParams.get('cluster');
  if (!NAME.test(database)) throw new HuntError('STORE_SPEC', `database name '${database}' is not a plain identifier (${shown})`);
  if (cluster !== null && !NAME.test(cluster)) throw new HuntError('STORE_SPEC', `cluster name '${cluster}' is not a plain identifier (${shown})`);
  const shards = u.searchParams.getAll('shard').map((s) => {
    let su: URL;
    try {
      su = new URL(s);
    } catch {
      throw new HuntError('STORE_SPEC', `shard= is not a URL: ${redact(s)} (${shown})`);
    }
    if (su.protocol !== 'http:' && su.protocol !== 'https:') throw new HuntError('STORE_SPEC', `shard= is http:// or https:// (${shown})`);
    return su.origin;
  });
  if (shards.length && cluster === null) throw new HuntError('STORE_SPEC', `shard= needs cluster=NAME (${shown})`);
  const password = u.password ? decodeURIComponent(u.password) : (env['EXHUNT_CLICKHOUSE_PASSWORD'] ?? '');
  return { origin: u.origin, username: u.username ? decodeURIComponent(u.username) : 'default', password, database, cluster, shards };
}

/** The spec as it may be shown: user and password removed from every URL in it. */
export function redact(spec: string): string {
  return spec.replace(/(https?:\/\/)[^/@\s]*@/gi, '$1');
}

export function isStoreUrl(spec: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(spec);
}

export async function openStore(spec: string, opts: OpenStoreOptions = {}): Promise<StoreClient> {
  if (spec === '') throw new HuntError('STORE_SPEC', 'the store is a directory or an http(s):// URL, not empty');
  if (isStoreUrl(spec)) return ServerStore.open(parseStoreUrl(spec, opts.env));
  const { ChdbStore } = await import('./chdb.js');
  return ChdbStore.open(spec, opts.database ?? 'exhunt');
}
