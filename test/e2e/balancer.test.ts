// End-to-end: a server behind a load balancer (c-ip always the balancer, clients in X-Forwarded-For) and a
// server with no proxy whose attacker forges the header. The balancer must never be named an attacker.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli } from './run-cli.js';
import { attackCatalog } from '../../src/attack/index.js';
import { buildStory } from '../../src/engines/story/index.js';
import type { Finding } from '../../src/finding.js';
import type { ScanSummary } from '../../src/summary.js';
import { findingIp, type TakenSummary } from '../../src/engines/activity/index.js';
import { projectRoot } from '../../src/paths.js';
import { EXAMPLE_BALANCERS } from '../../scripts/make-example.js';
import { ATTACKER, ATTACKER_SPOOF, BALANCERS, SPOOFER, USERS, writeBehindBalancer, writeDirectWithSpoof } from './balancer-collection.js';

const run = runCli;

interface Scan {
  findings: Finding[];
  summary: ScanSummary;
  taken: TakenSummary;
  stix: { objects: Record<string, unknown>[] };
  timeline: string;
  err: string;
}
async function scan(dir: string, ...extra: string[]): Promise<Scan> {
  const out = mkdtempSync(join(tmpdir(), 'exhunt-lb-out-'));
  const r = await run(['scan', dir, '--out', out, '--min-level', 'low', ...extra]);
  assert.equal(r.code, 1, r.err);
  const read = (n: string): string => readFileSync(join(out, n), 'utf8');
  return {
    findings: read('findings.jsonl').trim().split('\n').map((l) => JSON.parse(l) as Finding),
    summary: JSON.parse(read('summary.json')) as ScanSummary,
    taken: JSON.parse(read('taken.json')) as TakenSummary,
    stix: JSON.parse(read('stix.json')) as { objects: Record<string, unknown>[] },
    timeline: read('timeline.csv'),
    err: r.err,
  };
}

const example = join(projectRoot, 'examples', 'exchange-2021');
const notAttackers = [...BALANCERS, ATTACKER_SPOOF, ...USERS];

function checkAttackerNamed(s: Scan, attacker: string, never: readonly string[]): void {
  // taken.json: the actors and every access row
  const actorIps = new Set(s.taken.actors.map((a) => a.ip));
  assert.ok(actorIps.has(attacker), `taken.json actors ${[...actorIps].join(', ')}`);
  for (const ip of never) assert.ok(!actorIps.has(ip), `taken.json names ${ip} as an actor`);
  for (const row of s.taken.mailboxes) assert.ok(row.ip === null || !never.includes(row.ip), `taken.json access by ${row.ip}`);
  // STIX: indicators and their patterns
  const patterns = s.stix.objects.filter((o) => o['type'] === 'indicator').map((o) => String(o['pattern']));
  assert.ok(patterns.some((p) => p.includes(`'${attacker}'`)), `no STIX indicator for ${attacker}: ${patterns.join(' | ')}`);
  for (const ip of never) assert.ok(!patterns.some((p) => p.includes(`'${ip}'`)), `STIX indicator for ${ip}`);
  // the timeline's ClientIP column
  const rows = parse(s.timeline, { columns: true }) as Record<string, string>[];
  const clientIps = new Set(rows.map((r) => r['ClientIP']));
  assert.ok(clientIps.has(attacker), [...clientIps].join(' '));
  for (const ip of never) assert.ok(!clientIps.has(ip), `timeline ClientIP ${ip}`);
  // the story's episodes
  const episodes = buildStory(s.findings, attackCatalog());
  const epIps = new Set(episodes.flatMap((e) => e.ips));
  assert.ok(epIps.has(attacker), `episodes name ${[...epIps].join(', ')}`);
  for (const ip of never) assert.ok(!epIps.has(ip), `an episode names ${ip}`);
}

for (const column of ['X-Forwarded-For', 'X-FORWARDED-FOR', 'x-forwarded-for', 'cs(X-Forwarded-For)']) {
  test(`behind a balancer (column '${column}'): the forwarded client is the attacker everywhere, the balancer only a proxy`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'exhunt-lb-'));
    writeBehindBalancer(dir, column);
    const s = await scan(dir);
    // detected, with its evidence, and said in the summary and on the terminal
    const clients = s.summary.clients!;
    assert.deepEqual(clients.proxies.map((p) => `${p.address} ${p.how}`).sort(), BALANCERS.map((b) => `${b} detected`));
    assert.match(clients.proxies[0]!.evidence!, /sent X-Forwarded-For on \d+ of its \d+ requests .*u_ex210303_x\.log/);
    assert.match(clients.statements[0]!, /^This server is behind a proxy at 10\.0\.0\.[56] \(detected: .*client addresses come from X-Forwarded-For/);
    assert.match(s.err, /clients: This server is behind a proxy at/);
    // the web-shell findings keep both addresses, clearly named
    const shell = s.findings.filter((f) => f.rule.title.includes('antSword') || String(f.fields['cs-user-agent'] ?? '').includes('antSword'));
    assert.ok(shell.length >= 2, `antSword findings: ${shell.length}`);
    for (const f of shell) {
      assert.ok(BALANCERS.includes(String(f.fields['c-ip'])), 'c-ip stays as logged');
      assert.equal(f.fields['proxy-ip'], f.fields['c-ip']);
      assert.equal(f.fields['client-ip'], ATTACKER);
      assert.equal(f.fields['client-ip-from'], 'x-forwarded-for');
    }
    checkAttackerNamed(s, ATTACKER, notAttackers);
    // the legitimate users' traffic is attributed to no attacker, and the attacker's EWS read is
    const ceo = s.taken.mailboxes.find((m) => m.target === 'ceo@contoso.com');
    assert.ok(ceo && ceo.ip === ATTACKER, JSON.stringify(s.taken.mailboxes));
    assert.ok(s.taken.mailboxes.every((m) => !/^user\d+@/.test(m.target)), 'a user mailbox is attributed to an attacker');
    // the HttpProxy row that records only the balancer names no attacker, and the report says why
    const hp = s.findings.filter((f) => f.evidence.kind.startsWith('exchange') && f.fields['ClientIpAddress'] === BALANCERS[0]);
    for (const f of hp) assert.equal(f.fields['proxy-ip'], BALANCERS[0]);
    assert.ok(s.summary.coverageWarnings.some((w) => /exchange:httpproxy\/Ecp: 1 rows name only the proxy 10\.0\.0\.5/.test(w)), s.summary.coverageWarnings.join('\n'));
    const chained = s.findings.filter((f) => f.evidence.kind.startsWith('exchange') && String(f.fields['ClientIpAddress']).startsWith(ATTACKER));
    for (const f of chained) assert.equal(f.fields['client-ip'], ATTACKER);
  });
}

