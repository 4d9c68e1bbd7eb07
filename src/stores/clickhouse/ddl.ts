// The store's tables created from schema.ts, on chDB (26.x) and Debian's server (18.16) alike: MergeTree on one
// node; on a cluster `<t>_local` MergeTree on every shard behind `<t>` = Distributed(cluster, db, <t>_local,
// cityHash64(host)), so a host's events, evidence and findings live on one shard.
//
// 18.16 here has no ZooKeeper, so `ON CLUSTER` DDL cannot run: exhunt reads the cluster's shards from
// system.clusters and runs the DDL on each over HTTP itself — the shard the URL names (is_local), then the others
// at the addresses given with `&shard=http://...` in shard order, or, when none are given, at the shard's host
// with the URL's own HTTP port and scheme (one server per machine, the usual deployment).
import { HuntError } from '../../diagnostics.js';
import type { StoreClient } from './client.js';
import { stringLiteral } from './literal.js';
import { EVENT_COLUMNS, EVENT_ORDER, EVIDENCE_COLUMNS, FINDING_COLUMNS, HOT_FIELDS, HOT_MASKS, hotBit, hotColumn, hotColumnType, KEY_REPEATS, PLACE_CHANNEL, PLACE_EXPRS, PLACE_KEY, SCAN_COLUMNS, type ColumnDef, type TableName } from './schema.js';
import { ServerStore } from './server.js';

/**
 * Rows per granule of the events table (ClickHouse reads whole granules): 1024, not the default 8192. A retro-hunt
 * reads the keys/vals of the events that match, a few thousand spread over every host's range of a channel, and paid
 * for every event of their granules (each ~1.4 KB of keys/vals): 1 M bench events, the hunt 16.7-17.3 -> 13.0-14.5
 * CPU-s, ClickHouse's threads 9.0 -> 6.3; 256 was no surer a gain (13.8-14.0) for 4x the marks. New stores only.
 */
export const EVENTS_GRANULARITY = 1024;

export const TABLE_DEFS: Readonly<Record<TableName, { columns: readonly ColumnDef[]; order: readonly string[]; granularity?: number }>> = {
  events: { columns: EVENT_COLUMNS, order: EVENT_ORDER, granularity: EVENTS_GRANULARITY },
  evidence: { columns: EVIDENCE_COLUMNS, order: ['host', 'path', 'sha256', 'ingest_id'] },
  findings: { columns: FINDING_COLUMNS, order: ['host', 'origin', 'rule_id', 't'] },
  scans: { columns: SCAN_COLUMNS, order: ['host', 'scan_id'] },
};

function q(name: string): string {
  return `\`${name}\``;
}

export function mergeTreeDdl(table: string, def: (typeof TABLE_DEFS)[TableName]): string {
  const cols = def.columns.map((c) => `${q(c.name)} ${c.type}`).join(', ');
  const settings = def.granularity ? ` SETTINGS index_granularity = ${def.granularity}` : '';
  return `CREATE TABLE IF NOT EXISTS ${q(table)} (${cols}) ENGINE = MergeTree ORDER BY (${def.order.map(q).join(', ')})${settings}`;
}

export function distributedDdl(table: TableName, cluster: string, database: string, def: (typeof TABLE_DEFS)[TableName]): string {
  const cols = def.columns.map((c) => `${q(c.name)} ${c.type}`).join(', ');
  return `CREATE TABLE IF NOT EXISTS ${q(table)} (${cols}) ENGINE = Distributed(${q(cluster)}, ${q(database)}, ${q(`${table}_local`)}, cityHash64(host))`;
}

interface ClusterShard {
  shard_num: number;
  host_name: string;
  port: number;
  is_local: number;
}

/** The HTTP origin of every shard of the store's cluster, in shard order (see the head of this file). */
export async function shardOrigins(store: ServerStore): Promise<string[]> {
  const cluster = store.info.cluster!;
  const rows = await store.rows<ClusterShard>(
    'SELECT shard_num, any(host_name) AS host_name, any(port) AS port, max(is_local) AS is_local FROM system.clusters WHERE cluster = {c:String} GROUP BY shard_num ORDER BY shard_num',
    { c: cluster },
  );
  if (rows.length === 0) throw new HuntError('STORE_SPEC', `the server at ${store.info.where} has no cluster '${cluster}' (system.clusters; see the README for the <remote_servers> block)`);
  const own = new URL(store.target.origin);
  const given = [...store.target.shards];
  return rows.map((r) => {
    if (Number(r.is_local) === 1) return store.target.origin;
    const next = given.shift();
    if (next) return next;
    return `${own.protocol}//${r.host_name.includes(':') ? `[${r.host_name}]` : r.host_name}:${own.port || (own.protocol === 'https:' ? 443 : 80)}`;
  });
}

/** The columns of the store's events table (or of `table`), MATERIALIZED ones included. */
export async function eventColumnNames(store: StoreClient, table = 'events'): Promise<Set<string>> {
  return new Set((await store.rows<{ name: string }>(`SELECT name FROM system.columns WHERE database = currentDatabase() AND table = ${stringLiteral(table)}`)).map((r) => r.name));
}

