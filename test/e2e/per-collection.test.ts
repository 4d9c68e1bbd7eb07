// A folder of three collection zips from three hosts, a folder of collection folders, plain folders from distinct
// hosts: one scan each, a folder of outputs each, its own verdict, index.html listing them; the hosts never mix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { ScanSummary } from '../../src/summary.js';
import { runCli } from './run-cli.js';
import { kapeEntries, zipOf } from './archive-packs.js';
import { collectionName, splitCollections } from '../../src/cli/commands/collections.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-per-collection-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('collection names: the host from Velociraptor naming, else the file name', () => {
  assert.equal(collectionName('/x/Collection-EXCH01-2021-03-10T10_00_00Z.zip'), 'EXCH01');
  assert.equal(collectionName('Collection-mail-02.corp-2024-01-02T03_04_05Z.zip'), 'mail-02.corp');
  assert.equal(collectionName('kape-EXCH03.tar.gz'), 'kape-EXCH03');
});

test('three collection zips from three hosts: three reports and verdicts, and an index', async () => {
  const inbox = join(work, 'inbox');
  mkdirSync(inbox);
  const hosts: [string, string][] = [
    ['EXCH01', join(projectRoot, 'examples', 'exchange-2021')],
    ['EXCH02', join(projectRoot, 'test', 'fixtures', 'exchange', 'benign')],
    ['EXCH03', join(projectRoot, 'test', 'fixtures', 'exchange', 'proxyshell')],
  ];
  for (const [host, dir] of hosts) writeFileSync(join(inbox, `Collection-${host}-2021-03-10T10_00_00Z.zip`), await zipOf(kapeEntries(dir)));
  // a folder of archives only is split; a folder with anything else is one scan, as before
  assert.equal((await splitCollections([inbox]))?.length, 3);
  assert.equal(await splitCollections([join(projectRoot, 'examples', 'exchange-2021')]), null);

  const out = join(work, 'out');
  const r = await runCli(['scan', inbox, '--out', out, '-q', '--workers', '1']);
  assert.equal(r.code, 1, r.err);
  const verdicts: Record<string, string> = {};
  for (const [host] of hosts) {
    assert.ok(existsSync(join(out, host, 'report.html')), `${host} has its report`);
    const s = JSON.parse(readFileSync(join(out, host, 'summary.json'), 'utf8')) as ScanSummary;
    assert.deepEqual(s.inputs, [join(inbox, `Collection-${host}-2021-03-10T10_00_00Z.zip`)]);
    const lines = readFileSync(join(out, host, 'findings.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
    for (const l of lines) assert.ok((JSON.parse(l) as { evidence: { path: string } }).evidence.path.startsWith(`Collection-${host}-`), 'only its own findings');
    verdicts[host] = /<title>exhunt report — ([^<]+)<\/title>/.exec(readFileSync(join(out, host, 'report.html'), 'utf8'))![1]!;
  }
  assert.equal(verdicts['EXCH01'], 'compromised');
  assert.notEqual(verdicts['EXCH02'], 'compromised', 'the benign server is not judged by the others');
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  for (const [host] of hosts) assert.ok(index.includes(`href="${host}/report.html"`), host);
  assert.equal((index.match(/<tr class="verdict-/g) ?? []).length, 3);
  assert.match(index, /verdict-compromised/);
});

interface Line {
  host: string | null;
  evidence: { path: string };
}
const linesOf = (text: string): Line[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);

test('a folder of collection folders (KAPE, Velociraptor): one scan, verdict and host each; with --jsonl each finding names its host', async () => {
  const parent = join(work, 'folders');
  cpSync(join(projectRoot, 'examples', 'exchange-2021'), join(parent, 'case-a'), { recursive: true });
  cpSync(join(projectRoot, 'test', 'fixtures', 'logs', 'velociraptor'), join(parent, 'case-b'), { recursive: true });
  writeFileSync(join(parent, 'case-b', 'client_info.json'), '{"Hostname":"MBX02","Fqdn":"MBX02.corp.local"}');
  const groups = await splitCollections([parent]);
  assert.deepEqual(groups?.map((g) => g.name), ['case-a', 'case-b']);

  const out = join(work, 'folders-out');
  const r = await runCli(['scan', parent, '--out', out, '-q', '--workers', '1']);
  assert.equal(r.code, 1, r.err);
  const a = JSON.parse(readFileSync(join(out, 'case-a', 'summary.json'), 'utf8')) as ScanSummary;
  const b = JSON.parse(readFileSync(join(out, 'case-b', 'summary.json'), 'utf8')) as ScanSummary;
  assert.deepEqual([a.hosts?.[0]?.host?.name, a.hosts?.[0]?.host?.source], ['EXCH01.corp.example.com', 'event-log-computer']);
  assert.deepEqual([b.hosts?.[0]?.host?.name, b.hosts?.[0]?.host?.source], ['MBX02.corp.local', 'velociraptor-client-info']);
  for (const [dir, host] of [['case-a', 'EXCH01.corp.example.com'], ['case-b', 'MBX02.corp.local']] as const) {
    const lines = linesOf(readFileSync(join(out, dir, 'findings.jsonl'), 'utf8'));
    assert.ok(lines.length > 0, dir);
    assert.deepEqual([...new Set(lines.map((l) => l.host))], [host], `${dir}: every finding carries its host`);
    assert.match(readFileSync(join(out, dir, 'timeline.csv'), 'utf8'), new RegExp(`"${host.replace(/\./g, '\\.')}"`));
    assert.match(readFileSync(join(out, dir, 'report.html'), 'utf8'), /<dt>Host<\/dt>/);
  }
  const index = readFileSync(join(out, 'index.html'), 'utf8');
  assert.ok(index.includes('href="case-a/report.html"') && index.includes('href="case-b/report.html"'));
  assert.match(index, /MBX02\.corp\.local <span class="muted small">\(velociraptor-client-info\)/);

  // without --out: the same two scans, their findings on stdout one collection after the other, each naming its host
  const j = await runCli(['scan', join(parent, 'case-b'), join(parent, 'case-a'), '--jsonl', '-q', '--workers', '1']);
  assert.equal(j.code, 1, j.err);
  const hosts = linesOf(j.out).map((l) => l.host);
  const firstA = hosts.indexOf('EXCH01.corp.example.com');
  assert.ok(firstA > 0, 'case-b (given first) comes first');
  assert.deepEqual([...new Set(hosts.slice(0, firstA))], ['MBX02.corp.local']);
  assert.deepEqual([...new Set(hosts.slice(firstA))], ['EXCH01.corp.example.com']);
});

test('plain folders are separate collections only when their logs name distinct hosts', async () => {
  const iis = readFileSync(join(projectRoot, 'test', 'fixtures', 'logs', 'kape', 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1', 'u_ex210303.log'), 'utf8');
  assert.match(iis, /s-computername/);
  const plain = (name: string, host: string): string => {
    const dir = join(work, 'plain', name);
    mkdirSync(join(dir, 'W3SVC1'), { recursive: true });
    writeFileSync(join(dir, 'W3SVC1', 'u_ex210303.log'), iis.replace(/EXCH01/g, host));
    return dir;
  };
  const a = plain('a', 'EXCH01');
  const b = plain('b', 'MBX02');
  const c = plain('c', 'exch01');
  assert.deepEqual((await splitCollections([a, b]))?.map((g) => g.inputs), [[a], [b]]);
  assert.equal(await splitCollections([a, c]), null, 'the same host twice: one scan, as before');
  assert.equal(await splitCollections([a, join(work, 'plain')]), null, 'a folder of plain folders is one collection');
  const r = await runCli(['scan', a, b, '--jsonl', '-q', '--workers', '1']);
  const hosts = linesOf(r.out).map((l) => l.host);
  assert.ok(hosts.includes('EXCH01') && hosts.includes('MBX02'), r.err);
  assert.ok(hosts.lastIndexOf('EXCH01') < hosts.indexOf('MBX02'), 'one collection after the other');
});
