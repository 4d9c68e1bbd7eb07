// The exposure collector on small synthetic events: build sightings from each log kind, a timeline with an
// upgrade mid-way that closes the window, trace levels, mitigations, and ExSetup/registry undated sightings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, W3cEvent, WinEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import { buildExposure, createExposureCollector, observeBuild, parseBuild } from './index.js';

function exch(time: string, fields: Record<string, string>, version: string | null = null, path = 'Logging/HttpProxy/Ecp/HttpProxy_2021030100-1.LOG'): ExchangeEvent {
  return { source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version, time, host: 'EX01', ref: { path, line: 5, kind: 'exchange-httpproxy' }, fields };
}
function w3c(time: string, stem: string, status = '200'): W3cEvent {
  return { source: 'w3c', site: 'W3SVC1', time, host: null, ref: { path: 'inetpub/logs/LogFiles/W3SVC1/u_ex210301.log', line: 9, kind: 'iis-w3c' }, fields: { 'cs-uri-stem': stem, 'sc-status': status } };
}
function trace(time: string, cve: string): Finding {
  return {
    engine: 'sigma',
    time,
    level: 'high',
    rule: { id: 'x', title: 'ProxyLogon SSRF', author: 't', source: 'builtin:x' },
    cves: [cve],
    attack: [],
    host: null,
    evidence: { path: 'p', line: 1, kind: 'iis-w3c' },
    fields: {},
  };
}

test('observeBuild reads #Version, HttpProxy columns, ECP S:BLD and OWA/ECP resource paths', () => {
  const t = '2021-03-01T10:00:00.000Z';
  assert.deepEqual(
    [observeBuild(exch(t, {}, '15.01.2176.002'))?.source, observeBuild(exch(t, {}, '15.01.2176.002'))?.text],
    ['exchange log #Version', '15.01.2176.002'],
  );
  // ECP and AgentLog write "#Version: 15.0.0.0" whatever the build: ignored.
  assert.equal(observeBuild(exch(t, {}, '15.00.0000.000')), null);
  const cols = observeBuild(exch(t, { MajorVersion: '15', MinorVersion: '1', BuildVersion: '2176', RevisionVersion: '2' }));
  assert.deepEqual([cols?.source, cols && parseBuild(cols.text)], ['HttpProxy version columns', parseBuild('15.1.2176.2')]);
  const bld = observeBuild(exch(t, { 'S:BLD': '15.1.2176.2' }));
  assert.equal(bld?.source, 'ECP S:BLD');
  assert.equal(bld?.time, t);
  assert.deepEqual(bld?.ref, { path: 'Logging/HttpProxy/Ecp/HttpProxy_2021030100-1.LOG', line: 5, kind: 'exchange-httpproxy' });
  const owa = observeBuild(w3c(t, '/owa/auth/15.1.2176/themes/resources/favicon.ico'));
  assert.deepEqual([owa?.source, owa?.build.revision, owa?.build.build], ['IIS OWA/ECP resource path', null, 2176]);
  assert.equal(observeBuild(w3c(t, '/owa/15.1.2176/scripts/boot.js'))?.text, '15.1.2176');
  assert.equal(observeBuild(w3c(t, '/ecp/15.1.2176.2/themes/default/x.css'))?.text, '15.1.2176.2');
  // Not a served resource (anyone can ask for any path) or not a version folder: nothing.
  assert.equal(observeBuild(w3c(t, '/owa/auth/15.1.2176/x.js', '404')), null);
  assert.equal(observeBuild(w3c(t, '/owa/auth/logon.aspx')), null);
  assert.equal(observeBuild(w3c(t, '/ecp/y.js')), null);
  const win: WinEvent = { source: 'evtx', channel: 'Application', eventId: 1, provider: null, data: {}, time: t, host: null, ref: { path: 'a.evtx', record: 1, kind: 'evtx' } };
  assert.equal(observeBuild(win), null);
});

