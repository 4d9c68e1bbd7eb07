// Tests for web shell usage in the logs: requests to shells found on disk (by URL, case-insensitive,
// also from .compiled leftovers), successful requests to pages a clean install lacks, probes ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, W3cEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import { webShellUsage } from './web-usage.js';

function shell(path: string, urlPath: string): Finding {
  return {
    engine: 'yara',
    time: '2021-03-03T03:00:00.000Z',
    level: 'critical',
    rule: { id: 'EXHUNT_WEBSHELL_ChinaChopper_OneLiner', title: 't', author: 'exhunt project', source: 'builtin:yara/x.yar' },
    cves: ['CVE-2021-27065'],
    attack: ['T1505.003'],
    host: null,
    evidence: { path, kind: 'webshell' },
    fields: { urlPath },
  };
}

function w3c(stem: string, method: string, status: string, ip = '203.0.113.77'): W3cEvent {
  return {
    source: 'w3c',
    time: '2021-03-03T04:05:06Z',
    host: 'EXCH01',
    site: 'W3SVC1',
    ref: { path: 'C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log', line: 42, kind: 'iis-w3c' },
    fields: { 'cs-uri-stem': stem, 'cs-method': method, 'sc-status': status, 'c-ip': ip, 'cs-user-agent': 'antSword/v2.1' },
  };
}

const SHELL_PATH = 'C/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/errorEE.aspx';

test('requests to a found shell are findings citing the log line and the shell file', () => {
  const match = webShellUsage([shell(SHELL_PATH, '/owa/auth/errorEE.aspx')]);
  const f = match(w3c('/owa/auth/ErrorEE.aspx', 'POST', '200'))!;
  assert.equal(f.level, 'critical');
  assert.deepEqual(f.attack, ['T1505.003']);
  assert.deepEqual(f.cves, ['CVE-2021-27065']);
  assert.deepEqual(f.evidence, { path: 'C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log', line: 42, kind: 'iis-w3c' });
  assert.equal(f.fields['shellPath'], SHELL_PATH);
  assert.equal(f.fields['clientIp'], '203.0.113.77');
  assert.match(f.message!, /^web shell used from 203\.0\.113\.77 on 2021-03-03T04:05:06Z: POST \/owa\/auth\/ErrorEE\.aspx \(status 200\)/);
  assert.equal(match(w3c('/owa/auth/errorEE.aspx', 'GET', '404'))?.level, 'high', 'a failed request to a known shell still counts');
  assert.equal(match(w3c('/owa/auth/logon.aspx', 'POST', '200')), null);
});

test('findings without a URL or not about web shells are ignored', () => {
  const dump: Finding = { ...shell('C/Windows/Temp/lsass.dmp', '/x'), attack: ['T1003.001'] };
  const match = webShellUsage([dump]);
  assert.equal(match(w3c('/x', 'GET', '200')), null);
});

test('served requests to pages a clean install lacks are findings even with no file; probes are not', () => {
  const match = webShellUsage([]);
  assert.equal(match(w3c('/aspnet_client/shell.aspx', 'POST', '200'))?.level, 'high');
  assert.equal(match(w3c('/aspnet_client/shell.aspx', 'GET', '200'))?.level, 'medium');
  assert.equal(match(w3c('/aspnet_client/shell.aspx', 'POST', '404')), null);
  assert.equal(match(w3c('/owa/auth/logon.aspx', 'POST', '200')), null);
  assert.equal(match(w3c('/ecp/default.aspx', 'GET', '200')), null);
  assert.equal(match(w3c('/aspnet_client/%73hell.aspx', 'POST', '200'))?.fields['urlPath'], '/aspnet_client/shell.aspx');
});

test('HttpProxy rows count too', () => {
  const match = webShellUsage([shell(SHELL_PATH, '/owa/auth/errorEE.aspx')]);
  const ev: ExchangeEvent = {
    source: 'exchange',
    log: 'httpproxy',
    protocol: 'Owa',
    version: null,
    time: '2021-03-03T04:05:06Z',
    host: null,
    ref: { path: 'x/HttpProxy_2021030304-1.LOG', line: 7, kind: 'exchange-httpproxy' },
    fields: { UrlStem: '/owa/auth/errorEE.aspx', Method: 'POST', HttpStatus: '200', ClientIpAddress: '198.51.100.9' },
  };
  assert.equal(match(ev)?.fields['clientIp'], '198.51.100.9');
});
