// StoreClient over a ClickHouse server or cluster (HTTP, @clickhouse/client). Query parameters are bound by the
// server where it can (probed once: 18.16 cannot), else written as literals by substituteParams (literal.ts).
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { HuntError } from '../../diagnostics.js';
import { clipMessage, jsonEachRow, type StoreClient, type StoreInfo, type StoreParams } from './client.js';
import { substituteParams } from './params.js';
import { hotColumnType } from './schema.js';

/** Where a server is and how to log in; the password is never part of `where`. */
export interface ServerTarget {
  /** http(s)://host:port, no credentials, no path. */
  readonly origin: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
  readonly cluster: string | null;
  /** Shards' HTTP origins given in the URL (&shard=), for creating the local tables on each. */
  readonly shards: readonly string[];
}

// Codes of ClickHouse's errors that mean the credentials were refused (REQUIRED_PASSWORD, WRONG_PASSWORD,
// UNKNOWN_USER, AUTHENTICATION_FAILED, IP_ADDRESS_NOT_ALLOWED).
const AUTH_CODES = new Set(['194', '193', '192', '516', '195']);
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ETIMEDOUT|socket hang up|Timeout error|other side closed/i;

/** A client error as a HuntError with a one-line message that names the server (never the password). */
export function serverError(e: unknown, where: string, sql?: string): HuntError {
  if (e instanceof HuntError) return e;
  const err = e as Error & { code?: string };
  const msg = clipMessage((err.message ?? String(e)).split('\n')[0]!);
  // ClickHouse's own errors: "Code: 193, e.displayText() = DB::Exception: ..." (18.16, which the client does not
  // parse into a ClickHouseError) or a ClickHouseError with `code` (newer servers).
  const code = /^\d+$/.test(err.code ?? '') ? err.code! : (/^Code: (\d+)/.exec(msg)?.[1] ?? null);
  const fromServer = code !== null;
  if (fromServer && AUTH_CODES.has(code)) {
    return new HuntError('STORE_AUTH', `the ClickHouse server at ${where} refused the login: ${msg}`, undefined, { cause: e });
  }
  if (fromServer) {
    const what = sql ? ` (${sql.slice(0, 120).replace(/\s+/g, ' ')})` : '';
    return new HuntError('STORE_QUERY', `the ClickHouse server at ${where} refused a query: ${msg}${what}`, undefined, { cause: e });
  }
  if (UNREACHABLE.test(msg) || UNREACHABLE.test(err.code ?? '')) {
    return new HuntError('STORE_UNREACHABLE', `the ClickHouse server at ${where} cannot be reached (${err.code ?? msg})`, undefined, { cause: e });
  }
  return new HuntError('STORE_UNREACHABLE', `the ClickHouse server at ${where} failed: ${msg}`, undefined, { cause: e });
}

function makeClient(t: ServerTarget, database: string | null): ClickHouseClient {
  return createClient({
    url: t.origin,
    username: t.username,
    password: t.password,
    ...(database ? { database } : {}),
    application: 'exhunt',
    request_timeout: 600_000,
    // The client logs failed requests to the console itself; exhunt reports them once, as a HuntError.
    log: { level: ClickHouseLogLevel.OFF },
    // 64-bit integers as JSON numbers, as chDB gives them, so both engines' rows read alike (counts, lines).
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
  });
}

export class ServerStore implements StoreClient {
  private constructor(
    readonly info: StoreInfo,
    readonly target: ServerTarget,
    private readonly client: ClickHouseClient,
    /** Whether the server binds {name:Type} parameters itself (probed at open). */
    readonly binds: boolean,
  ) {}

