// Host detection tests: each source (client_info.json, KAPE %m folder, EVTX/event Computer, log fields, the
// collection's name), their order of trust, a folder name the logs contradict, and collections told apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';
import {
  ArchiveSession,
  CollectionRecords,
  chooseHost,
  HostVotes,
  clientInfoHost,
  collectionHosts,
  collectionPlace,
  discover,
  hostOfInputs,
  kapeFolderHost,
  sampleLogHosts,
  velociraptorArchiveHost,
  type Evidence,
} from './index.js';

const FIX = join(projectRoot, 'test', 'fixtures', 'logs');
const EXAMPLE = join(projectRoot, 'examples', 'exchange-2021');

async function evidenceOf(paths: string[], archives?: ArchiveSession): Promise<{ evidence: Evidence[]; records: CollectionRecords }> {
  const records = new CollectionRecords();
  const evidence: Evidence[] = [];
  for await (const ev of discover(paths, () => {}, { records, ...(archives ? { archives } : {}) })) evidence.push(ev);
  return { evidence, records };
}

test('client_info.json: the Fqdn where it extends the Hostname, else the Hostname; nothing from bad JSON', () => {
  assert.equal(clientInfoHost('{"Hostname":"EXCH01","Fqdn":"EXCH01.corp.local"}'), 'EXCH01.corp.local');
  assert.equal(clientInfoHost('{"Hostname":"EXCH01","Fqdn":"localhost.localdomain"}'), 'EXCH01');
  assert.equal(clientInfoHost('[{"Hostname":"EXCH02"}]'), 'EXCH02');
  assert.equal(clientInfoHost('{"Fqdn":"mx1.corp.local"}'), 'mx1.corp.local');
  assert.equal(clientInfoHost('{"Hostname":"../../etc"}'), null);
  assert.equal(clientInfoHost('{"Hostname":'), null);
});

test('KAPE folder and Velociraptor archive names: only shapes a machine name can take', () => {
  assert.equal(kapeFolderHost('EXCH01'), 'EXCH01');
  assert.equal(kapeFolderHost('20210310'), null);
  assert.equal(kapeFolderHost('a-name-longer-than-15'), null);
  assert.equal(velociraptorArchiveHost('Collection-EXCH01.corp.local-2021-03-10T10_00_00Z.zip'), 'EXCH01.corp.local');
  assert.equal(velociraptorArchiveHost('Collection-EXCH01-2021-03-10T10_00_00Z'), 'EXCH01');
  assert.equal(velociraptorArchiveHost('evidence.zip'), null);
});

test('votes: the most trusted source wins, in the fullest form an agreeing source gave', () => {
  const v = new HostVotes();
  v.add('EXCH01.corp.local', 'event-log-computer', 'a.evtx', 40);
  v.add('DC01.corp.local', 'event-log-computer', 'b.evtx', 3);
  v.add('EXCH01', 'velociraptor-client-info', 'client_info.json');
  v.add('EXCH01', 'collection-name', 'Collection-EXCH01-x.zip');
  const h = v.resolve()!;
  assert.equal(h.name, 'EXCH01.corp.local');
  assert.equal(h.source, 'velociraptor-client-info');
  assert.equal(h.evidence, 'client_info.json');
  assert.deepEqual(h.others.map((o) => o.name), ['DC01.corp.local']);
  assert.equal(new HostVotes().resolve(), null);
});

test('votes: the EVTX Computer most seen wins over log fields and the archive name', () => {
  const v = new HostVotes();
  v.add('MBX02', 'event-log-computer', 'x.evtx', 2);
  v.add('MBX01', 'event-log-computer', 'y.evtx', 9);
  v.add('FE01', 'log-field', 'HttpProxy.LOG', 500);
  v.add('OTHER', 'collection-name', 'Collection-OTHER-2021-01-01T00_00_00Z.zip');
  assert.deepEqual([v.resolve()!.name, v.resolve()!.source], ['MBX01', 'event-log-computer']);
});

