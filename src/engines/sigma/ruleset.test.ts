// Logsource gating and field resolution: Windows rules by channel + EventID (with 4688 field mapping
// and extra conditions), webserver/Exchange rules by logsource keys, and findings' contents.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenWinEvent } from './fields.js';
import { exchangeEvent, firing, ruleSetFromText, w3cEvent, winEvent } from './testkit.js';

const win = (id: string, ls: string, det: string): string => `title: ${id}\nid: ${id}\nauthor: x\nlogsource:\n${ls}\ndetection:\n${det}\n`;
const procRule = win('proc', '    product: windows\n    category: process_creation', "    sel:\n        Image|endswith: '\\w3wp.exe'\n    condition: sel");

test('process_creation applies to Sysmon 1 and Security 4688 (Image → NewProcessName), not other EventIDs or channels', () => {
  const { set } = ruleSetFromText([procRule]);
  const sysmon1 = winEvent('Microsoft-Windows-Sysmon/Operational', 1, { Image: 'C:\\w\\W3WP.EXE' });
  const sec4688 = winEvent('Security', 4688, { NewProcessName: 'C:\\w\\w3wp.exe' });
  const sysmon3 = winEvent('Microsoft-Windows-Sysmon/Operational', 3, { Image: 'C:\\w\\w3wp.exe' });
  const other = winEvent('Application', 1, { Image: 'C:\\w\\w3wp.exe' });
  assert.deepEqual(firing(set, [sysmon1, sec4688, sysmon3, other]), [['proc'], ['proc'], [], []]);
});

test('registry_add needs EventType CreateKey on Sysmon 12', () => {
  const { set } = ruleSetFromText([win('reg', '    product: windows\n    category: registry_add', "    sel:\n        TargetObject|contains: 'Run'\n    condition: sel")]);
  const create = winEvent('Microsoft-Windows-Sysmon/Operational', 12, { EventType: 'CreateKey', TargetObject: 'HKLM\\Run' });
  const del = winEvent('Microsoft-Windows-Sysmon/Operational', 12, { EventType: 'DeleteKey', TargetObject: 'HKLM\\Run' });
  assert.deepEqual(firing(set, [create, del]), [['reg'], []]);
});

test('service msexchange-management maps to the MSExchange Management channel', () => {
  const { set } = ruleSetFromText([win('mgmt', '    product: windows\n    service: msexchange-management', "    sel:\n        - 'New-MailboxExportRequest'\n    condition: sel")]);
  const hit = winEvent('MSExchange Management', 1, { Data: ['New-MailboxExportRequest -Mailbox x', 'y'] });
  const wrongChannel = winEvent('Application', 1, { Data: ['New-MailboxExportRequest'] });
  assert.deepEqual(firing(set, [hit, wrongChannel]), [['mgmt'], []]);
});

test('webserver rules match W3C events; Windows rules never do; exchange rules need their service', () => {
  const web = win('web', '    category: webserver', "    sel:\n        cs-uri-stem|contains: '/aspnet_client/'\n    condition: sel");
  const winSvc = win('iiscfg', '    product: windows\n    service: iis-configuration', "    sel:\n        - 'aspnet_client'\n    condition: sel");
  const ex = win('ecp', '    product: exchange\n    service: ecp-server', "    sel:\n        - 'aspnet_client'\n    condition: sel");
  const { set } = ruleSetFromText([web, winSvc, ex]);
  const w = w3cEvent({ 'cs-uri-stem': '/aspnet_client/x.aspx' });
  const proxy = exchangeEvent({ UrlStem: '/aspnet_client/x.aspx' });
  assert.deepEqual(firing(set, [w, proxy]), [['web'], []]);
});

test('field resolution: EventData, UserData child, System names and Element_Attribute', () => {
  const flat = flattenWinEvent({
    Event: {
      System: { Provider: { '#attributes': { Name: 'P', Guid: 'G' } }, EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 4625 }, Execution: { '#attributes': { ProcessID: 4 } }, Channel: 'Security' },
      UserData: { Op: { User: 'u1', '#attributes': { xmlns: 'x' } } },
      EventData: { 'Threat Name': 'EICAR', User: 'u2' },
    },
  });
  assert.equal(flat['Provider_Name'], 'P');
  assert.equal(flat['EventID'], 4625);
  assert.equal(flat['EventID_Qualifiers'], 16384);
  assert.equal(flat['Execution_ProcessID'], 4);
  assert.equal(flat['ThreatName'], 'EICAR');
  assert.equal(flat['User'], 'u2'); // EventData wins over UserData
});

