// A folder of three collection zips from three hosts: one scan each, three folders of outputs named after the
// hosts, three verdicts, and index.html listing them; the hosts' findings never mix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  assert.equal(splitCollections([inbox])?.length, 3);
  assert.equal(splitCollections([join(projectRoot, 'examples', 'exchange-2021')]), null);

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
