// Forwarded-client columns in IIS logs, in every shape a writer may give them (IIS 8.5+ custom field named after
// the header in any case, Advanced Logging's cs(Header)), and proxy detection from a log's first requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { W3cEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import { ClientTrust, markClient } from '../../normalize/index.js';
import { detectProxies, w3cReader } from './index.js';

const FIELDS = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

function withFile<T>(path: string, text: string, fn: (ev: Evidence) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-fwd-'));
  const abs = join(dir, path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
  return fn({ absPath: abs, path, root: dir, kind: 'iis-w3c', size: text.length, mtime: '' }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function events(ev: Evidence): Promise<W3cEvent[]> {
  const out: W3cEvent[] = [];
  for await (const e of w3cReader.read(ev, () => {})) out.push(e as W3cEvent);
  return out;
}

function log(column: string, value: string, cip = '10.0.0.5'): string {
  return ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Date: 2021-03-03 00:00:00', `#Fields: ${FIELDS} ${column}`,
    `2021-03-03 10:00:00 10.0.0.20 POST /aspnet_client/shell.aspx - 443 - ${cip} antSword/v2.1 - 200 0 0 15 ${value}`].join('\r\n') + '\r\n';
}

const CASES: { column: string; header: string; value: string; read: string }[] = [
  { column: 'X-Forwarded-For', header: 'x-forwarded-for', value: '203.0.113.9', read: '203.0.113.9' },
  { column: 'X-FORWARDED-FOR', header: 'x-forwarded-for', value: '192.0.2.10,+203.0.113.9', read: '192.0.2.10, 203.0.113.9' },
  { column: 'x-forwarded-for', header: 'x-forwarded-for', value: '203.0.113.9:51234', read: '203.0.113.9:51234' },
  { column: 'cs(X-Forwarded-For)', header: 'x-forwarded-for', value: '203.0.113.9,10.0.0.6', read: '203.0.113.9,10.0.0.6' },
  { column: 'X-Real-IP', header: 'x-real-ip', value: '203.0.113.9', read: '203.0.113.9' },
  { column: 'cs(X-Real-IP)', header: 'x-real-ip', value: '203.0.113.9', read: '203.0.113.9' },
  { column: 'X-Client-IP', header: 'x-client-ip', value: '203.0.113.9', read: '203.0.113.9' },
  { column: 'True-Client-IP', header: 'true-client-ip', value: '203.0.113.9', read: '203.0.113.9' },
  { column: 'X-MS-Forwarded-Client-IP', header: 'x-ms-forwarded-client-ip', value: '203.0.113.9:50001', read: '203.0.113.9:50001' },
  { column: 'Forwarded', header: 'forwarded', value: 'for=203.0.113.9;proto=https;by=10.0.0.5', read: 'for=203.0.113.9;proto=https;by=10.0.0.5' },
  { column: 'cs(Forwarded)', header: 'forwarded', value: 'for="[2001:db8::9]:443",+for=10.0.0.6', read: 'for="[2001:db8::9]:443", for=10.0.0.6' },
];

test('every forwarded column form is read under the header name, "+" read as a space, and resolves behind a proxy', async () => {
  const trust = new ClientTrust({ cidrs: ['10.0.0.0/29'], addresses: [] });
  for (const c of CASES) {
    const [e] = await withFile('W3SVC1/u_ex210303_x.log', log(c.column, c.value), events);
    assert.ok(e, c.column);
    assert.equal(e.fields[c.header], c.read, `${c.column}: value`);
    assert.equal(e.fields['c-ip'], '10.0.0.5', `${c.column}: c-ip as logged`);
    assert.equal(e.forwarded, true, `${c.column}: the header is known to have a forwarded column`);
    markClient(e, trust);
    const want = c.value.includes('2001:db8::9') ? '2001:db8::9' : '203.0.113.9';
    assert.equal(e.fields['client-ip'], want, `${c.column}: client`);
    assert.equal(e.fields['proxy-ip'], '10.0.0.5', `${c.column}: proxy`);
  }
});

test('the same columns from a peer that is no proxy stay a claim', async () => {
  for (const c of CASES) {
    const [e] = await withFile('W3SVC1/u_ex210303_x.log', log(c.column, c.value, '203.0.113.99'), events);
    markClient(e!, ClientTrust.none());
    assert.equal(e!.fields['forwarded-claim'], c.read, c.column);
    assert.equal(e!.fields['client-ip'], undefined, c.column);
  }
});

function behindBalancer(n: number, column: string | null): string {
  const lines = ['#Software: Microsoft Internet Information Services 10.0', `#Fields: ${FIELDS}${column ? ' ' + column : ''}`];
  for (let i = 0; i < n; i++) {
    const probe = i % 10 === 0;
    const base = `2021-03-03 10:${String(i % 60).padStart(2, '0')}:00 10.0.0.20 GET /owa/ - 443 - 10.0.0.${5 + (i % 2)} Mozilla/5.0 - 200 0 0 15`;
    lines.push(column ? `${base} ${probe ? '-' : `198.51.100.${i % 200}`}` : base);
  }
  return lines.join('\r\n') + '\r\n';
}

test('detectProxies reads the first requests of each log and names its balancers with the figures', async () => {
  const found = await withFile('C/inetpub/logs/LogFiles/W3SVC1/u_ex210303_x.log', behindBalancer(400, 'X-Forwarded-For'), (ev) => detectProxies([ev]));
  assert.deepEqual(found.map((d) => d.address).sort(), ['10.0.0.5', '10.0.0.6']);
  assert.equal(found[0]!.log, 'C/inetpub/logs/LogFiles/W3SVC1/u_ex210303_x.log');
  assert.equal(found[0]!.logRequests, 400);
  const sampled = await withFile('W3SVC1/u_ex210303_x.log', behindBalancer(400, 'X-Forwarded-For'), (ev) => detectProxies([ev], 100));
  assert.equal(sampled[0]!.logRequests, 100, 'only the first requests are read');
  const none = await withFile('W3SVC1/u_ex210303.log', behindBalancer(400, null), (ev) => detectProxies([ev]));
  assert.deepEqual(none, [], 'no forwarded column, no detection');
  const [plain] = await withFile('W3SVC1/u_ex210303.log', behindBalancer(1, null), events);
  assert.equal(plain!.forwarded, false, 'a log without the column says so, and marking passes it over');
  assert.equal(markClient(plain!, ClientTrust.none()), null);
});