test('Windows rules can test System fields, EventID as text or number, and dotted paths', () => {
  const r = win('sys', '    product: windows\n    service: security', "    sel:\n        EventID: 4625\n        Provider_Name: 'Microsoft-Windows-Security-Auditing'\n        Event.System.Computer: 'H1'\n    condition: sel");
  const { set } = ruleSetFromText([r]);
  const e = winEvent('Security', 4625, {}, { provider: 'Microsoft-Windows-Security-Auditing' });
  const other = winEvent('Security', 4624, {}, { provider: 'Microsoft-Windows-Security-Auditing' });
  assert.deepEqual(firing(set, [e, other]), [['sys'], []]);
});

test('a finding carries rule metadata, ATT&CK and CVE ids, time, host, evidence and fields', () => {
  const text = `title: T\nid: f-1\nauthor: Jane Doe\nlevel: critical\nreferences: [https://example.org]\nfalsepositives: [admins]\ntags: [attack.initial-access, attack.t1190, attack.t1505.003, cve.2021-26855]\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    sel:\n        UrlStem: '/ecp/y.js'\n    condition: sel\n`;
  const { set } = ruleSetFromText([text]);
  const e = exchangeEvent({ UrlStem: '/ecp/y.js' });
  const [f] = set.createRun().match(e);
  assert.ok(f);
  assert.equal(f.engine, 'sigma');
  assert.equal(f.level, 'critical');
  assert.equal(f.rule.author, 'Jane Doe');
  assert.deepEqual(f.rule.references, ['https://example.org']);
  assert.deepEqual(f.attack, ['T1190', 'T1505.003']);
  assert.deepEqual(f.cves, ['CVE-2021-26855']);
  assert.equal(f.time, e.time);
  assert.equal(f.host, 'EX1');
  assert.deepEqual(f.evidence, e.ref);
  assert.equal(f.fields['UrlStem'], '/ecp/y.js');
});

test('a rule without level gets medium; an unknown level is a warning', () => {
  const text = `title: T\nid: nolevel\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    sel:\n        A: b\n    condition: sel\n`;
  const { set } = ruleSetFromText([text]);
  assert.equal(set.createRun().match(exchangeEvent({ A: 'b' }))[0]?.level, 'medium');
  const bad = ruleSetFromText([text.replace('title: T', 'title: T\nlevel: severe')]);
  assert.equal(bad.problems[0]?.severity, 'warning');
  assert.equal(bad.set.size, 1);
});

test('action: global / repeat collections', () => {
  const text = `action: global\ntitle: G\nauthor: x\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n    condition: sel\n---\nid: one\ndetection:\n    sel:\n        A: '1'\n---\naction: repeat\nid: two\ndetection:\n    sel:\n        A: '2'\n`;
  const { set, problems } = ruleSetFromText([text]);
  assert.deepEqual(problems, []);
  assert.deepEqual(firing(set, [exchangeEvent({ A: '1' }), exchangeEvent({ A: '2' })]), [['one'], ['two']]);
});

test('YAML errors and missing parts are located problems, and other rules still load', () => {
  const broken = ruleSetFromText(['title: x\ndetection:\n  sel: [a\n', `title: ok\nid: ok\nlogsource:\n    product: exchange\ndetection:\n    sel:\n        A: b\n    condition: sel\n`]);
  assert.equal(broken.set.size, 1);
  assert.equal(broken.problems[0]?.code, 'SIGMA_YAML');
  assert.ok(broken.problems[0]?.location?.line);
  const noCond = ruleSetFromText([`title: x\nlogsource:\n    product: exchange\ndetection:\n    sel:\n        A: b\n`]);
  assert.equal(noCond.problems[0]?.code, 'SIGMA_BAD_CONDITION');
  const dup = ruleSetFromText([`title: x\ntitle: y\nlogsource:\n    product: exchange\ndetection:\n    sel:\n        A: b\n    condition: sel\n`]);
  assert.equal(dup.problems[0]?.code, 'SIGMA_YAML');
  assert.equal(dup.problems[0]?.location?.line, 2);
});