/**
 * Whether the store keeps HOT_FIELDS as columns: always (chDB, a single server, a cluster). From 19.x as
 * LowCardinality (hotColumnType); 18.16 (Debian's) has no LowCardinality and keeps them as String, so that its
 * retro-hunt too runs a logsource's rules over its distinct value sets rather than over every event (1 M bench events
 * on one 18.16 node: 690.6 CPU-s event by event, session 15; 26.6 over value sets, session 16). On a cluster the
 * Distributed table computes them for each inserted row and the shards' tables store them (ensureSchema).
 */
export function keepsHotColumns(info: StoreClient['info']): boolean {
  return info.major >= 18;
}

/**
 * Adds the hot-field columns (schema.ts HOT_FIELDS) `table` lacks: MATERIALIZED from keys/vals (or DEFAULT, a
 * cluster's shard tables: see ensureSchema), so rows already stored read them computed and new rows store them.
 */
export async function ensureHotColumns(store: StoreClient, table = 'events', how: 'MATERIALIZED' | 'DEFAULT' = 'MATERIALIZED'): Promise<void> {
  if (!keepsHotColumns(store.info)) return;
  const have = await eventColumnNames(store, table);
  const type = hotColumnType(store.info);
  const add: string[] = [];
  HOT_FIELDS.forEach((f, i) => {
    const k = stringLiteral(f);
    if (!have.has(hotColumn(i))) add.push(`ADD COLUMN ${q(hotColumn(i))} ${type} ${how} vals[indexOf(keys, ${k})]`);
  });
  for (const m of HOT_MASKS) {
    if (have.has(m.name)) continue;
    const bits = HOT_FIELDS.slice(m.from, m.to).map((f, j) => `toUInt64(indexOf(keys, ${stringLiteral(f)}) != 0) * ${hotBit(m.from + j)}`).join(' + ');
    add.push(`ADD COLUMN ${q(m.name)} UInt64 ${how} ${bits}`);
  }
  if (!have.has(KEY_REPEATS)) add.push(`ADD COLUMN ${q(KEY_REPEATS)} UInt8 ${how} length(keys) > 1 AND arrayUniq(keys) < length(keys)`);
  for (const c of [PLACE_KEY, PLACE_CHANNEL] as const) if (!have.has(c)) add.push(`ADD COLUMN ${q(c)} ${type} ${how} ${PLACE_EXPRS[c]}`);
  if (add.length > 0) await store.exec(`ALTER TABLE ${q(table)} ${add.join(', ')}`);
}

/** Creates the store's tables if absent (idempotent): MergeTree on chDB or one node; local + Distributed on a cluster. */
export async function ensureSchema(store: StoreClient): Promise<void> {
  const tables = Object.keys(TABLE_DEFS) as TableName[];
  if (!store.info.cluster || !(store instanceof ServerStore)) {
    for (const t of tables) await store.exec(mergeTreeDdl(t, TABLE_DEFS[t]));
    await ensureHotColumns(store);
    return;
  }
  const cluster = store.info.cluster;
  await eachShard(store, async (shard) => {
    for (const t of tables) await shard.exec(mergeTreeDdl(`${t}_local`, TABLE_DEFS[t]));
    // Every shard gets the Distributed tables too, so any of them can answer the cluster's queries.
    for (const t of tables) await shard.exec(distributedDdl(t, cluster, store.info.database, TABLE_DEFS[t]));
    // The hot columns: MATERIALIZED in the Distributed table, which computes them for every row inserted and
    // forwards them with it; DEFAULT in the shards' tables, which store them as given (and compute them for rows
    // stored before they were added). Both MATERIALIZED: a shard refuses them in the forwarded insert ("Cannot insert
    // column h_0, because it is MATERIALIZED column", 18.16); both DEFAULT: 18.16's JSONEachRow fills a field an
    // insert leaves out with the type's default, not the column's, so every row stored ''. A query names them in the
    // Distributed table and reads the shards' stored columns.
    await ensureHotColumns(shard, 'events_local', 'DEFAULT');
    await ensureHotColumns(shard, 'events');
  });
}

/**
 * Empties `tables`: on a cluster their `<t>_local` tables on every shard (a TRUNCATE through one shard's
 * connection empties that shard's alone, and 18.16 here has no ZooKeeper for ON CLUSTER).
 */
export async function truncateTables(store: StoreClient, tables: readonly TableName[]): Promise<void> {
  if (!store.info.cluster || !(store instanceof ServerStore)) {
    for (const t of tables) await store.exec(`TRUNCATE TABLE ${q(t)}`);
    return;
  }
  await eachShard(store, async (shard) => {
    for (const t of tables) await shard.exec(`TRUNCATE TABLE ${q(`${t}_local`)}`);
  });
}

/** `work` on every shard of the store's cluster, over the store's own connection or one opened (and closed) for it. */
async function eachShard(store: ServerStore, work: (shard: ServerStore) => Promise<void>): Promise<void> {
  for (const origin of await shardOrigins(store)) {
    const shard = origin === store.target.origin ? store : await ServerStore.sibling(store.target, origin);
    try {
      await work(shard);
    } finally {
      if (shard !== store) await shard.close();
    }
  }
}
