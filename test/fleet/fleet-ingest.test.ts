// End to end through `exhunt ingest`: three collections made from the example (two servers hit by the same operator
// two days apart, one exposed but clean) ingested into an embedded store, then `exhunt fleet`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../e2e/run-cli.js';
import { makeIngestedFleet } from './ingested-fleet.js';

let skip: string | false = false;
try {
  await import('chdb');
} catch {
  skip = 'needs the optional dependency chdb';
}

interface FleetJson {
  hosts: { host: string; verdict: string; firstMalicious: string | null; report: string; coverage: { webLogs: boolean } }[];
  sharedIndicators: { type: string; value: string; hosts: string[] }[];
}

test('exhunt fleet after exhunt ingest of three collections: verdicts, the operator tying two servers, the order they fell', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-fleet-ingest-'));
  try {
    const { a, b, c } = makeIngestedFleet(dir);
    const store = join(dir, 'store');
    for (const [path, host] of [[a, 'EXA'], [b, 'EXB'], [c, 'EXC']] as const) {
      const r = await runCli(['ingest', path, '--host', host, '--store', store]);
      assert.equal(r.code, 0, r.err);
    }
    const out = join(dir, 'out');
    const r = await runCli(['fleet', '--store', store, '--out', out]);
    assert.equal(r.code, 0, r.err);
    const fleet = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetJson;
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.verdict]), [['EXA', 'compromised'], ['EXB', 'compromised'], ['EXC', 'exposed']]);
    const [exa, exb] = fleet.hosts;
    assert.ok(exa!.firstMalicious !== null && exb!.firstMalicious !== null);
    assert.equal(Date.parse(exb!.firstMalicious) - Date.parse(exa!.firstMalicious), 2 * 86400e3, 'EXB fell two days after EXA');
    assert.equal(fleet.hosts[2]!.coverage.webLogs, true);
    const shared = (type: string, value: string) => fleet.sharedIndicators.find((s) => s.type === type && s.value === value)?.hosts.slice().sort();
    assert.deepEqual(shared('ip', '203.0.113.77'), ['EXA', 'EXB']);
    assert.deepEqual(shared('file-name', 'kq2x9mzb.aspx'), ['EXA', 'EXB']);
    assert.equal(fleet.sharedIndicators.some((s) => s.hosts.includes('EXC') && s.type === 'file-name'), false, 'the clean server shares no web shell');
    const page = readFileSync(join(out, 'fleet.html'), 'utf8');
    for (const h of fleet.hosts) {
      assert.ok(page.includes(`href="${h.report}"`));
      assert.ok(existsSync(join(out, h.report)));
    }
    // "what was taken" is stored with the scan: the rebuilt report of a compromised server has it
    const exaReport = readFileSync(join(out, exa!.report), 'utf8');
    assert.match(exaReport, /<h2>What was taken<\/h2>/);
    assert.doesNotMatch(exaReport, /No activity summary \(taken\.json\) was available/);
    // a second ingest changes nothing the fleet shows
    assert.equal((await runCli(['ingest', a, '--host', 'EXA', '--store', store])).code, 0);
    const again = join(dir, 'again');
    assert.equal((await runCli(['fleet', '--store', store, '--out', again])).code, 0);
    const f2 = JSON.parse(readFileSync(join(again, 'fleet.json'), 'utf8')) as FleetJson & { generatedAt?: string };
    assert.deepEqual(f2.hosts, fleet.hosts);
    assert.deepEqual(f2.sharedIndicators, fleet.sharedIndicators);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
