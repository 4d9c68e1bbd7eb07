// The events table's granules: 1024 rows on a new store (chDB, and Debian's 18.16 when EXHUNT_TEST_CLICKHOUSE names
// one), the other tables ClickHouse's default.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSchema, EVENTS_GRANULARITY, mergeTreeDdl, TABLE_DEFS } from './ddl.js';
import { openStore } from './open.js';
import type { StoreClient } from './client.js';

async function createQuery(store: StoreClient, table: string): Promise<string> {
  const [r] = await store.rows<{ statement: string }>(`SHOW CREATE TABLE ${table}`);
  return r?.statement ?? '';
}

test('a new store keeps its events in granules of 1024 rows, its other tables in the default', async () => {
  assert.equal(EVENTS_GRANULARITY, 1024);
  assert.match(mergeTreeDdl('events', TABLE_DEFS.events), /ORDER BY \(`host`, `source`, `service`, `channel`, `event_id`, `t`\) SETTINGS index_granularity = 1024$/);
  assert.doesNotMatch(mergeTreeDdl('evidence', TABLE_DEFS.evidence), /index_granularity/);
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ddl-'));
  const store = await openStore(dir);
  try {
    await ensureSchema(store);
    assert.match(await createQuery(store, 'events'), /index_granularity = 1024\b/);
    assert.match(await createQuery(store, 'evidence'), /index_granularity = 8192\b/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ClickHouse server: the events DDL is accepted with its granularity', { skip: !process.env['EXHUNT_TEST_CLICKHOUSE'] }, async () => {
  const store = await openStore(process.env['EXHUNT_TEST_CLICKHOUSE']!);
  try {
    await store.exec('DROP TABLE IF EXISTS granularity_probe');
    await store.exec(mergeTreeDdl('granularity_probe', TABLE_DEFS.events));
    assert.match(await createQuery(store, 'granularity_probe'), /index_granularity = 1024\b/);
  } finally {
    await store.exec('DROP TABLE IF EXISTS granularity_probe').catch(() => undefined);
    await store.close();
  }
});