test('votes: a KAPE folder the logs contradict is a case label, not the machine', () => {
  const v = new HostVotes();
  v.add('exchange-2021', 'kape-folder', 'exchange-2021');
  v.add('EXCH01.corp.example.com', 'event-log-computer', 'Application.jsonl');
  const h = v.resolve()!;
  assert.deepEqual([h.name, h.source], ['EXCH01.corp.example.com', 'event-log-computer']);
  assert.deepEqual(h.others.map((o) => [o.name, o.source]), [['exchange-2021', 'kape-folder']]);
  // where the logs name no machine, the folder stands; where they agree, it is confirmed
  const alone = new HostVotes();
  alone.add('EXCH02', 'kape-folder', 'EXCH02');
  assert.deepEqual([alone.resolve()!.name, alone.resolve()!.source], ['EXCH02', 'kape-folder']);
  alone.add('exch02.corp.local', 'log-field', 'MSGTRK.LOG', 3);
  assert.deepEqual([alone.resolve()!.name, alone.resolve()!.source], ['exch02.corp.local', 'kape-folder']);
});

test('collection places: Velociraptor root, KAPE drive folder, archive, a zip staged on the host, a plain folder', () => {
  assert.deepEqual(collectionPlace('hosts/EXCH01/uploads/auto/C:/Windows/x.log'), { prefix: 'hosts/EXCH01/', layout: 'velociraptor' });
  assert.deepEqual(collectionPlace('EXCH02/C/Windows/System32/winevt/Logs/Security.evtx'), { prefix: 'EXCH02/', layout: 'kape' });
  assert.deepEqual(collectionPlace('a.zip!/data.zip!/uploads/ntfs/C:/x'), { prefix: 'a.zip!/data.zip!/', layout: 'velociraptor' });
  assert.deepEqual(collectionPlace('C/ProgramData/it.zip!/C/Windows/x'), { prefix: '', layout: 'kape' });
  assert.deepEqual(collectionPlace('logs.zip!/W3SVC1/u_ex210303.log'), { prefix: 'logs.zip!/', layout: 'archive' });
  assert.deepEqual(collectionPlace('logs/a/b/u_ex210303.log'), { prefix: '', layout: 'folder' });
  // a one-letter folder is a drive only before a volume's usual folders, or beside a KAPE copy log
  assert.deepEqual(collectionPlace('x/D/stuff/y.log', new Set(['x/'])), { prefix: 'x/', layout: 'kape' });
});

test('the bundled example: the exported events name EXCH01.corp.example.com, not the folder exchange-2021', async () => {
  const { evidence, records } = await evidenceOf([EXAMPLE]);
  const hosts = await collectionHosts(evidence, records);
  assert.equal(hosts.collections.length, 1);
  const h = hosts.collections[0]!.host!;
  assert.deepEqual([h.name, h.source], ['EXCH01.corp.example.com', 'event-log-computer']);
  assert.match(h.evidence, /\.jsonl$/);
  assert.ok(h.others.some((o) => o.name === 'exchange-2021' && o.source === 'kape-folder'));
  // every evidence file, the web shells included, is that host's
  const shell = evidence.find((e) => e.path.endsWith('r3LpVn.aspx'))!;
  assert.equal(hosts.hostOf(shell.path), 'EXCH01.corp.example.com');
});

