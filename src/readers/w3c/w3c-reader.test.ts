// W3C reader tests: field-name normalisation to SigmaHQ's webserver names, '+' decoding in the user
// agent only, '-' as absent, site and host from s-sitename/s-computername or the path, HTTPERR logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { W3cEvent } from '../../event.js';
import { normaliseW3cField, readW3cBatches, siteFromPath, w3cReader, type LineSelection } from './index.js';

async function read(path: string, text: string): Promise<{ events: W3cEvent[]; diags: Diagnostic[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-w3c-'));
  try {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    const diags: Diagnostic[] = [];
    const events: W3cEvent[] = [];
    for await (const e of w3cReader.read({ absPath: abs, path, root: dir, kind: 'iis-w3c', size: text.length, mtime: '' }, (d) => diags.push(d))) {
      events.push(e as W3cEvent);
    }
    return { events, diags };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('field names follow SigmaHQ webserver rules', () => {
  assert.equal(normaliseW3cField('cs(User-Agent)'), 'cs-user-agent');
  assert.equal(normaliseW3cField('cs(Referer)'), 'cs-referer');
  assert.equal(normaliseW3cField('cs(Host)'), 'cs-host');
  assert.equal(normaliseW3cField('cs(X-Custom)'), 'cs-x-custom');
  assert.equal(normaliseW3cField('cs-uri-query'), 'cs-uri-query');
  assert.equal(siteFromPath('C/inetpub/logs/LogFiles/W3SVC2/u_ex1.log'), 'W3SVC2');
  assert.equal(siteFromPath('C/Windows/System32/LogFiles/HTTPERR/httperr1.log'), 'HTTPERR');
  assert.equal(siteFromPath('u_ex1.log'), null);
});

test("'+' is a space in the user agent only; '-' means absent; originals kept as aliases", async () => {
  const { events, diags } = await read(
    'W3SVC1/u_ex1.log',
    '#Fields: date time cs-method cs-uri-stem cs-uri-query cs(User-Agent) cs(Referer) sc-status\n' +
      '2021-03-03 06:14:02 GET /owa/a+b q=1+2 Mozilla/5.0+(X11) - 200\n',
  );
  assert.deepEqual(diags, []);
  const f = events[0]!.fields;
  assert.equal(f['cs-user-agent'], 'Mozilla/5.0 (X11)');
  assert.equal(f['cs(User-Agent)'], 'Mozilla/5.0 (X11)');
  assert.equal(f['cs-uri-stem'], '/owa/a+b');
  assert.equal(f['cs-uri-query'], 'q=1+2');
  assert.ok(!('cs-referer' in f) && !('cs(Referer)' in f));
  assert.equal(events[0]!.site, 'W3SVC1');
  assert.equal(events[0]!.time, '2021-03-03T06:14:02Z');
});

test('site and host from s-sitename / s-computername override the path; bad dates are diagnostics', async () => {
  const { events, diags } = await read(
    'W3SVC1/u_ex2.log',
    '#Fields: date time s-sitename s-computername cs-uri-stem\n2021-03-03 06:00:00 W3SVC2 EXCH09 /x\n2021-13-45 06:00:00 W3SVC2 EXCH09 /y\n',
  );
  assert.equal(events[0]!.site, 'W3SVC2');
  assert.equal(events[0]!.host, 'EXCH09');
  assert.equal(events[1]!.time, null);
  assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [['LOG_BAD_TIMESTAMP', 3]]);
});

test('HTTPERR logs (W3C from HTTP.sys) read with site HTTPERR', async () => {
  const { events, diags } = await read(
    'HTTPERR/httperr1.log',
    '#Software: Microsoft HTTP API 2.0\n#Fields: date time c-ip c-port s-ip s-port cs-version cs-method cs-uri sc-status s-siteid s-reason s-queuename\n' +
      '2021-03-03 06:00:00 192.0.2.1 5000 10.0.0.5 443 HTTP/1.1 GET /ecp/x.js 400 - BadRequest -\n',
  );
  assert.deepEqual(diags, []);
  assert.equal(events[0]!.site, 'HTTPERR');
  assert.equal(events[0]!.fields['cs-uri'], '/ecp/x.js');
});

test('lines with few or no spaces bind by position and never shift the lines after them', async () => {
  const body = ['x', 'y z', '', 'torn', '2021-03-03 06:00:01 GET /a', 'w', '2021-03-03 06:00:02 POST /b q'];
  const { events, diags } = await read('W3SVC1/u_ex3.log', '#Fields: date time cs-method cs-uri-stem\r\n' + body.join('\r\n'));
  assert.deepEqual(
    events.map((e) => [e.ref.line, e.fields]),
    [
      [2, { date: 'x' }],
      [3, { date: 'y', time: 'z' }],
      [5, { date: 'torn' }],
      [6, { date: '2021-03-03', time: '06:00:01', 'cs-method': 'GET', 'cs-uri-stem': '/a' }],
      [7, { date: 'w' }],
    ],
  );
  assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [
    ['LOG_COLUMN_COUNT', 2],
    ['LOG_COLUMN_COUNT', 3],
    ['LOG_BAD_TIMESTAMP', 3],
    ['LOG_COLUMN_COUNT', 5],
    ['LOG_COLUMN_COUNT', 7],
    ['LOG_COLUMN_COUNT', 8],
  ]);
});

test('a line selection: kept lines give the same events as a full read; the others are counted with their times', async () => {
  const text = [
    '#Software: Microsoft Internet Information Services 10.0',
    '#Fields: date time c-ip cs-method cs-uri-stem cs(User-Agent) sc-status',
    '2021-03-03 01:00:00 192.0.2.10 GET /owa/ Mozilla/5.0+(x) 200',
    '2021-03-03 01:00:00 10.0.0.5 GET /ews/ Outlook 200',
    '2021-03-03 01:00:01 10.0.0.6 GET /ews/ Outlook 200',
    '2021-03-03 01:00:02 10.0.0.7 GET /ews/ too many columns here 200',
    '#Fields: time date c-ip cs-uri-stem',
    '01:00:03 2021-03-04 192.0.2.10 /ecp/y.js',
    '01:00:04 2021-03-04 10.0.0.8 /owa/',
    'not-a-time 2021-03-04 10.0.0.9 /owa/',
    '',
  ].join('\n');
  const full = await read('W3SVC1/u_ex210303.log', text);
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-w3c-'));
  try {
    const abs = join(dir, 'W3SVC1', 'u_ex210303.log');
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    const skipped: (string | null)[] = [];
    const select: LineSelection = { keep: (t, s, e) => t.slice(s, e).includes('192.0.2.10'), skipped: (time) => skipped.push(time) };
    const diags: Diagnostic[] = [];
    const kept: W3cEvent[] = [];
    for await (const b of readW3cBatches({ absPath: abs, path: 'W3SVC1/u_ex210303.log', root: dir, kind: 'iis-w3c', size: text.length, mtime: '' }, (d) => diags.push(d), { select }))
      kept.push(...b);
    // Kept: the two lines of 192.0.2.10; the line with too many columns always takes the full path (and its
    // diagnostic), as does nothing else.
    assert.deepEqual(kept.map((e) => e.ref.line), [3, 8]);
    assert.deepEqual(kept, full.events.filter((e) => e.ref.line === 3 || e.ref.line === 8));
    assert.deepEqual(diags, full.diags);
    // Passed over: every other data line, with the time a full read gives it (null for the bad one).
    const others = full.events.filter((e) => e.ref.line !== 3 && e.ref.line !== 8);
    assert.deepEqual(skipped, others.map((e) => e.time));
    assert.equal(skipped.length + kept.length, full.events.length, 'the malformed line is not an event in either read');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