  /** Connects, checks the login, creates the database if absent, and learns the version and parameter support. */
  static async open(t: ServerTarget): Promise<ServerStore> {
    const where = `${t.origin}/?database=${t.database}${t.cluster ? `&cluster=${t.cluster}` : ''}`;
    const admin = makeClient(t, null);
    let version: string;
    try {
      const rs = await admin.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      version = ((await rs.json()) as { v: string }[])[0]!.v;
      await admin.command({ query: `CREATE DATABASE IF NOT EXISTS \`${t.database}\`` });
    } catch (e) {
      throw serverError(e, where);
    } finally {
      await admin.close();
    }
    const client = makeClient(t, t.database);
    let binds = true;
    try {
      const rs = await client.query({ query: 'SELECT {p:UInt8} AS p', format: 'JSONEachRow', query_params: { p: 7 } });
      binds = ((await rs.json()) as { p: number }[])[0]?.p === 7;
    } catch {
      binds = false; // "Unknown setting param_p" (18.16): parameters are written as literals
    }
    const [major, minor] = version.split('.').map(Number);
    const info: StoreInfo = { kind: 'server', version, major: major ?? 0, minor: minor ?? 0, database: t.database, cluster: t.cluster, where };
    return new ServerStore(info, t, client, binds);
  }

  /** The same login on another server (a shard), for DDL that must run on each. */
  static async sibling(t: ServerTarget, origin: string): Promise<ServerStore> {
    return ServerStore.open({ ...t, origin, cluster: null, shards: [] });
  }

  private prepare(sql: string, params?: StoreParams): { query: string; query_params?: Record<string, unknown> } {
    if (!params || Object.keys(params).length === 0) return { query: sql };
    if (this.binds) return { query: sql, query_params: params as Record<string, unknown> };
    return { query: substituteParams(sql, params) };
  }

  private get settings(): Record<string, 0 | 1 | string> {
    // On a cluster: a Distributed table's insert returns once every shard has the rows (what ingest marks
    // complete is visible); and a subquery on a Distributed table inside a distributed query (visibleEvents'
    // `IN (SELECT … FROM evidence)`) reads each shard's local table — right, since every table is sharded by host.
    return this.info.cluster ? { insert_distributed_sync: 1, distributed_product_mode: 'local' } : {};
  }

  /**
   * A server whose hot columns are String (18.x, hotColumnType; a cluster's shards too) computes them at insert
   * holding about 75 KB of memory a row (19,985 bench rows: 1.5 GB): its inserts are cut into blocks of 4,096 rows
   * (about 300 MB), not one block per insert (ingest's 50,000 rows: 3.7 GB of its 9.3 GiB limit).
   */
  private get insertBlocks(): Record<string, string> {
    return hotColumnType(this.info) === 'String' ? { max_insert_block_size: '4096' } : {};
  }

  async exec(sql: string, params?: StoreParams): Promise<void> {
    try {
      await this.client.command({ ...this.prepare(sql, params), clickhouse_settings: this.settings });
    } catch (e) {
      throw serverError(e, this.info.where, sql);
    }
  }

  async rows<T extends object>(sql: string, params?: StoreParams): Promise<T[]> {
    try {
      const rs = await this.client.query({ ...this.prepare(sql, params), format: 'JSONEachRow', clickhouse_settings: this.settings });
      return (await rs.json()) as T[];
    } catch (e) {
      throw serverError(e, this.info.where, sql);
    }
  }

  async *stream<T extends object>(sql: string, params?: StoreParams): AsyncIterable<T> {
    let rs;
    try {
      rs = await this.client.query({ ...this.prepare(sql, params), format: 'JSONEachRow', clickhouse_settings: this.settings });
    } catch (e) {
      throw serverError(e, this.info.where, sql);
    }
    try {
      for await (const batch of rs.stream()) for (const row of batch as { json(): T }[]) yield row.json();
    } catch (e) {
      throw serverError(e, this.info.where, sql);
    }
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insertJsonLines(table, jsonEachRow(rows));
  }

  async insertJsonLines(table: string, lines: string | Buffer): Promise<void> {
    if (lines.length === 0) return;
    try {
      // The rows go as JSONEachRow bytes, parsed by the server: JSON from JS is what both engines read alike.
      const r = await this.client.exec({
        query: `INSERT INTO \`${table}\` FORMAT JSONEachRow`,
        values: Readable.from([typeof lines === 'string' ? Buffer.from(lines) : lines]),
        clickhouse_settings: { ...this.settings, ...this.insertBlocks },
      });
      r.stream.resume();
      await new Promise<void>((ok, fail) => r.stream.once('end', ok).once('error', fail));
    } catch (e) {
      throw serverError(e, this.info.where, `INSERT INTO ${table}`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
