// Test support: a store in a temp directory (chDB, or the server named by EXHUNT_TEST_CLICKHOUSE[_CLUSTER])
// with the schema, and events put in through eventToRow with each file's attempt marked complete.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HuntEvent } from '../../event.js';
import { ensureSchema, eventToRow, openStore, truncateTables, type StoreClient } from '../clickhouse/index.js';

export interface TestStore {
  client: StoreClient;
  close(): Promise<void>;
}

/** A fresh embedded store, or (given a URL) the server's database emptied first (on a cluster: every shard). */
export async function openTestStore(url?: string): Promise<TestStore> {
  if (url) {
    const client = await openStore(url);
    await ensureSchema(client);
    await truncateTables(client, ['events', 'evidence']);
    // Through the Distributed table on a cluster: every shard's rows.
    const [left] = await client.rows<{ n: number | string }>('SELECT count() AS n FROM events');
    if (Number(left?.n) !== 0) throw new Error(`the test store still holds ${String(left?.n)} events after emptying`);
    return { client, close: () => client.close() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-hunt-store-'));
  const client = await openStore(dir);
  await ensureSchema(client);
  return {
    client,
    close: async () => {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Events of one host stored as ingest stores them: rows through eventToRow, each file's attempt complete. */
export async function putEvents(client: StoreClient, host: string, collection: string, events: readonly HuntEvent[]): Promise<void> {
  const paths = new Set<string>();
  const rows = events.map((e) => {
    paths.add(e.ref.path);
    return eventToRow(e, { host, collection, sha256: '', ingestId: `${host}\u0000${e.ref.path}` });
  });
  for (let i = 0; i < rows.length; i += 20_000) await client.insert('events', rows.slice(i, i + 20_000));
  await client.insert(
    'evidence',
    [...paths].map((path) => ({ host, collection, path, kind: '', size: 0, sha256: '', ingest_id: `${host}\u0000${path}`, complete: 1, events: 0, first_t: 0, last_t: 0, coverage: '', scan_id: '', ingested_at: 0 })),
  );
}
