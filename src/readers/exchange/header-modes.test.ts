// Exchange's header modes as Exchange writes them (research exchange-logs.md §0, §6): CSV-compatible (bare header
// row, then the # block), # block first after a BOM, CSV-strict (no # lines), repeated headers, and the row quirks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../diagnostics.js';
import type { ExchangeEvent } from '../../event.js';
import { sniffKind } from '../../evidence/index.js';
import { exchangeLogHeader, exchangeLogRow, exchangeLogText, readLogText, rowOf } from './testkit.js';

async function read(path: string, text: string): Promise<{ events: ExchangeEvent[]; diags: Diagnostic[]; kind: string }> {
  return { ...(await readLogText(path, text)), kind: sniffKind(Buffer.from(text.slice(0, 8192))) };
}

const RPS_HTTP = 'DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,FailFast,ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,GenericInfo,GenericErrors'.split(',');

test('CSV-compatible: a bare header row on line 1, #Fields on line 6, rows from line 7; recognised by content', async () => {
  // Written by hand, byte for byte as the research shows a real Rps_Http file starts (no BOM, CRLF).
  const text =
    RPS_HTTP.join(',') + '\r\n' +
    '#Software: Microsoft Exchange Server\r\n#Version: 15.01.1713.001\r\n#Log-type: Rps Http Logs\r\n' +
    '#Date: 2021-08-13T21:00:00.412Z\r\n#Fields: ' + RPS_HTTP.join(',') + '\r\n' +
    exchangeLogRow(rowOf(RPS_HTTP, {
      DateTime: '2021-08-13T21:14:09.101Z', StartTime: '2021-08-13T21:14:08.990Z', UrlStem: '/Powershell',
      AuthenticationType: 'Kerberos', IsAuthenticated: 'true', AuthenticatedUser: 'jones@corp.example.com',
      ClientIpAddress: '198.51.100.23', ServerHostName: 'EXCH01', FrontEndServer: 'EXCH01.CORP.EXAMPLE.COM',
      HttpStatus: '200', SubStatus: '0', ClientInfo: 'Python PSRP Client',
      UrlQuery: '?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBBUJhc2ljTA&Email=autodiscover/autodiscover.json%3F@corp.example.com',
      GenericInfo: 'OnEndRequest.End.ContentType=application/soap+xml charset UTF-8;S:ServiceCommonMetadata.HttpMethod=POST;',
    }), { requestDetails: true }) + '\r\n';
  assert.equal(text, exchangeLogHeader({ mode: 'csv-compatible', version: '15.01.1713.001', logType: 'Rps Http Logs', date: '2021-08-13T21:00:00.412Z', fields: RPS_HTTP }) + text.split('\r\n')[6] + '\r\n', 'the testkit writes the same header');
  const { events, diags, kind } = await read('Rps_Http_2021081321-1.LOG', text);
  assert.equal(kind, 'exchange-csv');
  assert.deepEqual(diags, []);
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.equal(e.ref.line, 7);
  assert.equal(e.log, 'rps-http'); // from #Log-type: the file was given on its own
  assert.equal(e.version, '15.01.1713.001');
  assert.equal(e.time, '2021-08-13T21:14:09.101Z');
  assert.equal(e.fields['ClientInfo'], 'Python PSRP Client');
  assert.equal(e.fields['S:ServiceCommonMetadata.HttpMethod'], 'POST'); // GenericInfo pairs
  assert.equal(e.fields['OnEndRequest.End.ContentType'], 'application/soap+xml charset UTF-8');
  assert.equal(e.host, 'EXCH01');
});

test('the bare header row is taken even before the # block names the columns (a torn head still reads)', async () => {
  const fields = ['DateTime', 'RequestId', 'UrlStem', 'AnchorMailbox', 'HttpStatus'];
  // A file whose # block was lost (e.g. a partial copy): rows bind to the bare header row.
  const text = fields.join(',') + '\r\n2021-03-02T03:10:05.330Z,r1,/ecp/y.js,ServerInfo~a]@EXCH01:444/autodiscover/autodiscover.xml?#,200\r\n';
  const { events, diags } = await read('Logging/HttpProxy/Ecp/HttpProxy_2021030203-1.LOG', text);
  assert.deepEqual(diags, []);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.fields['AnchorMailbox'], 'ServerInfo~a]@EXCH01:444/autodiscover/autodiscover.xml?#');
  assert.equal(events[0]!.protocol, 'Ecp');
});

