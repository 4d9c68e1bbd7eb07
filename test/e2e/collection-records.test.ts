// True file times and hashes from the collection's own records: KAPE's copy log (a folder) and Velociraptor's
// upload rows (a zip). The copy's mtime is today; the records say 2021-03-03, and the finding, the story and
// the timeline say 2021-03-03 and where it came from; a file whose bytes differ from the recorded hash is a finding.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { Finding } from '../../src/finding.js';
import { runCli } from './run-cli.js';
import { zipOf } from './archive-packs.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-records-'));
after(() => rmSync(work, { recursive: true, force: true }));
const shell = readFileSync(join(projectRoot, 'examples', 'exchange-2021', 'C', 'inetpub', 'wwwroot', 'aspnet_client', 'r3LpVn.aspx'));
const other = Buffer.from('<%@ Page Language="C#" %><% Response.Write(Request["x"]); %>\n');
const shellDir = 'C/inetpub/wwwroot/aspnet_client';
const today = new Date().toISOString().slice(0, 10);

async function scan(input: string): Promise<{ findings: Finding[]; timeline: string; report: string }> {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const r = await runCli(['scan', input, '--out', out, '-q', '--workers', '1']);
  assert.equal(r.code, 1, r.err);
  const findings = readFileSync(join(out, 'findings.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Finding);
  return { findings, timeline: readFileSync(join(out, 'timeline.csv'), 'utf8'), report: readFileSync(join(out, 'report.html'), 'utf8') };
}

function checkTimes(r: { findings: Finding[]; timeline: string; report: string }, shellPath: RegExp, source: string, allRecorded: boolean): void {
  const mine = r.findings.filter((f) => f.engine === 'file' && shellPath.test(f.evidence.path) && f.rule.id !== 'exhunt-collection-hash-mismatch');
  assert.ok(mine.length > 0, 'the web shell is found');
  for (const f of mine) {
    assert.equal(f.time, '2021-03-03T06:20:11.123Z');
    assert.equal(f.fields['timeSource'], source);
    assert.equal(f.fields['recordedCreated'], '2021-03-01T02:00:00.000Z');
    assert.ok(String(f.fields['mtime']).startsWith(today), "the copy's own time is kept beside it");
  }
  const rows = r.timeline.split('\n').filter((l) => l.includes('r3LpVn.aspx'));
  assert.ok(rows.length > 0 && rows.every((l) => l.includes('2021-03-03')), 'the timeline uses the recorded time');
  const story = r.report.slice(r.report.indexOf('id="story"'), r.report.indexOf('</section>', r.report.indexOf('id="story"')));
  assert.match(story, /2021-03-03/);
  // (a file the records do not list keeps its copy's date, in the story too)
  if (allRecorded) assert.ok(!story.includes(today), "the story does not run to the copy's date");
}

test("KAPE copy log: the original file's times, the copy's time only for files it does not list, and a SHA-1 mismatch", async () => {
  const dir = join(work, 'kape', 'EXCH01');
  mkdirSync(join(dir, shellDir), { recursive: true });
  writeFileSync(join(dir, shellDir, 'r3LpVn.aspx'), shell);
  writeFileSync(join(dir, shellDir, 'errorEE.aspx'), other);
  writeFileSync(join(dir, shellDir, 'unlisted.aspx'), other);
  const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');
  writeFileSync(
    join(dir, '2021-03-10T10_00_00_1234567_CopyLog.csv'),
    [
      'CopiedTimestamp,SourceFile,DestinationFile,FileSize,SourceFileSha1,DeferredCopy,CreatedOnUtc,ModifiedOnUtc,LastAccessedOnUtc,CopyDuration',
      `2021-03-10 10:00:01,C:\\inetpub\\wwwroot\\aspnet_client\\r3LpVn.aspx,X:\\out\\C\\inetpub\\wwwroot\\aspnet_client\\r3LpVn.aspx,${shell.length},${sha1(shell)},False,2021-03-01 02:00:00.0000000,2021-03-03 06:20:11.1234567,2021-03-09 00:00:00.0000000,0.01`,
      `2021-03-10 10:00:01,C:\\inetpub\\wwwroot\\aspnet_client\\errorEE.aspx,X:\\out\\C\\inetpub\\wwwroot\\aspnet_client\\errorEE.aspx,${other.length},${'0'.repeat(40)},False,2021-03-01 02:00:00.0000000,2021-03-03 06:21:00.0000000,2021-03-09 00:00:00.0000000,0.01`,
    ].join('\r\n') + '\r\n',
  );
  const r = await scan(join(work, 'kape'));
  checkTimes(r, /^EXCH01\/C\/inetpub\/wwwroot\/aspnet_client\/r3LpVn\.aspx$/, 'kape-copylog', false);
  const bad = r.findings.filter((f) => f.rule.id === 'exhunt-collection-hash-mismatch');
  assert.deepEqual(bad.map((f) => f.evidence.path), [`EXCH01/${shellDir}/errorEE.aspx`], 'only the file whose bytes differ');
  assert.equal(bad[0]!.fields['algorithm'], 'SHA-1');
  assert.equal(bad[0]!.time, '2021-03-03T06:21:00.000Z');
  const unlisted = r.findings.filter((f) => f.evidence.path.endsWith('unlisted.aspx'));
  assert.ok(unlisted.length > 0);
  for (const f of unlisted) assert.match(String(f.fields['timeSource']), /^copy/);
});

test('Velociraptor upload rows inside a zip: the original times, and a SHA-256 mismatch', async () => {
  const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const row = (file: string, data: Buffer, hash: string): string =>
    JSON.stringify({ SourceFile: `C:\\inetpub\\wwwroot\\aspnet_client\\${file}`, FileSize: data.length, SourceFileSha256: hash, Created: '2021-03-01T02:00:00.0000000Z', Modified: '2021-03-03T06:20:11.1234567Z', LastAccessed: '2021-03-09T00:00:00.0000000Z' });
  const file = join(work, 'Collection-EXCH01.zip');
  writeFileSync(
    file,
    await zipOf([
      { name: 'client_info.json', data: Buffer.from('{"Hostname":"EXCH01"}') },
      { name: 'uploads.json', data: Buffer.from('{}\n') },
      { name: 'results/Windows.KapeFiles.Targets%2FUploads.json', data: Buffer.from([row('r3LpVn.aspx', shell, sha256(shell)), row('errorEE.aspx', other, 'f'.repeat(64))].join('\n') + '\n') },
      { name: 'uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/r3LpVn.aspx', data: shell },
      { name: 'uploads/auto/C%3A/inetpub/wwwroot/aspnet_client/errorEE.aspx', data: other },
    ]),
  );
  const r = await scan(file);
  checkTimes(r, /^Collection-EXCH01\.zip!\/uploads\/auto\/C:\/inetpub\/wwwroot\/aspnet_client\/r3LpVn\.aspx$/, 'velociraptor-uploads', true);
  const bad = r.findings.filter((f) => f.rule.id === 'exhunt-collection-hash-mismatch');
  assert.deepEqual(bad.map((f) => f.evidence.path), ['Collection-EXCH01.zip!/uploads/auto/C:/inetpub/wwwroot/aspnet_client/errorEE.aspx']);
  assert.equal(bad[0]!.fields['algorithm'], 'SHA-256');
});
