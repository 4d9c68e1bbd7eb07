// Exchange CSV reader tests: log names from folders and #Log-type, #Fields changes mid-file, quoting,
// ECP `S:KEY=value` fields, Protocol column fallback, version and host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logFromPath, logFromType, splitEventData } from './index.js';
import { readLogText } from './testkit.js';

const read = readLogText;

test('log names from the Exchange folder layout', () => {
  const V = 'C/Program Files/Microsoft/Exchange Server/V15/Logging';
  assert.deepEqual(logFromPath(`${V}/HttpProxy/Autodiscover/HttpProxy_2021080512-1.LOG`), { log: 'httpproxy', protocol: 'Autodiscover' });
  assert.deepEqual(logFromPath(`${V}/ECP/Server/ECPServer20210303-1.LOG`), { log: 'ecp-server', protocol: null });
  assert.deepEqual(logFromPath(`${V}/ECP/Activity/ECPActivity_20210303-1.LOG`), { log: 'ecp-activity', protocol: null });
  assert.deepEqual(logFromPath(`${V}/OABGeneratorLog/OABGeneratorLog_20210303-1.LOG`), { log: 'oab-generator', protocol: null });
  assert.deepEqual(logFromPath(`${V}/MapiHttp/Mailbox/x.LOG`), { log: 'mapihttp', protocol: 'Mailbox' });
  assert.equal(logFromPath('HttpProxy_2021080512-1.LOG'), null);
  assert.equal(logFromType('HttpProxy Logs'), 'httpproxy');
  assert.equal(logFromType('ECP Server Log'), 'ecp-server');
  assert.equal(logFromType('OABGenerator Log'), 'oab-generator');
  assert.equal(logFromType('Message Tracking Log'), 'message-tracking');
});

test('S:KEY=value pairs: values with ; stay whole, keys also in upper case, existing names kept', () => {
  const f: Record<string, string> = { 'S:URL': 'column wins' };
  splitEventData("S:TIME=5;S:CMD=Set-X.Url='<script>a();b();</script>';S:URL=/ecp/x;S:Bld=15.1.2.3;I32:ADS.C[DC]=2", f);
  assert.equal(f['S:CMD'], "Set-X.Url='<script>a();b();</script>'");
  assert.equal(f['S:URL'], 'column wins');
  assert.equal(f['S:Bld'], '15.1.2.3');
  assert.equal(f['S:BLD'], '15.1.2.3');
  assert.equal(f['I32:ADS.C[DC]'], '2');
  assert.equal(f['S:TIME'], '5');
});

test('a single HttpProxy file given directly: log from #Log-type, protocol from the Protocol column', async () => {
  const { events, diags } = await read(
    'HttpProxy_2021080512-1.LOG',
    '#Software: Microsoft Exchange Server\n#Version: 15.01.2308.008\n#Log-type: HttpProxy Logs\n' +
      '#Fields: DateTime,Protocol,UrlStem,ServerHostName\n2021-08-10T09:00:00.123Z,Autodiscover,/autodiscover/autodiscover.json,EXCH02\n',
  );
  assert.deepEqual(diags, []);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.log, 'httpproxy');
  assert.equal(e.protocol, 'Autodiscover');
  assert.equal(e.version, '15.01.2308.008');
  assert.equal(e.host, 'EXCH02');
  assert.equal(e.ref.kind, 'exchange-httpproxy');
  assert.equal(e.time, '2021-08-10T09:00:00.123Z');
});

test('#Fields changing mid-file rebinds the columns from that line on; quoted commas and "" escapes', async () => {
  const { events, diags } = await read(
    'Logging/HttpProxy/Ews/HttpProxy_1.LOG',
    '#Fields: DateTime,UrlStem,UserAgent\n' +
      'DateTime,UrlStem,UserAgent\n' +
      '2021-08-10T09:00:00Z,/ews/exchange.asmx,"a, ""b"""\n' +
      '#Fields: DateTime,UserAgent,UrlStem,HttpStatus\n' +
      '2021-08-10T09:00:01Z,ua2,/ews/2,200\n',
  );
  assert.deepEqual(diags, []);
  assert.equal(events[0]!.fields['UserAgent'], 'a, "b"');
  assert.equal(events[0]!.fields['UrlStem'], '/ews/exchange.asmx');
  assert.deepEqual(events[1]!.fields, { DateTime: '2021-08-10T09:00:01Z', UserAgent: 'ua2', UrlStem: '/ews/2', HttpStatus: '200' });
  assert.equal(events.length, 2); // the bare header row repeating #Fields: is not an event
  assert.equal(events[1]!.ref.line, 5);
  assert.equal(events[1]!.protocol, 'Ews');
});

test('rows before any #Fields header and an unclosed quote are diagnostics, not throws', async () => {
  const { events, diags } = await read(
    'Logging/ECP/Server/ECPServer1.LOG',
    'orphan,row\n#Fields: TimeStamp,ServerName,EventID,EventData\n' +
      '2021-03-03T06:15:01.500Z,EXCH01,ECP.Request,"S:CMD=Set-OabVirtualDirectory;S:BLD=15.1.2176.2\n' +
      '2021-03-03T06:15:02.500Z,EXCH01,ECP.Request,S:CMD=Get-Mailbox\n',
  );
  assert.deepEqual(
    diags.map((d) => [d.code, d.location?.line]),
    [
      ['LOG_BAD_HEADER', 1],
      ['LOG_BAD_LINE', 3],
    ],
  );
  assert.equal(events.length, 1);
  assert.equal(events[0]!.fields['S:CMD'], 'Get-Mailbox');
  assert.equal(events[0]!.log, 'ecp-server');
  assert.equal(events[0]!.host, 'EXCH01');
});
