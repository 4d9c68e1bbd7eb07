// End to end: a generated fleet written into an embedded store (direct inserts of what ingest stores), then
// `exhunt fleet`: verdict per host, the operator's shared indicators, the order the servers fell, per-host reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { runCli } from '../e2e/run-cli.js';
import { ensureSchema, openStore } from '../../src/stores/index.js';
import { insertCollections, type StoredCollection } from '../../src/stores/clickhouse/testkit.js';
import { ATTACKER, SHELL, fleetCollections, hostileCollection } from './fleet-fixture.js';

let chdbMissing: string | false = false;
try {
  await import('chdb');
} catch {
  chdbMissing = 'needs the optional dependency chdb';
}

/** A store holding `cols`: a fresh embedded one, or a fresh database on the server (every shard) at `server`. */
async function storeWith(cols: StoredCollection[], server?: string): Promise<{ spec: string; drop: () => Promise<void> }> {
  let spec: string;
  let drop: () => Promise<void>;
  if (server === undefined) {
    spec = mkdtempSync(join(tmpdir(), 'exhunt-fleet-store-'));
    drop = async () => rmSync(spec, { recursive: true, force: true });
  } else {
    const url = new URL(server);
    const db = `exhunt_fleet_${process.pid}_${Date.now()}`;
    const origins = [url.origin + '/', ...url.searchParams.getAll('shard')];
    const run = async (sql: string) => {
      for (const o of origins) {
        const r = await fetch(o, { method: 'POST', body: sql });
        assert.ok(r.ok, `${o}: ${await r.text()}`);
      }
    };
    await run(`CREATE DATABASE ${db}`);
    url.searchParams.set('database', db);
    spec = url.href;
    drop = () => run(`DROP DATABASE IF EXISTS ${db}`);
  }
  const s = await openStore(spec);
  try {
    await ensureSchema(s);
    await insertCollections(s, cols);
  } finally {
    await s.close();
  }
  return { spec, drop };
}

interface FleetJson {
  counts: Record<string, number>;
  hosts: { host: string; verdict: string; firstMalicious: string | null; episodes: number | null; openCves: { cve: string }[]; report: string; coverage: { webLogs: boolean } }[];
  sharedIndicators: { type: string; value: string; hosts: string[]; first: string | null; last: string | null }[];
  campaign: { fell: { day: string; count: number }[]; exploitation: { day: string; byFamily: Record<string, number> }[] };
  techniques: { id: string; hosts: number }[];
}

async function fleetEndToEnd(server?: string): Promise<void> {
  const { spec: store, drop } = await storeWith(fleetCollections(), server);
  const out = mkdtempSync(join(tmpdir(), 'exhunt-fleet-out-'));
  try {
    const r = await runCli(['fleet', '--store', store, '--out', out]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /4 servers: 2 compromised, 0 exploitation attempted, 1 blind, 1 exposed only, 0 no evidence/);
    const fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetJson;
    // most urgent first, and the two compromised servers in the order they fell
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.verdict]), [['EX01', 'compromised'], ['EX02', 'compromised'], ['EX04', 'blind'], ['EX03', 'exposed']]);
    assert.equal(fleet.hosts[0]!.firstMalicious, '2021-03-03T01:05:00.000Z');
    assert.equal(fleet.hosts[1]!.firstMalicious, '2021-03-05T01:05:00.000Z');
    assert.deepEqual(fleet.campaign.fell, [{ day: '2021-03-03', count: 1 }, { day: '2021-03-05', count: 1 }]);
    assert.equal(fleet.hosts[0]!.episodes, 2);
    assert.equal(fleet.hosts[2]!.coverage.webLogs, false);
    assert.ok(fleet.hosts[3]!.openCves.some((c) => c.cve === 'CVE-2021-26855'));
    // the operator's indicators tie EX01 and EX02 together; the web shell's different hashes do not
    const shared = (type: string, value: string) => fleet.sharedIndicators.find((s) => s.type === type && s.value === value);
    assert.deepEqual(shared('ip', ATTACKER)?.hosts, ['EX01', 'EX02']);
    assert.equal(shared('ip', ATTACKER)?.first, '2021-03-03T01:05:00.000Z');
    assert.equal(shared('ip', ATTACKER)?.last, '2021-03-05T02:04:30.000Z');
    assert.deepEqual(shared('file-name', SHELL)?.hosts, ['EX01', 'EX02']);
    assert.deepEqual(shared('user-agent', 'antSword/v2.1')?.hosts, ['EX01', 'EX02']);
    assert.equal(fleet.sharedIndicators.some((s) => s.type === 'sha256'), false);
    assert.equal(fleet.sharedIndicators.some((s) => s.value.endsWith('$')), false, 'machine accounts are no indicator');
    // exploitation per day by family: ProxyLogon on both days (the scanner's probes are not attempts)
    assert.deepEqual(fleet.campaign.exploitation.map((d) => [d.day, d.byFamily['ProxyLogon']]), [['2021-03-03', 4], ['2021-03-05', 4]]);
    assert.equal(fleet.techniques.find((t) => t.id === 'T1505.003')?.hosts, 2);

    // every row links to a report that exists, rebuilt from the stored findings
    const page = readFileSync(join(out, 'fleet.html'), 'utf8');
    for (const h of fleet.hosts) {
      assert.ok(page.includes(`href="${h.report}"`), `fleet.html links ${h.report}`);
      assert.ok(existsSync(join(out, h.report)), h.report);
    }
    const ex1 = readFileSync(join(out, 'hosts', 'EX01', 'findings.jsonl'), 'utf8').trim().split('\n');
    assert.equal(ex1.length, fleetCollections().find((c) => c.host === 'EX01')!.findings.length);
    assert.match(readFileSync(join(out, 'hosts', 'EX01', 'report.html'), 'utf8'), /Compromised/);
    // the fleet-wide timeline: every host's findings in time order, the host on every row
    const csv = readFileSync(join(out, 'timeline.csv'), 'utf8').trim().split('\r\n');
    assert.equal(csv.length - 1, fleetCollections().reduce((n, c) => n + c.findings.length, 0));
    assert.ok(csv.slice(1).every((l) => /^"[^"]*","[^"]*","[^"]*","EX0[1-4]"/.test(l)), csv[1]);
    const layer = JSON.parse(readFileSync(join(out, 'attack-layer.json'), 'utf8')) as { techniques: { techniqueID: string; score?: number }[] };
    assert.equal(layer.techniques.find((t) => t.techniqueID === 'T1190')?.score, 2);
    const stix = JSON.parse(readFileSync(join(out, 'stix.json'), 'utf8')) as { objects: { type: string; pattern?: string; sighting_of_ref?: string; id: string }[] };
    const ipInd = stix.objects.find((o) => o.type === 'indicator' && o.pattern === `[ipv4-addr:value = '${ATTACKER}']`);
    assert.ok(ipInd);
    assert.equal(stix.objects.filter((o) => o.type === 'sighting' && o.sighting_of_ref === ipInd.id).length, 2, 'a sighting per server');

    // --host narrows the fleet; --since leaves out what came before
    const one = join(out, 'one');
    assert.equal((await runCli(['fleet', '--store', store, '--out', one, '--host', 'EX02'])).code, 0);
    const f1 = JSON.parse(readFileSync(join(one, 'fleet.json'), 'utf8')) as FleetJson;
    assert.deepEqual(f1.hosts.map((h) => h.host), ['EX02']);
    assert.deepEqual(f1.sharedIndicators, []);
    const later = join(out, 'later');
    assert.equal((await runCli(['fleet', '--store', store, '--out', later, '--since', '2021-03-04'])).code, 0);
    const f2 = JSON.parse(readFileSync(join(later, 'fleet.json'), 'utf8')) as FleetJson;
    assert.equal(f2.hosts.find((h) => h.host === 'EX01')!.firstMalicious, null);
    assert.equal(f2.hosts.find((h) => h.host === 'EX02')!.firstMalicious, '2021-03-05T01:05:00.000Z');
  } finally {
    await drop();
    rmSync(out, { recursive: true, force: true });
  }
}

