// Test support: an embedded chDB store with the events and evidence tables, and events put in through
// eventToRow (until the store helper's ingest is merged), each file marked completely ingested.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HuntEvent } from '../../event.js';
import type { StoreClient, StoreInfo, StoreParams } from '../clickhouse/client.js';
import { eventToRow } from '../clickhouse/event-row.js';
import { sqlLiteral } from '../clickhouse/literal.js';
import { EVENT_COLUMNS, EVENT_ORDER, EVIDENCE_COLUMNS } from '../clickhouse/schema.js';

interface ChdbSession {
  query(sql: string, format?: string): { toString(): string } | string;
  cleanup?(): void;
  close?(): void;
}

/** {name:Type} parameters replaced by literals made by sqlLiteral (the proven escaping). */
function bind(sql: string, params?: StoreParams): string {
  if (!params) return sql;
  return sql.replace(/\{(\w+):[^}]+\}/g, (m, n: string) => (n in params ? sqlLiteral(params[n]!) : m));
}

export class TestChdb implements StoreClient {
  readonly info: StoreInfo;
  private constructor(
    private readonly session: ChdbSession,
    readonly dir: string,
    version: string,
  ) {
    const [major, minor] = version.split('.').map(Number);
    this.info = { kind: 'chdb', version, major: major!, minor: minor!, database: 'default', cluster: null, where: dir };
  }

  static async open(): Promise<TestChdb> {
    const { Session } = (await import('chdb')) as unknown as { Session: new (dir: string) => ChdbSession };
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-hunt-chdb-'));
    const s = new Session(dir);
    const version = String(s.query('SELECT version()', 'TSV')).trim();
    const db = new TestChdb(s, dir, version);
    const cols = (c: readonly { name: string; type: string }[]): string => c.map((x) => `\`${x.name}\` ${x.type}`).join(', ');
    await db.exec(`CREATE TABLE events (${cols(EVENT_COLUMNS)}) ENGINE = MergeTree ORDER BY (${EVENT_ORDER.join(', ')})`);
    await db.exec(`CREATE TABLE evidence (${cols(EVIDENCE_COLUMNS)}) ENGINE = MergeTree ORDER BY (host, path)`);
    return db;
  }

  async exec(sql: string, params?: StoreParams): Promise<void> {
    this.session.query(bind(sql, params), 'TSV');
  }
  async rows<T extends object>(sql: string, params?: StoreParams): Promise<T[]> {
    const text = String(this.session.query(bind(sql, params), 'JSONEachRow'));
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as T);
  }
  async *stream<T extends object>(sql: string, params?: StoreParams): AsyncIterable<T> {
    yield* await this.rows<T>(sql, params);
  }
  async insert(table: string, rows: readonly object[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 5000) {
      const lines = rows
        .slice(i, i + 5000)
        .map((r) => JSON.stringify(r))
        .join('\n');
      this.session.query(`INSERT INTO ${table} FORMAT JSONEachRow\n${lines}`, 'TSV');
    }
  }
  async close(): Promise<void> {
    this.session.cleanup?.();
    this.session.close?.();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Events of one host stored as ingest would: rows through eventToRow, each file's attempt marked complete. */
  async putEvents(host: string, collection: string, events: readonly HuntEvent[]): Promise<void> {
    const paths = new Set<string>();
    const rows = events.map((e) => {
      paths.add(e.ref.path);
      return eventToRow(e, { host, collection, sha256: '', ingestId: `${host}\u0000${e.ref.path}` });
    });
    await this.insert('events', rows);
    await this.insert(
      'evidence',
      [...paths].map((path) => ({ host, collection, path, kind: '', size: 0, sha256: '', ingest_id: `${host}\u0000${path}`, complete: 1, events: 0, first_t: 0, last_t: 0, coverage: '', scan_id: '', ingested_at: 0 })),
    );
  }
}
