// Faults during exhunt ingest on real ClickHouse: an ingest killed (SIGKILL) mid-file on chDB, and a server that
// goes away mid-ingest (EXHUNT_TEST_CLICKHOUSE, reached through a TCP relay this test cuts). Nothing half-written
// is ever visible, and a re-run stores each event exactly once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bigIisCollection, bin, cli, eventCounts, freshDb, NO_SERVER } from './store-fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-store-e2e-'));
after(() => rmSync(work, { recursive: true, force: true }));
const BIG = 120_000;
const big = bigIisCollection(join(work, 'EXCH-BIG'), BIG);
const SERVER = process.env['EXHUNT_TEST_CLICKHOUSE'];

/** Parts of the events table chDB has written (its UUID from the table's metadata): events are on disk. */
function eventParts(dir: string): number {
  const meta = join(dir, 'metadata', 'exhunt', 'events.sql');
  if (!existsSync(meta)) return 0;
  const uuid = /UUID '([0-9a-f-]{36})'/.exec(readFileSync(meta, 'utf8'))?.[1];
  const data = uuid ? join(dir, 'store', uuid.slice(0, 3), uuid) : '';
  return data && existsSync(data) ? readdirSync(data).filter((n) => /^all_\d+_\d+_\d+$/.test(n)).length : 0;
}

test('chDB: an ingest killed (SIGKILL) mid-file leaves nothing half-visible; a re-run stores each event exactly once', async () => {
  const store = join(work, 'chdb-killed');
  const child = spawn(process.execPath, [bin, 'ingest', big, '--store', store, '--no-builtin-rules', '--no-rule-cache', '-q'], { stdio: 'ignore' });
  const exited = new Promise((res) => child.on('exit', res));
  // Killed once an insert of events is on disk (the big file needs five).
  while (eventParts(store) < 1 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', 'the ingest was killed before it finished');
  const mid = eventCounts(store);
  assert.ok(mid.all_rows > 0, 'events of the killed attempt were stored');
  assert.ok(mid.visible < BIG, `the big file is not visible half-written (${JSON.stringify(mid)})`);
  const again = await cli(['ingest', big, '--store', store, '--no-builtin-rules', '--no-rule-cache']);
  assert.equal(again.code, 0, again.err);
  const end = eventCounts(store);
  assert.equal(end.visible, BIG + 100);
  assert.equal(end.distinct_events, end.visible, 'each event exactly once');
  assert.equal(end.complete_files, 2);
  assert.ok(end.all_rows > end.visible, 'the killed attempt stays stored but invisible');
});

test('a server that goes away mid-ingest: a clear error, exit 2, and a re-run completes the job', { skip: SERVER ? false : NO_SERVER }, async () => {
  const target = new URL(SERVER!);
  const sockets = new Set<Socket>();
  let upstreamBytes = 0;
  let cut: () => void = () => {};
  const cutAt = 2 << 20; // a first insert of events is on its way
  const proxy = createServer((client) => {
    const up = connect(Number(target.port), target.hostname);
    sockets.add(client).add(up);
    client.on('data', (d: Buffer) => {
      upstreamBytes += d.length;
      if (upstreamBytes > cutAt) cut();
    });
    client.pipe(up).pipe(client);
    client.on('error', () => undefined);
    up.on('error', () => client.destroy());
  });
  cut = () => {
    proxy.close();
    for (const s of sockets) s.destroy();
  };
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  const db = freshDb(SERVER!);
  const viaProxy = new URL(db);
  viaProxy.port = String(port);
  const r = await cli(['ingest', big, '--store', viaProxy.toString(), '--no-builtin-rules', '--no-rule-cache', '-q']);
  cut();
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^exhunt ingest: error\[STORE_UNREACHABLE\].*cannot be reached|failed/m);
  assert.equal(r.err.trim().split('\n').length, 1, 'one line');
  const mid = eventCounts(db);
  assert.ok(mid.visible < BIG, JSON.stringify(mid));
  const again = await cli(['ingest', big, '--store', db, '--no-builtin-rules', '--no-rule-cache', '-q']);
  assert.equal(again.code, 0, again.err);
  const end = eventCounts(db);
  assert.equal(end.visible, BIG + 100);
  assert.equal(end.distinct_events, end.visible);
});