test('exhunt fleet on the embedded store: verdict per host, shared indicators, the order the servers fell, per-host reports', { skip: chdbMissing }, () => fleetEndToEnd());

// the same on Debian's clickhouse-server (18.16), one node and two shards, when .ci/run started them
const single = process.env['EXHUNT_TEST_CLICKHOUSE'];
const cluster = process.env['EXHUNT_TEST_CLICKHOUSE_CLUSTER'];
test('exhunt fleet on a ClickHouse server (one node)', { skip: !single && 'EXHUNT_TEST_CLICKHOUSE is not set (scripts/clickhouse-local.sh start DIR PORT prints it)' }, () => fleetEndToEnd(single));
test('exhunt fleet on a two-shard ClickHouse cluster', { skip: !cluster && 'EXHUNT_TEST_CLICKHOUSE_CLUSTER is not set (scripts/clickhouse-local.sh start DIR PORT --shards 2 prints it)' }, () => fleetEndToEnd(cluster));

test('exhunt fleet: a hostile host name gets a folder inside hosts/, and a missing store is exit 2', { skip: chdbMissing }, async () => {
  const { spec: store, drop } = await storeWith([...fleetCollections().slice(0, 1), hostileCollection()]);
  const out = mkdtempSync(join(tmpdir(), 'exhunt-fleet-out-'));
  try {
    const r = await runCli(['fleet', '--store', store, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const dirs = readdirSync(join(out, 'hosts')).sort();
    assert.equal(dirs.length, 2);
    for (const d of dirs) {
      assert.match(d, /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      assert.ok(resolve(out, 'hosts', d).startsWith(resolve(out, 'hosts') + sep));
      assert.ok(existsSync(join(out, 'hosts', d, 'report.html')));
    }
    assert.deepEqual(readdirSync(out).sort(), ['attack-layer.json', 'fleet.html', 'fleet.json', 'hosts', 'stix.json', 'timeline.csv', 'timeline.jsonl']);
    const page = readFileSync(join(out, 'fleet.html'), 'utf8');
    assert.equal(page.includes('<script>'), false);
    assert.ok(page.includes('&lt;script&gt;'));
    const csv = readFileSync(join(out, 'timeline.csv'), 'utf8');
    assert.equal(/(^|,)"[=+\-@]/m.test(csv), false, 'no cell starts a formula');
    const missing = await runCli(['fleet', '--store', join(out, 'no-such-store'), '--out', join(out, 'x')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /no store at/);
  } finally {
    await drop();
    rmSync(out, { recursive: true, force: true });
  }
});