test('two collections under one folder keep their hosts: client_info.json, and a KAPE %m folder the logs confirm or contradict', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-host-'));
  try {
    cpSync(join(FIX, 'velociraptor'), join(dir, 'velo'), { recursive: true });
    writeFileSync(join(dir, 'velo', 'client_info.json'), '{"Hostname":"MBX02","Fqdn":"MBX02.corp.local"}');
    // the fixture's IIS s-computername and HttpProxy ServerHostName say EXCH01
    cpSync(join(FIX, 'kape'), join(dir, 'exch01'), { recursive: true });
    cpSync(join(FIX, 'kape'), join(dir, 'MBX07'), { recursive: true });
    writeFileSync(join(dir, 'MBX07', '2021-03-10T10_00_00_0000000_CopyLog.csv'), 'CopiedTimestamp,SourceFile\r\n');
    const { evidence, records } = await evidenceOf([dir]);
    const hosts = await collectionHosts(evidence, records);
    const by = new Map(hosts.collections.map((c) => [c.prefix, c]));
    assert.deepEqual([...by.keys()].sort(), ['MBX07/', 'exch01/', 'velo/']);
    assert.deepEqual([by.get('velo/')!.host!.name, by.get('velo/')!.host!.source, by.get('velo/')!.layout], ['MBX02.corp.local', 'velociraptor-client-info', 'velociraptor']);
    assert.deepEqual([by.get('exch01/')!.host!.name, by.get('exch01/')!.host!.source, by.get('exch01/')!.layout], ['EXCH01', 'kape-folder', 'kape']);
    assert.deepEqual([by.get('MBX07/')!.host!.name, by.get('MBX07/')!.host!.source], ['EXCH01', 'log-field']);
    assert.ok(by.get('MBX07/')!.host!.others.some((o) => o.name === 'MBX07' && o.source === 'kape-folder'));
    const iis = evidence.find((e) => e.path.startsWith('velo/') && e.kind === 'iis-w3c')!;
    assert.equal(hosts.hostOf(iis.path), 'MBX02.corp.local');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hostOfInputs: a Velociraptor zip names its host from the client_info.json inside it, over the archive name', async () => {
  const { zipOf, velociraptorEntries } = await import('../../test/e2e/archive-packs.js');
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-host-'));
  try {
    const zip = join(dir, 'Collection-WRONGNAME-2021-03-10T10_00_00Z.zip');
    writeFileSync(zip, await zipOf(velociraptorEntries(EXAMPLE, 'EXCH09')));
    const h = (await hostOfInputs([zip]))!;
    assert.deepEqual([h.name, h.source, h.evidence], ['EXCH09.corp.local', 'velociraptor-client-info', `${'Collection-WRONGNAME-2021-03-10T10_00_00Z.zip'}!/client_info.json`]);
    // the archive's own name and the events' Computer are kept as the other names seen
    assert.ok(h.others.some((o) => o.name === 'WRONGNAME' && o.source === 'collection-name'));
    assert.ok(h.others.some((o) => o.name === 'EXCH01.corp.example.com' && o.source === 'event-log-computer'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const SHARED_EVTX = join(projectRoot, '..', 'shared', 'sigma', 'regression_data', 'rules-emerging-threats', '2026', 'Exploits', 'RedSun', 'file_event_win_exploit_redsun_indicators', 'f2e4b7d9-5c3a-4f8b-9e1d-7a6c2b3f4e5d.evtx');

test('EVTX: the Computer of the first records, read from the file header and first chunks only', { skip: existsSync(SHARED_EVTX) ? false : 'needs ../shared (the Sigma regression EVTX)' }, async () => {
  const { evidence } = await evidenceOf([SHARED_EVTX]);
  const v = new HostVotes();
  await sampleLogHosts(evidence, v);
  assert.deepEqual(v.candidates.map((c) => [c.name, c.source, c.count]), [['swachchhanda', 'event-log-computer', 1]]);
});

test('the host of a finding: its collection host where its event names none or the same machine, else the machine named', () => {
  assert.equal(chooseHost('EXCH01.corp.local', null), 'EXCH01.corp.local');
  assert.equal(chooseHost('EXCH01.corp.local', 'exch01'), 'EXCH01.corp.local');
  assert.equal(chooseHost('EXCH01.corp.local', 'DC01.corp.local'), 'DC01.corp.local');
  assert.equal(chooseHost(null, 'DC01'), 'DC01');
  assert.equal(chooseHost(null, null), null);
});
