// StoreClient: the one interface through which exhunt reaches ClickHouse, embedded (chDB, in-process) or a server or
// cluster (@clickhouse/client over HTTP). Everything above it (ingest, retro-hunt, fleet) writes one SQL for both.

/**
 * Query parameters, written in SQL as `{name:Type}` (ClickHouse's server-side parameter syntax). A client binds
 * them server-side where the engine supports it and otherwise substitutes a literal made by the proven escaping
 * function (literal.ts) — never by pasting a value into SQL text.
 */
export type StoreParams = Readonly<Record<string, string | number | bigint | boolean | readonly string[] | readonly number[]>>;

export type StoreKind = 'chdb' | 'server';

export interface StoreInfo {
  readonly kind: StoreKind;
  /** `SELECT version()`, e.g. '26.7.2.1' (chDB) or '18.16.1' (Debian's server). */
  readonly version: string;
  /** Major and minor of `version`, for choosing optional speed-ups (multiSearchAny*, DateTime64, ...). */
  readonly major: number;
  readonly minor: number;
  readonly database: string;
  /** Cluster name for Distributed tables (from `?cluster=`), or null for one node / chDB. */
  readonly cluster: string | null;
  /** Where the store is, for messages: the directory, or the URL without user and password. */
  readonly where: string;
}

export interface StoreClient {
  readonly info: StoreInfo;
  /** A statement with no result (DDL, INSERT ... SELECT, ALTER). */
  exec(sql: string, params?: StoreParams): Promise<void>;
  /** A query's rows, as objects (JSONEachRow). For small results. */
  rows<T extends object>(sql: string, params?: StoreParams): Promise<T[]>;
  /** A query's rows streamed, for results of any size. */
  stream<T extends object>(sql: string, params?: StoreParams): AsyncIterable<T>;
  /** Insert rows (objects keyed by column name) into a table. */
  insert(table: string, rows: readonly object[]): Promise<void>;
  /** Insert rows already serialised as JSONEachRow (one JSON object per line): the engine parses the bytes. */
  insertJsonLines(table: string, lines: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

/** Rows as JSONEachRow text (one JSON object per line), what insert() hands to insertJsonLines(). */
export function jsonEachRow(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n');
}

/** ClickHouse quotes a failed expression whole (megabytes for a big rule group): a message keeps its head and tail. */
export function clipMessage(msg: string, max = 600): string {
  return msg.length <= max ? msg : `${msg.slice(0, max - 200)} … ${msg.slice(-180)}`;
}
