// openStore: store specs parsed (the password never shown), and hostile values stored and read back literally on
// chDB and, when EXHUNT_TEST_CLICKHOUSE names one, Debian's clickhouse-server (18.16: parameters as literals).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HuntError } from '../../diagnostics.js';
import { openStore, parseStoreUrl, redact } from './open.js';
import type { StoreClient } from './client.js';

test('store URLs: database, cluster, shards, user; the password from the URL or the environment, never in where', () => {
  const t = parseStoreUrl('https://hunter:s3cr%40t@ch.example:8443/?database=cert&cluster=hunt&shard=http://10.0.0.2:8123/', {});
  assert.deepEqual(t, { origin: 'https://ch.example:8443', username: 'hunter', password: 's3cr@t', database: 'cert', cluster: 'hunt', shards: ['http://10.0.0.2:8123'] });
  assert.equal(parseStoreUrl('http://ch:8123/?database=d', { EXHUNT_CLICKHOUSE_PASSWORD: 'envpw' }).password, 'envpw');
  assert.equal(parseStoreUrl('http://ch:8123/', {}).database, 'exhunt');
  assert.equal(redact('http://u:pw@h:1/?database=d&shard=http://u:pw@h2:2/'), 'http://h:1/?database=d&shard=http://h2:2/');
  for (const bad of ['http://h:1/db', 'ftp://h/', 'http://h:1/?database=a;b', 'http://h:1/?cluster=x y', 'http://h:1/?db=x', 'http://h:1/?shard=http://h2/', 'http://u:pw@[::1']) {
    assert.throws(() => parseStoreUrl(bad, {}), (e: unknown) => e instanceof HuntError && e.code === 'STORE_SPEC' && !e.message.includes('pw'), bad);
  }
});

const HOSTILE = ["it's", 'back\\slash\\', 'nul\u0000byte', "'); DROP TABLE t; --", '{placeholder}', '{p:String}', '\\x00\\\'', 'ü€😀\ttab\nline', ''];

async function roundTrip(store: StoreClient): Promise<void> {
  await store.exec('DROP TABLE IF EXISTS hostile');
  await store.exec('CREATE TABLE hostile (i UInt32, k String, a Array(String)) ENGINE = MergeTree ORDER BY i');
  await store.insert('hostile', HOSTILE.map((k, i) => ({ i, k, a: [k, 'x'] })));
  const back = await store.rows<{ i: number; k: string; a: string[] }>('SELECT i, k, a FROM hostile ORDER BY i');
  assert.deepEqual(back.map((r) => r.k), HOSTILE);
  assert.deepEqual(back.map((r) => r.a[0]), HOSTILE);
  // Each value as a parameter finds exactly its own row: compared literally, never read as SQL.
  for (const [i, v] of HOSTILE.entries()) {
    const r = await store.rows<{ i: number }>('SELECT i FROM hostile WHERE k = {v:String} AND has(a, {v:String}) AND has({is:Array(UInt32)}, i)', { v, is: [i, 99] });
    assert.deepEqual(r.map((x) => Number(x.i)), [i], JSON.stringify(v));
  }
  let streamed = 0;
  for await (const row of store.stream<{ k: string }>('SELECT k FROM hostile WHERE k != {v:String} ORDER BY i', { v: "it's" })) {
    assert.equal(row.k, HOSTILE[++streamed]);
  }
  assert.equal(streamed, HOSTILE.length - 1);
  assert.equal((await store.rows<{ n: number }>('SELECT count() AS n FROM hostile'))[0]!.n, HOSTILE.length, 'the table is still there');
  await store.exec('DROP TABLE hostile');
}

test('chDB: hostile values stored and matched literally (parameters bound by the engine)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-chdb-open-'));
  const store = await openStore(join(dir, 'store'));
  try {
    assert.equal(store.info.kind, 'chdb');
    assert.ok(store.info.major >= 24, store.info.version);
    await roundTrip(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const server = process.env['EXHUNT_TEST_CLICKHOUSE'];
test('ClickHouse server: hostile values stored and matched literally', { skip: server ? false : 'EXHUNT_TEST_CLICKHOUSE is not set (.ci/run starts Debian\'s clickhouse-server and sets it)' }, async () => {
  const store = await openStore(server!);
  try {
    assert.equal(store.info.kind, 'server');
    assert.ok(!store.info.where.includes('@'));
    await roundTrip(store);
  } finally {
    await store.close();
  }
});