test('--trusted-proxy given: the same result without detection, and the given range is stated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-lb-given-'));
  writeBehindBalancer(dir);
  const s = await scan(dir, '--trusted-proxy', '10.0.0.0/29');
  assert.ok(s.summary.clients!.proxies.some((p) => p.address === '10.0.0.0/29' && p.how === 'given'));
  assert.match(s.summary.clients!.statements[0]!, /10\.0\.0\.0\/29 \(given with --trusted-proxy\)/);
  checkAttackerNamed(s, ATTACKER, notAttackers);
});

test('no proxy in front: a forged X-Forwarded-For: 127.0.0.1 never replaces c-ip, and is reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-spoof-'));
  writeDirectWithSpoof(dir);
  const s = await scan(dir);
  assert.deepEqual(s.summary.clients!.proxies, [], 'no proxy detected from public peers');
  const shell = s.findings.filter((f) => String(f.fields['cs-user-agent'] ?? '').includes('antSword'));
  assert.ok(shell.length > 0);
  for (const f of shell) {
    assert.equal(f.fields['c-ip'], SPOOFER);
    assert.equal(f.fields['forwarded-claim'], '127.0.0.1');
    assert.equal(f.fields['client-ip'], undefined);
  }
  const spoof = s.findings.filter((f) => f.rule.id === 'a3f1c9e2-7b44-4d0e-9c5a-2f8e6d1b0c47');
  assert.equal(spoof.length, 2, 'each request with the forged header is a finding of its own, and no ordinary client\'s');
  for (const f of spoof) assert.equal(f.fields['c-ip'], SPOOFER);
  assert.ok(s.summary.clients!.claims.some((c) => c.peer === SPOOFER && c.value === '127.0.0.1'), JSON.stringify(s.summary.clients!.claims));
  checkAttackerNamed(s, SPOOFER, ['127.0.0.1', '10.9.8.0', '10.9.8.4']);
});

test('--trusted-proxy with bad input is a clear usage error (exit 2)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-lb-bad-'));
  writeDirectWithSpoof(dir);
  for (const bad of ['10.0.0.0/33', 'banana', '2001:db8::/129', '10.0.0.0/', '']) {
    const r = await run(['scan', dir, '--quiet', '--trusted-proxy', bad]);
    assert.equal(r.code, 2, `--trusted-proxy '${bad}': ${r.err}`);
    assert.match(r.err, /trusted-proxy/);
  }
});

test('the bundled example: from August 2021 behind a balancer, detected, and never named an attacker', { skip: !existsSync(example) && 'examples/exchange-2021 not generated' }, async () => {
  const s = await scan(example);
  assert.deepEqual(s.summary.clients!.proxies.map((p) => p.address).sort(), [...EXAMPLE_BALANCERS]);
  const ips = new Set(s.findings.map(findingIp).filter((ip): ip is string => ip !== null));
  for (const ip of ['198.51.100.61', '192.0.2.15', '192.0.2.88', '203.0.113.77']) assert.ok(ips.has(ip), `attacker ${ip} named`);
  checkAttackerNamed(s, '192.0.2.15', [...EXAMPLE_BALANCERS]);
  for (const ip of EXAMPLE_BALANCERS) assert.ok(!ips.has(ip), `balancer ${ip} named as a client`);
  // ProxyShell's lines came through the balancer: both addresses on the finding
  const ps = s.findings.find((f) => f.fields['client-ip'] === '198.51.100.61');
  assert.ok(ps && EXAMPLE_BALANCERS.includes(ps.fields['proxy-ip'] as (typeof EXAMPLE_BALANCERS)[number]));
  // the address that went past the balancer with a forged loopback header is caught by its real address
  const forged = s.findings.filter((f) => f.rule.id === 'a3f1c9e2-7b44-4d0e-9c5a-2f8e6d1b0c47');
  assert.deepEqual(forged.map((f) => [f.fields['c-ip'], f.fields['forwarded-claim']]), [['198.51.100.99', '127.0.0.1']]);
});