test('# block first after a UTF-8 BOM (MessageTracking): quoted source-context, ;-lists and custom-data S: pairs', async () => {
  const fields = 'date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id,internal-message-id,message-id,network-message-id,recipient-address,recipient-status,total-bytes,recipient-count,related-recipient-address,reference,message-subject,sender-address,return-path,message-info,directionality,tenant-id,original-client-ip,original-server-ip,custom-data,transport-traffic-type,log-id,schema-version'.split(',');
  const text = exchangeLogText(
    { mode: 'hash-first', version: '15.01.2375.007', logType: 'Message Tracking Log', date: '2022-09-19T15:00:00.101Z', fields },
    [
      rowOf(fields, {
        'date-time': '2022-09-19T15:02:11.730Z', 'server-hostname': 'EXCH01', 'source-context': 'MDB:3a1b, Mailbox:77c2, Event:1201, MessageClass:IPM.Note, ClientType:WebServices',
        source: 'STOREDRIVER', 'event-id': 'RECEIVE', 'recipient-address': 'a@partner.example;b@partner.example', 'total-bytes': '48213', 'recipient-count': '2',
        'sender-address': 'cfo@corp.example.com', 'original-client-ip': '203.0.113.77', directionality: 'Originating',
        'custom-data': 'S:Mailbox=77c2;S:ProxiedClientIPAddress=203.0.113.77;S:E2ELatency=0.412', 'schema-version': '15.01.2375.007',
      }),
    ],
    { requestDetails: false },
  );
  assert.ok(text.startsWith('\uFEFF#Software: Microsoft Exchange Server\r\n'));
  assert.ok(text.includes(',"MDB:3a1b, Mailbox:77c2, Event:1201, MessageClass:IPM.Note, ClientType:WebServices",'));
  const { events, diags, kind } = await read('C/Program Files/Microsoft/Exchange Server/V15/TransportRoles/Logs/MessageTracking/MSGTRKMS2022091915-1.LOG', text);
  assert.equal(kind, 'exchange-csv');
  assert.deepEqual(diags, []);
  const e = events[0]!;
  assert.equal(e.ref.line, 6);
  assert.equal(e.log, 'message-tracking');
  assert.equal(e.fields['source-context'], 'MDB:3a1b, Mailbox:77c2, Event:1201, MessageClass:IPM.Note, ClientType:WebServices');
  assert.equal(e.fields['S:ProxiedClientIPAddress'], '203.0.113.77');
  assert.equal(e.fields['recipient-address'], 'a@partner.example;b@partner.example');
  assert.equal(e.time, '2022-09-19T15:02:11.730Z');
});

test('CSV-strict (MRS): a bare header row and no # lines; both candidate time columns (research §6.2 leaves it open)', async () => {
  for (const fields of [
    ['Timestamp', 'RequestGuid', 'RequestType', 'Status', 'FilePath', 'BytesTransferred'],
    ['RequestGuid', 'RequestType', 'Status', 'FilePath', 'TS_Creation', 'TS_Completion'],
  ]) {
    const row = {
      Timestamp: '2021-08-13T21:20:00.000Z', TS_Creation: '2021-08-13T21:20:00.000Z', RequestGuid: '5b6c',
      RequestType: 'MailboxExport', Status: 'Queued', FilePath: '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\tkevsn.aspx',
    };
    const text = exchangeLogText({ mode: 'csv-strict', version: '', logType: '', date: '', fields }, [rowOf(fields, row)], { requestDetails: false });
    assert.ok(!text.includes('#'));
    const { events, diags, kind } = await read('C/Program Files/Microsoft/Exchange Server/V15/Logging/MailboxReplicationService/Requests/MRS_Requests_2021081321-1.LOG', text);
    assert.equal(kind, 'exchange-csv', fields.join(','));
    assert.deepEqual(diags, []);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.log, 'mrs');
    assert.equal(events[0]!.protocol, 'Requests');
    assert.equal(events[0]!.fields['FilePath'], row.FilePath);
    assert.equal(events[0]!.time, '2021-08-13T21:20:00.000Z');
  }
});

test('a CSV with a time column but no Exchange column is not taken for an Exchange log', () => {
  assert.equal(sniffKind(Buffer.from('DateTime,Name,Value\r\n2021-01-01T00:00:00Z,a,b\r\n')), 'file');
  assert.equal(sniffKind(Buffer.from('DateTime,RequestId,UrlStem\r\n2021-01-01T00:00:00Z,a,b\r\n')), 'exchange-csv');
  assert.equal(sniffKind(Buffer.from('Name,Value,Other\r\n#Software: Microsoft Exchange Server\r\n')), 'file'); // no time column: no header row
});

test('a repeated header block mid-file with another column set rebinds by name', async () => {
  const a = ['DateTime', 'RequestId', 'UrlStem', 'HttpStatus'];
  const b = ['DateTime', 'RequestId', 'Ring', 'HttpStatus', 'UrlStem'];
  const head = (f: string[]): string => exchangeLogHeader({ mode: 'csv-compatible', version: '15.01.2375.007', logType: 'EWS Logs', date: '2022-01-01T00:00:00.000Z', fields: f });
  const text =
    head(a) + '2022-01-01T00:00:01.000Z,r1,/EWS/Exchange.asmx,200\r\n' +
    head(b) + '2022-01-01T00:00:02.000Z,r2,R1,500,/EWS/other.asmx\r\n';
  const { events, diags } = await read('Logging/Ews/Ews_2022010100-1.LOG', text);
  assert.deepEqual(diags, []);
  assert.deepEqual(events.map((e) => [e.ref.line, e.fields['UrlStem'], e.fields['HttpStatus']]), [
    [7, '/EWS/Exchange.asmx', '200'],
    [14, '/EWS/other.asmx', '500'],
  ]);
  assert.equal(events[0]!.log, 'ews');
});

