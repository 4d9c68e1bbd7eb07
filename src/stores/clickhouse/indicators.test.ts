import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../finding.js';
import { findingIndicators, isInternalIp } from './indicators.js';
import { sampleFindings } from '../../engines/story/testdata/sample-scan.js';

const pairs = (f: Finding): string[] => {
  const i = findingIndicators(f);
  return i.types.map((t, k) => `${t}=${i.values[k]}`);
};
const web = (fields: Record<string, unknown>, p: Partial<Finding> = {}): Finding => ({
  engine: 'sigma', time: '2021-03-03T02:00:00Z', level: 'high', rule: { id: 'r', title: 'Web shell request', author: null, source: 'x' }, cves: [], attack: ['T1505.003'], host: 'EX01',
  evidence: { path: 'W3SVC1/u_ex210303.log', line: 1, kind: 'iis-w3c' }, fields, ...p,
});

test('the web-shell request names the attacker IP, its tool, the shell path and name', () => {
  assert.deepEqual(pairs(web({ 'c-ip': '203.0.113.77', 'cs-method': 'POST', 'cs-uri-stem': '/aspnet_client/Shell.aspx', 'cs-user-agent': 'antSword/v2.1', 'cs-username': 'CORP\\attacker' })), [
    'ip=203.0.113.77', 'user-agent=antSword/v2.1', 'account=corp\\attacker', 'webshell-path=/aspnet_client/shell.aspx', 'file-name=shell.aspx',
  ]);
});

test("the file engines' web shell gives its hash, URL path and name; the exploit endpoint is no web shell", () => {
  const yara = sampleFindings().find((f) => f.engine === 'yara')!;
  assert.deepEqual(pairs(yara), [`sha256=${'a'.repeat(64)}`, 'file-name=shell.aspx']);
  const file = { ...yara, engine: 'file' as const, evidence: { path: 'C/inetpub/wwwroot/aspnet_client/x.aspx', kind: 'file' }, fields: { windowsPath: 'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx', urlPath: '/aspnet_client/x.aspx', sha256: 'B'.repeat(64) } };
  assert.deepEqual(pairs(file), [`sha256=${'b'.repeat(64)}`, 'webshell-path=/aspnet_client/x.aspx', 'file-name=x.aspx']);
  const write = sampleFindings().find((f) => f.rule.id === 'a1b2c3d4-0002')!;
  assert.deepEqual(pairs(write), ['ip=203.0.113.77'], 'the machine account and /ecp/DDI/… stay out');
});

test('benign noise stays out: internal balancers, health probes, Exchange and service accounts, low levels, exposure', () => {
  for (const ip of ['10.0.0.5', '172.16.3.4', '192.168.1.1', '127.0.0.1', '::1', 'fe80::1', 'fd00::5', '100.64.0.1']) assert.equal(isInternalIp(ip), true, ip);
  for (const ip of ['203.0.113.77', '8.8.8.8', '2001:db8::1', '172.32.0.1']) assert.equal(isInternalIp(ip), false, ip);
  assert.deepEqual(pairs(web({ 'c-ip': '10.0.0.5', 'cs-uri-stem': '/owa/auth/logon.aspx', 'cs-user-agent': 'AMProbe/Local/ClientAccess', 'cs-username': 'HealthMailbox0f3a2b@corp.example' })), []);
  assert.deepEqual(pairs(web({ 'c-ip': '203.0.113.9', 'cs-username': 'NT AUTHORITY\\SYSTEM', 'cs-uri-stem': '/ecp/' })), ['ip=203.0.113.9']);
  assert.deepEqual(pairs(web({ 'c-ip': '203.0.113.9' }, { level: 'low' })), []);
  assert.deepEqual(pairs(web({ 'c-ip': '203.0.113.9' }, { engine: 'exposure' })), []);
});

test('a mailbox export names its path', () => {
  const f = web({ filePath: '\\\\EX01\\c$\\inetpub\\wwwroot\\aspnet_client\\ceo.pst', mailbox: 'ceo@corp.example' }, { engine: 'activity', attack: ['T1114.002'], evidence: { path: 'MSExchange Management.evtx', record: 7, kind: 'evtx' } });
  assert.deepEqual(pairs(f), ['export-path=\\\\EX01\\c$\\inetpub\\wwwroot\\aspnet_client\\ceo.pst', 'file-name=ceo.pst']);
});
