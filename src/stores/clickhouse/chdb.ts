// StoreClient over chDB: ClickHouse 26.x in this process, its data in a directory. chDB is an optional dependency
// loaded here only (await import), so exhunt runs without it and says what is missing where a store is asked for.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { HuntError } from '../../diagnostics.js';
import { clipMessage, jsonEachRow, type StoreClient, type StoreInfo, type StoreParams } from './client.js';
import { NativeDecoder, UnsupportedNative } from './native.js';

type ChdbModule = typeof import('chdb');
type ChdbSession = InstanceType<ChdbModule['Session']>;

let loaded: Promise<ChdbModule> | null = null;

/** chDB, loaded once; a HuntError saying what to do where it is absent or the platform has no build. */
export function loadChdb(): Promise<ChdbModule> {
  loaded ??= (async () => {
    if (process.platform === 'win32') {
      throw new HuntError('STORE_UNAVAILABLE', 'the embedded store (chDB) has no Windows build: run exhunt in WSL2, or use a ClickHouse server (--store http://host:8123/?database=NAME)');
    }
    try {
      return await import('chdb');
    } catch (e) {
      loaded = null;
      throw new HuntError('STORE_UNAVAILABLE', `the embedded store needs the optional package chdb, which is not installed or has no build for ${process.platform}-${process.arch} (npm install chdb), or use a ClickHouse server (--store http://host:8123/?database=NAME): ${(e as Error).message}`, undefined, { cause: e });
    }
  })();
  return loaded;
}

function jsonLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as T);
  return out;
}

function queryError(e: unknown, sql: string): HuntError {
  if (e instanceof HuntError) return e;
  const msg = clipMessage(((e as Error).message ?? String(e)).split('\n')[0]!);
  return new HuntError('STORE_QUERY', `the embedded store refused a query: ${msg} (${sql.slice(0, 120).replace(/\s+/g, ' ')})`, undefined, { cause: e });
}

export class ChdbStore implements StoreClient {
  private constructor(
    readonly info: StoreInfo,
    private readonly chdb: ChdbModule,
    private session: ChdbSession | null,
  ) {}

  /** Opens (creating if absent) the store in `dir`, with its database. One chDB data directory per process. */
  static async open(dir: string, database = 'exhunt'): Promise<ChdbStore> {
    const chdb = await loadChdb();
    const path = resolve(dir);
    try {
      mkdirSync(path, { recursive: true });
    } catch (e) {
      throw new HuntError('STORE_SPEC', `cannot create the store directory ${path}: ${(e as Error).message}`, { path }, { cause: e });
    }
    // A previous session of this process may still be closing: chDB refuses a new one until it is gone.
    await chdb.drainPending();
    let session: ChdbSession;
    try {
      session = new chdb.Session(path);
    } catch (e) {
      throw new HuntError('STORE_UNAVAILABLE', `cannot open the embedded store at ${path}: ${(e as Error).message}`, { path }, { cause: e });
    }
    const version = (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
    const [major, minor] = version.split('.').map(Number);
    await session.queryAsync(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
    await session.queryAsync(`USE \`${database}\``);
    const info: StoreInfo = { kind: 'chdb', version, major: major ?? 0, minor: minor ?? 0, database, cluster: null, where: path };
    return new ChdbStore(info, chdb, session);
  }

  private live(): ChdbSession {
    if (!this.session) throw new HuntError('STORE_UNAVAILABLE', `the store at ${this.info.where} is closed`);
    return this.session;
  }

  async exec(sql: string, params?: StoreParams): Promise<void> {
    try {
      if (params && Object.keys(params).length) await this.live().queryBindAsync(sql, params, { format: 'TabSeparated' });
      else await this.live().queryAsync(sql, { format: 'TabSeparated' });
    } catch (e) {
      throw queryError(e, sql);
    }
  }

  async rows<T extends object>(sql: string, params?: StoreParams): Promise<T[]> {
    try {
      const r = params && Object.keys(params).length
        ? await this.live().queryBindAsync(sql, params, { format: 'JSONEachRow' })
        : await this.live().queryAsync(sql, { format: 'JSONEachRow' });
      return jsonLines<T>(r.text());
    } catch (e) {
      throw queryError(e, sql);
    }
  }

  /**
   * Rows streamed in ClickHouse's Native format, decoded in JS (native.ts): ClickHouse's JSONEachRow writer
   * cost more than the retro-hunt's queries over their events (1 M bench events, the value-set events pass: the
   * SQL 3.4 CPU-s, its JSON 1.3 more, JSON.parse 0.3), and RowBinary, written row by row, more than Native's
   * columns (the same passes: 2.9 CPU-s against 2.3). A result with a column the decoder does not read (DateTime,
   * LowCardinality, …) is asked again as JSONEachRow before any of its rows is yielded.
   */
  async *stream<T extends object>(sql: string, params?: StoreParams): AsyncIterable<T> {
    let json = false;
    const s = this.open(sql, params, 'Native');
    const decoder = new NativeDecoder();
    try {
      for await (const chunk of s) {
        let rows: T[];
        try {
          rows = decoder.decode<T>(chunk.raw());
        } catch (e) {
          if (!(e instanceof UnsupportedNative)) throw e;
          json = true;
          break;
        }
        yield* rows;
      }
    } catch (e) {
      throw queryError(e, sql);
    } finally {
      s.cancel();
    }
    if (!json) return;
    const j = this.open(sql, params, 'JSONEachRow');
    try {
      for await (const row of j.rows<T>()) yield row;
    } catch (e) {
      throw queryError(e, sql);
    } finally {
      j.cancel();
    }
  }

  private open(sql: string, params: StoreParams | undefined, format: string): ReturnType<ChdbSession['queryStream']> {
    return params && Object.keys(params).length ? this.live().queryStreamBind(sql, params, { format }) : this.live().queryStream(sql, { format });
  }

  async insert(table: string, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return;
    await this.insertJsonLines(table, jsonEachRow(rows));
  }

  async insertJsonLines(table: string, lines: string | Buffer): Promise<void> {
    if (lines.length === 0) return;
    try {
      // Raw passthrough: the engine's parser reads the bytes; JS builds no object tree per row.
      await this.live().insert({ table, values: typeof lines === 'string' ? Buffer.from(lines) : lines, format: 'JSONEachRow' });
    } catch (e) {
      throw queryError(e, `INSERT INTO ${table}`);
    }
  }

  async close(): Promise<void> {
    const s = this.session;
    this.session = null;
    s?.close();
    await this.chdb.drainPending();
  }
}