test('rows with an empty timestamp are kept (StartTime when it is there), literal \\r\\n stays in one value', async () => {
  const f = ['DateTime', 'StartTime', 'RequestId', 'Cmdlet', 'TotalTime', 'GenericErrors'];
  const text = exchangeLogText(
    { mode: 'csv-compatible', version: '15.01.1713.001', logType: 'Rps Cmdlet Logs', date: '2023-11-09T22:00:00.000Z', fields: f },
    [
      rowOf(f, { DateTime: '2023-11-09T22:14:01.000Z', RequestId: 'r9', Cmdlet: 'New-MailboxExportRequest', GenericErrors: 'Exception: MRS\r\n   at Stack.Frame(String message, Int32 hresult)' }),
      rowOf(f, { RequestId: 'r9', TotalTime: '31' }),
      rowOf(f, { StartTime: '2023-11-09T22:14:02.000Z', RequestId: 'r9', TotalTime: '12' }),
    ],
    { requestDetails: true },
  );
  const { events, diags } = await read('Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2023110922-1.LOG', text);
  assert.deepEqual(diags, []);
  assert.equal(events.length, 3);
  assert.equal(events[0]!.log, 'rps-cmdlet');
  assert.equal(events[0]!.protocol, 'Powershell-Proxy');
  // Exchange sanitising made the CRLF a space and the comma a space; a literal \r\n would be kept verbatim.
  assert.equal(events[0]!.fields['GenericErrors'], 'Exception: MRS    at Stack.Frame(String message  Int32 hresult)');
  assert.equal(events[1]!.time, null);
  assert.equal(events[2]!.time, '2023-11-09T22:14:02.000Z');
  const literal = exchangeLogText(
    { mode: 'hash-first', version: '15.0.0.0', logType: 'ECP Server Log', date: '2021-03-03T00:00:00.000Z', fields: ['TimeStamp', 'ServerName', 'EventId', 'EventData'] },
    [['2021-03-03T06:15:01.500Z', 'EXCH01', 'ECP.Request', 'S:ERR=line one\r\nline two;S:CMD=Get-Mailbox']],
    { requestDetails: false },
  );
  assert.ok(literal.includes('line one\\r\\nline two'));
  const r = await read('Logging/ECP/Server/ECPServer20210303-1.LOG', literal);
  assert.equal(r.events.length, 1);
  assert.equal(r.events[0]!.fields['S:ERR'], 'line one\\r\\nline two');
  assert.equal(r.events[0]!.fields['S:CMD'], 'Get-Mailbox');
});

test('audit queue: JSON in Data with doubled quotes becomes Data.* fields; a broken Data is kept as text and said', async () => {
  const f = ['Timestamp', 'Server', 'TenantId', 'RecordType', 'Data', 'UserKey', 'RecordId', 'Operation', 'Workload', 'ResultStatus', 'Version', 'Scope'];
  const data = JSON.stringify({
    CreationTime: '2021-08-13T21:15:00', Operation: 'New-MailboxExportRequest', UserId: 'CORP\\Administrator', ObjectId: 'jones',
    Parameters: [{ Name: 'Mailbox', Value: 'jones' }, { Name: 'FilePath', Value: '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\t.aspx' }],
    OriginatingServer: 'EXCH01 (15.01.2375.007)',
  });
  const text = exchangeLogText(
    { mode: 'hash-first', software: 'Microsoft Exchange', version: '15.01.2375.007', logType: 'audit', date: '2021-08-13T00:00:00.000Z', fields: f },
    [
      rowOf(f, { Timestamp: '2021-08-13T21:15:00.120Z', Server: 'EXCH01', RecordType: '1', Data: data, Operation: 'New-MailboxExportRequest', Workload: 'Exchange' }),
      rowOf(f, { Timestamp: '2021-08-13T21:16:00.120Z', Server: 'EXCH01', RecordType: '1', Data: '{"Operation": "Set-Mailbox", broken', Operation: 'Set-Mailbox' }),
    ],
    { requestDetails: false },
  );
  assert.ok(text.includes('""Operation"":""New-MailboxExportRequest""'));
  const { events, diags } = await read('C/Program Files/Microsoft/Exchange Server/V15/Logging/CosmosQueue/audit/audit20210813-1.LOG', text);
  assert.equal(events.length, 2);
  assert.equal(events[0]!.log, 'unified-audit');
  assert.equal(events[0]!.fields['Data.Operation'], 'New-MailboxExportRequest');
  assert.equal(events[0]!.fields['Data.Parameters.FilePath'], '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\t.aspx');
  assert.equal(events[0]!.fields['Data.UserId'], 'CORP\\Administrator');
  assert.deepEqual(diags.map((d) => [d.code, d.location?.line]), [['LOG_BAD_VALUE', 7]]);
  assert.equal(events[1]!.fields['Operation'], 'Set-Mailbox');
});
