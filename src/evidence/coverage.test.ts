// Coverage tests: per-kind files/lines/bytes/first/last from events, files without events, and the
// blind-spot warnings (windows not reached, key log kinds missing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeEvent, HuntEvent, W3cEvent, WinEvent } from '../event.js';
import type { Evidence } from './evidence.js';
import { CoverageTracker, coverageWarnings } from './index.js';

const ev = (path: string, kind: Evidence['kind'], size: number): Evidence => ({ absPath: '/x/' + path, path, root: '/x', kind, size, mtime: '2021-01-01T00:00:00.000Z' });
const w3c = (path: string, site: string | null, time: string | null, line: number): W3cEvent => ({
  source: 'w3c', site, time, host: null, fields: {}, ref: { path, line, kind: 'iis-w3c' },
});
const ex = (path: string, log: string, protocol: string | null, time: string): ExchangeEvent => ({
  source: 'exchange', log, protocol, version: null, time, host: null, fields: {}, ref: { path, line: 1, kind: 'exchange-' + log },
});
const win = (path: string, channel: string, time: string): WinEvent => ({
  source: 'json', channel, eventId: 1, provider: null, data: {}, time, host: null, ref: { path, line: 1, kind: 'json' },
});

test('coverage per kind: files, lines, bytes, first and last', () => {
  const t = new CoverageTracker();
  t.file(ev('W3SVC1/a.log', 'iis-w3c', 100));
  t.file(ev('W3SVC1/b.log', 'iis-w3c', 50));
  t.file(ev('W3SVC2/empty-of-events.log', 'iis-w3c', 7));
  t.file(ev('Logging/HttpProxy/Ecp/h.LOG', 'exchange-csv', 30));
  t.file(ev('events.jsonl', 'json', 40));
  const events: HuntEvent[] = [
    w3c('W3SVC1/a.log', 'W3SVC1', '2021-03-03T10:00:00Z', 5),
    w3c('W3SVC1/a.log', 'W3SVC1', '2021-03-02T09:00:00Z', 6),
    w3c('W3SVC1/a.log', 'W3SVC1', null, 7),
    w3c('W3SVC1/b.log', 'W3SVC1', '2021-03-05T00:00:00Z', 5),
    ex('Logging/HttpProxy/Ecp/h.LOG', 'httpproxy', 'Ecp', '2021-03-04T00:00:00.000Z'),
    win('events.jsonl', 'MSExchange Management', '2021-08-10T00:00:00.000Z'),
    win('events.jsonl', 'Application', '2021-08-11T00:00:00.000Z'),
  ];
  for (const e of events) t.observe(e);
  const got = Object.fromEntries(t.entries().map((e) => [e.kind, e]));
  assert.deepEqual(got['iis-w3c:W3SVC1'], { kind: 'iis-w3c:W3SVC1', files: 2, lines: 4, bytes: 150, first: '2021-03-02T09:00:00Z', last: '2021-03-05T00:00:00Z' });
  assert.deepEqual(got['iis-w3c:W3SVC2'], { kind: 'iis-w3c:W3SVC2', files: 1, lines: 0, bytes: 7, first: null, last: null });
  assert.equal(got['exchange:httpproxy/Ecp']?.lines, 1);
  assert.equal(got['json:MSExchange Management']?.files, 1);
  assert.equal(got['json:Application']?.first, '2021-08-11T00:00:00.000Z');
  assert.deepEqual(Object.keys(got), [...Object.keys(got)].sort());
});