test('an upgrade mid-way closes the ProxyLogon window; traces inside it make the finding high', () => {
  const c = createExposureCollector();
  // 2016 CU19 without SUs from 1 to 4 March 2021, then the Mar21SU build from 5 March.
  for (const d of ['01', '02', '03', '04']) {
    // Readers write times with or without milliseconds: both compare alike.
    c.observeEvent(exch(d === '01' ? '2021-03-01T08:00:00Z' : `2021-03-${d}T08:00:00.000Z`, {}, '15.01.2176.002'));
    c.observeEvent(w3c(`2021-03-${d}T09:00:00.000Z`, '/owa/auth/15.1.2176/themes/resources/logon.css'));
  }
  c.observeEvent(exch('2021-03-05T08:00:00.000Z', {}, '15.01.2176.009'));
  c.observeEvent(exch('2021-03-07T23:00:00.000Z', {}, '15.01.2176.009'));
  const { summary, findings } = c.finish([trace('2021-03-03T02:00:00.000Z', 'CVE-2021-26855'), trace('2021-03-06T02:00:00.000Z', 'CVE-2021-26855')]);

  assert.deepEqual(
    summary.builds.map((b) => [b.build, b.cu, b.su, b.first, b.last]),
    [
      ['15.1.2176.2', 'CU19', null, '2021-03-01T08:00:00.000Z', '2021-03-04T09:00:00.000Z'],
      ['15.1.2176.9', 'CU19', 'Mar21SU', '2021-03-05T08:00:00.000Z', '2021-03-07T23:00:00.000Z'],
    ],
  );
  // The 3-part OWA path folded into the 4-part build seen at the same time.
  assert.ok(summary.builds[0]!.sources.some((s) => s.startsWith('IIS OWA/ECP resource path')));
  const pl = summary.windows.find((w) => w.cve === 'CVE-2021-26855')!;
  assert.deepEqual([pl.from, pl.to, pl.fixedIn, pl.builds], ['2021-03-01T08:00:00.000Z', '2021-03-05T08:00:00.000Z', '15.1.2176.9', ['15.1.2176.2']]);
  // ProxyShell stays open to the end of the evidence on both builds.
  const ps = summary.windows.find((w) => w.cve === 'CVE-2021-34473')!;
  assert.deepEqual([ps.to, ps.from], [null, '2021-08-06T00:00:00.000Z']);

  const f = findings.find((x) => x.cves.includes('CVE-2021-26855'))!;
  assert.equal(f.engine, 'exposure');
  assert.equal(f.level, 'high');
  assert.deepEqual(f.cves, ['CVE-2021-26855', 'CVE-2021-26857', 'CVE-2021-26858', 'CVE-2021-27065']);
  assert.match(f.message!, /server ran 15\.1\.2176\.2 \(Exchange 2016 CU19\), vulnerable to ProxyLogon \(CVE-2021-26855/);
  assert.match(f.message!, /until 2021-03-05 \(when 15\.1\.2176\.9 ran\)/);
  assert.match(f.message!, /exploitation traces found on 2021-03-03(;|$)/); // the 03-06 trace is after the fix
  assert.deepEqual(f.evidence, { path: 'Logging/HttpProxy/Ecp/HttpProxy_2021030100-1.LOG', line: 5, kind: 'exchange-httpproxy' });
  // ProxyShell: exploited in the wild while exposed, no traces -> medium.
  assert.equal(findings.find((x) => x.cves.includes('CVE-2021-34473'))!.level, 'medium');
  // The rest (not exploited, no traces) fold into one low finding.
  const rest = findings.filter((x) => x.level === 'low');
  assert.equal(rest.length, 1);
  assert.ok(rest[0]!.cves.includes('CVE-2021-28480'));
  assert.equal(rest[0]!.rule.id, 'exhunt-exposure-missing-security-updates');
  assert.equal(f.rule.id, 'exhunt-exposure-proxylogon');
  assert.equal(f.rule.author, 'exhunt');
  assert.ok(f.rule.tags!.includes('cve.2021-26855'));
});

test('without the upgrade the window stays open and traces after exploitation start are high', () => {
  const s = buildExposure(
    [{ build: parseBuild('15.1.2176.2'), text: '15.1.2176.2', time: '2021-02-01T00:00:00.000Z', source: 'ECP S:BLD', ref: { path: 'ecp.log', line: 3, kind: 'exchange-ecp-server' }, host: 'EX01' }],
    [{ name: 'EOMT', path: 'C/inetpub/wwwroot/web.config', first: '2021-03-08T10:00:00.000Z', detail: 'x', cves: ['CVE-2021-26855'] }],
    '2020-12-20T00:00:00.000Z',
    '2021-03-10T00:00:00.000Z',
  );
  const pl = s.windows.find((w) => w.cve === 'CVE-2021-26855')!;
  assert.deepEqual([pl.from, pl.to], ['2021-01-03T00:00:00.000Z', null]);
  assert.deepEqual(pl.mitigations, ['EOMT from 2021-03-08T10:00:00.000Z (C/inetpub/wwwroot/web.config)']);
  // A window opened for CVEs not exploited in the wild starts at the first evidence date.
  assert.equal(s.windows.find((w) => w.cve === 'CVE-2021-28480')!.from, '2020-12-20T00:00:00.000Z');
});

test('a fix before exploitation began leaves no window; an undated ExSetup build sits at the end', () => {
  const s = buildExposure(
    [
      { build: parseBuild('15.1.2176.2'), text: '15.1.2176.2', time: '2020-12-20T00:00:00.000Z', source: 'exchange log #Version', ref: { path: 'a', kind: 'x' }, host: null },
      { build: parseBuild('15.1.2176.9'), text: '15.01.2176.009', time: null, source: 'ExSetup.exe version resource', ref: { path: 'ExSetup.exe', kind: 'file' }, host: null },
    ],
    [],
    '2020-12-20T00:00:00.000Z',
    '2020-12-30T00:00:00.000Z',
  );
  // ExSetup (collection time) is placed at the last evidence date: it closes windows only there.
  assert.deepEqual(s.builds.map((b) => [b.build, b.first]), [['15.1.2176.2', '2020-12-20T00:00:00.000Z'], ['15.1.2176.9', '2020-12-30T00:00:00.000Z']]);
  assert.equal(s.windows.find((w) => w.cve === 'CVE-2021-26855'), undefined); // fixed (12-30) before 2021-01-03
  assert.ok(s.notes.some((n) => /CVE-2021-26855 \(ProxyLogon\): a fixed build ran from 2020-12-30/.test(n)));
  assert.ok(s.notes.some((n) => /ExSetup\.exe version resource: the build at collection time/.test(n)));
  assert.ok(s.notes.some((n) => /CVE-2024-21410.*configuration, not a build/.test(n)));
});

test('no build seen: an empty summary that says so', () => {
  const c = createExposureCollector();
  c.observeEvent(w3c('2021-03-01T00:00:00.000Z', '/owa/auth/logon.aspx'));
  const { summary, findings } = c.finish([]);
  assert.deepEqual([summary.builds, summary.windows, findings], [[], [], []]);
  assert.match(summary.notes.join(' '), /No Exchange build was seen/);
});

test('traces gathered in parts (worker threads) and merged equal one tally of every finding, past the sample too', async () => {
  const { TraceTally, TRACE_SAMPLE } = await import('./findings.js');
  const trace = (i: number): Finding => ({
    engine: 'sigma', time: `2021-03-${String(1 + (i % 9)).padStart(2, '0')}T0${i % 10}:00:00Z`, level: 'high',
    rule: { id: `r${i % 3}`, title: `rule ${i % 3}`, author: null, source: 's' }, cves: i % 2 ? ['CVE-2021-26855'] : ['CVE-2021-26855', 'CVE-2021-27065'],
    attack: [], host: null, evidence: { path: `C/log-${i % 7}.log`, kind: 'iis-w3c', line: i }, fields: {},
  });
  const all = Array.from({ length: 3 * TRACE_SAMPLE }, (_, i) => trace(i));
  const one = new TraceTally();
  for (const f of all) one.add(f);
  const merged = new TraceTally();
  for (let p = 0; p < 5; p++) {
    const part = new TraceTally();
    for (const f of all.filter((_, i) => i % 5 === p)) part.add(f);
    merged.merge(part.part());
  }
  assert.deepEqual(merged.part(), one.part());
  const w = { cve: 'CVE-2021-27065', from: '2021-03-02T00:00:00Z', to: '2021-03-05T00:00:00Z' } as never;
  assert.deepEqual(merged.hits('CVE-2021-27065', w), one.hits('CVE-2021-27065', w));
  assert.ok(one.hits('CVE-2021-27065', w).traces.length > 0);
});
