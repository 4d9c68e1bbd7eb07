// IOC lists over a chDB store: C2 IPs against the events' client/peer address fields (lists, ports, IPv6),
// hashes and file names against the evidence table; hostile IOC lines are skipped or matched literally.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from '../../diagnostics.js';
import type { Finding } from '../../finding.js';
import { loadIocFiles, loadIpIocs } from '../../engines/ioc/index.js';
import { exchangeEvent, w3cEvent, winEvent } from '../../engines/sigma/testkit.js';
import { huntIocs } from './ioc-hunt.js';
import { scopeSql } from './retro-hunt.js';
import { openTestStore, putEvents, type TestStore } from './testkit.js';

let chdbMissing: string | false = false;
try {
  await import('chdb');
} catch {
  chdbMissing = 'chdb (optional dependency) is not installed';
}

describe('IOC lists over the store (chDB)', { skip: chdbMissing }, () => {
  let db: TestStore;
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ioc-hunt-'));
  before(async () => {
    db = await openTestStore();
  });
  after(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('C2 IPs, hashes and file names; hostile values harm nothing', async () => {
    const evil = "'); DROP TABLE events; --";
    writeFileSync(
      join(dir, 'c2-iocs.txt'),
      `# C2\n203.0.113.7;Hafnium C2\n2001:DB8::BAD;90;v6 C2\nevil.example.com;a domain\n${evil}\n198.51.100.9{p:String}\n10.0.0.1\\\n`,
    );
    const sha = 'ab'.repeat(32);
    writeFileSync(join(dir, 'hash-iocs.txt'), `${sha};80;the shell\n${evil}\n`);
    writeFileSync(join(dir, 'filename-iocs.txt'), `\\\\aspnet_client\\\\[a-z]+\\.aspx;75;China Chopper\n${evil};60\n`);
    const diags: Diagnostic[] = [];
    const sink = (d: Diagnostic): void => void diags.push(d);
    const paths = ['c2-iocs.txt', 'hash-iocs.txt', 'filename-iocs.txt'].map((p) => join(dir, p));
    const ips = loadIpIocs(paths, sink);
    assert.deepEqual(ips.map((i) => i.ip), ['203.0.113.7', '2001:db8::bad']);
    const files = loadIocFiles(paths.slice(1), sink);
    const events = [
      w3cEvent({ 'c-ip': '203.0.113.7', 'cs-uri-stem': '/owa/' }),
      w3cEvent({ 'c-ip': '10.0.0.5', 'X-Forwarded-For': '192.0.2.1, 203.0.113.7' }),
      w3cEvent({ 'c-ip': '203.0.113.70' }),
      w3cEvent({ 's-ip': '203.0.113.7', 'c-ip': '10.0.0.1' }),
      exchangeEvent({ ClientIpAddress: '2001:db8::BAD' }),
      winEvent('Security', 4624, { IpAddress: '203.0.113.7', TargetUserName: evil }),
      winEvent('Security', 4624, { IpAddress: '-', TargetUserName: '203.0.113.7' }),
    ];
    await putEvents(db.client, 'EX1', 'c', events);
    await db.client.insert('evidence', [
      { host: 'EX1', collection: 'c', path: 'C/inetpub/wwwroot/aspnet_client/abc.aspx', kind: 'file', size: 1, sha256: sha, ingest_id: 'x', complete: 1, events: 0, first_t: 0, last_t: 0, coverage: '', scan_id: '', ingested_at: 0 },
      { host: 'EX1', collection: 'c', path: `C/inetpub/${evil}.aspx`, kind: 'file', size: 1, sha256: 'cd'.repeat(32), ingest_id: 'y', complete: 1, events: 0, first_t: 0, last_t: 0, coverage: '', scan_id: '', ingested_at: 0 },
    ]);
    const found: Finding[] = [];
    const r = await huntIocs(db.client, { ips, files, scope: scopeSql({ hosts: ['EX1'] }), hosts: ['EX1'], onFinding: (f) => void found.push(f) });
    const byRule = found.map((f) => `${f.rule.id} ${f.evidence.path}${f.evidence.line ? `:${f.evidence.line}` : ''}${f.evidence.record ? `#${f.evidence.record}` : ''}`).sort();
    // c-ip, X-Forwarded-For lists, IPv6 in any case, Windows IpAddress; not s-ip (the server), not a longer address, not another field.
    assert.equal(found.filter((f) => f.rule.id.startsWith('ioc-ip:c2-iocs.txt:2')).length, 3, byRule.join('\n'));
    assert.equal(found.filter((f) => f.rule.id.startsWith('ioc-ip:c2-iocs.txt:3')).length, 1, byRule.join('\n'));
    assert.equal(r.eventsMatched, 4);
    assert.ok(found.every((f) => f.engine === 'ioc' && f.host === 'EX1'));
    const hash = found.filter((f) => f.rule.id.startsWith('ioc-hash:'));
    assert.deepEqual(hash.map((f) => [f.evidence.path, f.level]), [['C/inetpub/wwwroot/aspnet_client/abc.aspx', 'high']]);
    const names = found.filter((f) => f.rule.id.startsWith('ioc-filename:'));
    // The hostile name line is no valid regex (and its score no number): skipped with a diagnostic, as the scan does.
    assert.deepEqual(names.map((f) => f.rule.id.split(':')[2] + ' ' + f.evidence.path), ['1 C/inetpub/wwwroot/aspnet_client/abc.aspx']);
    assert.ok(diags.some((d) => d.location?.path?.endsWith('filename-iocs.txt') && d.location.line === 2), JSON.stringify(diags));
    assert.ok(diags.some((d) => d.location?.path?.endsWith('hash-iocs.txt') && d.location.line === 2), JSON.stringify(diags));
    assert.ok(diags.some((d) => /not IP addresses/.test(d.message)));
    const [{ n }] = await db.client.rows<{ n: string }>("SELECT count() AS n FROM events WHERE host = 'EX1'");
    assert.equal(Number(n), events.length);
  });
});