test('warnings: logs starting after the exploitation windows, and missing key kinds', () => {
  const late = [
    { kind: 'iis-w3c:W3SVC1', files: 1, lines: 10, bytes: 1, first: '2021-09-01T00:00:00Z', last: '2021-09-03T00:00:00Z' },
  ];
  const w = coverageWarnings(late);
  const iis = w.find((s) => s.startsWith('IIS logs start'));
  assert.ok(iis, w.join('\n'));
  assert.match(iis, /ProxyLogon/);
  assert.match(iis, /ProxyShell/);
  assert.doesNotMatch(iis, /ProxyNotShell/); // 2021-09 is before 2022-08: that window is covered
  assert.match(iis, /Absence of evidence is not evidence of absence/);
  assert.ok(w.some((s) => s.startsWith('No Exchange HttpProxy logs')));
  assert.ok(w.some((s) => s.startsWith('No Windows event logs')));

  const full = [
    { kind: 'iis-w3c:W3SVC1', files: 1, lines: 10, bytes: 1, first: '2020-12-01T00:00:00Z', last: '2023-01-01T00:00:00Z' },
    { kind: 'exchange:httpproxy/Ecp', files: 1, lines: 10, bytes: 1, first: '2020-12-01T00:00:00.000Z', last: '2023-01-01T00:00:00.000Z' },
    { kind: 'evtx:MSExchange Management', files: 1, lines: 10, bytes: 1, first: '2020-12-01T00:00:00.000Z', last: '2023-01-01T00:00:00.000Z' },
  ];
  assert.deepEqual(coverageWarnings(full), []);

  const noMgmt = [...full.slice(0, 2), { ...full[2]!, kind: 'evtx:Application' }];
  assert.deepEqual(coverageWarnings(noMgmt).length, 1);
  assert.match(coverageWarnings(noMgmt)[0]!, /MSExchange Management/);
  // The CmdletInfra Rps_Cmdlet log stands in for the cmdlet event log, and the missing-event-log warning says so.
  const rps = { kind: 'exchange:rps-cmdlet/Powershell-Proxy', files: 1, lines: 5, bytes: 1, first: '2020-12-01T00:00:00.000Z', last: '2023-01-01T00:00:00.000Z' };
  assert.deepEqual(coverageWarnings([...noMgmt, rps]), []);
  const noEvents = coverageWarnings([...full.slice(0, 2), rps]);
  assert.equal(noEvents.length, 1);
  assert.match(noEvents[0]!, /covered by the CmdletInfra Rps_Cmdlet logs/);

  const untimed = [{ ...full[0]!, first: null, last: null }, full[1]!, full[2]!];
  assert.match(coverageWarnings(untimed)[0]!, /no usable timestamps/);
});

test('discover → read → coverage over the fixture collection', async () => {
  const { discover } = await import('./index.js');
  const { readerFor } = await import('../readers/index.js');
  const { projectRoot } = await import('../paths.js');
  const { join } = await import('node:path');
  const t = new CoverageTracker();
  const diags: unknown[] = [];
  for await (const e of discover([join(projectRoot, 'test', 'fixtures', 'logs', 'kape')], (d) => diags.push(d))) {
    const r = readerFor(e.kind);
    if (!r) continue;
    t.file(e);
    for await (const x of r.read(e, (d) => diags.push(d))) t.observe(x);
  }
  assert.deepEqual(diags, []);
  const got = t.entries().map((e) => [e.kind, e.files, e.lines, e.first, e.last]);
  assert.deepEqual(got, [
    ['exchange:ecp-server', 1, 1, '2021-03-03T06:15:01.500Z', '2021-03-03T06:15:01.500Z'],
    ['exchange:httpproxy/Ecp', 1, 3, '2021-03-03T06:13:42.602Z', '2021-03-03T07:00:00.000Z'],
    ['exchange:oab-generator', 1, 2, '2021-03-03T06:16:00.000Z', '2021-03-03T06:17:00.000Z'],
    ['iis-w3c:W3SVC1', 1, 4, '2021-03-03T00:00:01Z', '2021-03-03T12:00:05Z'],
    ['iis-w3c:W3SVC2', 1, 1, '2021-03-03T06:13:43Z', '2021-03-03T06:13:43Z'],
  ]);
  const w = coverageWarnings(t.entries());
  assert.equal(w.length, 3); // IIS and HttpProxy start after ProxyLogon began; no event logs at all
  assert.ok(w.some((s) => s.startsWith('No Windows event logs')));
});
