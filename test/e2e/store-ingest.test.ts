// exhunt ingest and store stats on real ClickHouse: chDB in a temp dir, and Debian's clickhouse-server (one node
// and two shards) when EXHUNT_TEST_CLICKHOUSE / EXHUNT_TEST_CLICKHOUSE_CLUSTER name them: the example ingested
// twice changes no count, and every engine counts the same.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { cli, eventCounts, freshDb, NO_CLUSTER, NO_SERVER, queryStore, stats } from './store-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-store-e2e-'));
after(() => rmSync(work, { recursive: true, force: true }));
const example = join(projectRoot, 'examples', 'exchange-2021');
const SERVER = process.env['EXHUNT_TEST_CLICKHOUSE'];
const CLUSTER = process.env['EXHUNT_TEST_CLICKHOUSE_CLUSTER'];

let exampleCounts: Record<string, number> | null = null;

async function ingestTwice(store: string): Promise<Record<string, number>> {
  const first = await cli(['ingest', example, '--store', store, '--no-rule-cache']);
  assert.equal(first.code, 0, first.err);
  const s1 = await stats(store);
  const second = await cli(['ingest', example, '--store', store, '--no-rule-cache']);
  assert.equal(second.code, 0, second.err);
  assert.match(second.err, /0 files written \(0 events\), 219 already stored; scan already stored/);
  assert.deepEqual(await stats(store), s1, 'a second ingest changes no count');
  const c = eventCounts(store);
  assert.equal(c.visible, s1['events']);
  assert.equal(c.distinct_events, c.visible, 'each event once');
  return s1;
}

test('chDB: the example ingested twice; every count unchanged; hosts, evidence, events and findings counted', async () => {
  const store = join(work, 'chdb-example');
  const s = await ingestTwice(store);
  assert.deepEqual(s, { hosts: 1, collections: 1, evidence: 219, events: s['events'], findings: s['findings'] });
  assert.ok(s['events']! > 10_000 && s['findings']! > 100, JSON.stringify(s));
  // No --host: the host is the one the collection names (its EVTX Computer and Exchange logs), not the folder name.
  for (const table of ['scans', 'events', 'evidence', 'findings']) {
    const hosts = queryStore<{ host: string }>(store, `SELECT DISTINCT host FROM ${table}`).map((r) => r.host);
    assert.deepEqual(hosts, ['EXCH01.corp.example.com'], table);
  }
  exampleCounts = s;
});

test('one node: the same counts as chDB, and idempotent', { skip: SERVER ? false : NO_SERVER }, async () => {
  const s = await ingestTwice(freshDb(SERVER!));
  if (exampleCounts) assert.deepEqual(s, exampleCounts);
});

test('two shards: the same counts as chDB, events spread over both shards', { skip: CLUSTER ? false : NO_CLUSTER }, async () => {
  const store = freshDb(CLUSTER!);
  const s = await ingestTwice(store);
  if (exampleCounts) assert.deepEqual(s, exampleCounts);
  // A second host lands on a shard by its name's hash: cityHash64 % 2 puts 'EXCH01.corp.example.com' (the example's
  // host) on the second shard and 'EXCH02.corp.example.com' on the first.
  const r = await cli(['ingest', join(projectRoot, 'test', 'fixtures', 'exchange', 'benign'), '--store', store, '--host', 'EXCH02.corp.example.com', '--no-rule-cache', '-q']);
  assert.equal(r.code, 0, r.err);
  assert.equal((await stats(store))['hosts'], 2);
  // Sharded by host: the first shard's local table holds one host's events, the Distributed table both.
  const firstShard = new URL(store);
  firstShard.searchParams.delete('cluster');
  firstShard.searchParams.delete('shard');
  const local = queryStore<{ host: string; n: number }>(firstShard.toString(), 'SELECT host, count() AS n FROM events_local GROUP BY host');
  assert.equal(local.length, 1, JSON.stringify(local));
  const total = eventCounts(store).visible;
  assert.ok(Number(local[0]!.n) > 0 && Number(local[0]!.n) < total, `${JSON.stringify(local)} of ${total}`);
});

