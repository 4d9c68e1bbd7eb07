// The example collection received as archives — Velociraptor zip (plain, AES password, secured double zip), KAPE
// zip, tar.gz — gives the same findings (rule, evidence path inside the archive, line/record) as the folder,
// each naming its archive, and the private temp folder is gone after every scan.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import type { Finding } from '../../src/finding.js';
import { liveTempDirs } from '../../src/spill/index.js';
import { huntAll } from './hunt-all.js';
import { buildModel, reportHtml } from '../../src/reporters/index.js';
import { kapeEntries, securedZip, tarGzOf, velociraptorEntries, zipOf } from './archive-packs.js';

const example = join(projectRoot, 'examples', 'exchange-2021');
const work = mkdtempSync(join(tmpdir(), 'exhunt-archives-'));
// Scans make their temp folders here, so the test sees that none is left behind.
const temp = join(work, 'tmp');
mkdirSync(temp);
const savedTmp = process.env['TMPDIR'];
process.env['TMPDIR'] = temp;
after(() => {
  if (savedTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = savedTmp;
  rmSync(work, { recursive: true, force: true });
});

type Key = string;
/** A finding as compared: rule, the evidence path inside the archive in folder form, line and record. */
function keyOf(f: Finding): { key: Key; archive: string | null } {
  const ev = f.evidence as { path?: string; line?: number; record?: number } | null;
  let path = ev?.path ?? '';
  const bang = path.lastIndexOf('!/');
  const archive = bang >= 0 ? path.slice(0, bang) : null;
  if (bang >= 0) path = path.slice(bang + 2);
  path = path.replace(/^uploads\/auto\/C:\//, 'C/');
  return { key: JSON.stringify([f.rule.id, path, ev?.line ?? null, ev?.record ?? null]), archive };
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** An evidence path in folder form (the part inside the innermost archive, Velociraptor's prefix as KAPE's). */
const folderForm = (p: string): string => p.slice(p.lastIndexOf('!/') + 2).replace(/^uploads\/auto\/C:\//, 'C/');

let folder: Key[] = [];
let folderHashes = new Map<string, string | null>();
before(async () => {
  const r = await huntAll({ inputs: [example], workers: 2 });
  folder = r.findings.map((f) => keyOf(f).key).sort();
  folderHashes = new Map(r.summary.custody!.evidence.map((e) => [e.path, e.sha256]));
  for (const [path, h] of folderHashes) assert.equal(h, sha(readFileSync(join(example, path))), path);
  assert.ok(folder.length > 100, `the example gives findings (${folder.length})`);
});

async function sameAsFolder(file: string, password: string | null, archiveName: RegExp): Promise<void> {
  const r = await huntAll({ inputs: [file], workers: 2, archivePassword: password });
  const keys = r.findings.map(keyOf);
  assert.deepEqual(keys.map((k) => k.key).sort(), folder);
  for (const k of keys) if (k.archive !== null) assert.match(k.archive, archiveName);
  assert.ok(keys.filter((k) => k.archive !== null).length > 100, 'file and log findings name the archive');
  assert.deepEqual(r.summary.diagnostics.byCode, {}, JSON.stringify(r.summary.diagnostics.items.slice(0, 3)));
  // chain of custody: the archive's hash is its bytes'; each member's (taken while inflating) is the folder file's
  const c = r.summary.custody!;
  assert.equal(c.archives[0]!.sha256, sha(readFileSync(file)));
  assert.match(c.sigmaRulesSha256, /^[0-9a-f]{64}$/);
  const members = c.evidence.filter((e) => e.path.includes('!/') && folderHashes.has(folderForm(e.path)));
  assert.equal(members.length, folderHashes.size, 'every file of the folder is a member');
  for (const e of members) assert.equal(e.sha256, folderHashes.get(folderForm(e.path)), e.path);
  const page = reportHtml(buildModel(r.digest, r.summary, r.taken));
  assert.ok(page.includes('Chain of custody') && page.includes(c.archives[0]!.sha256!), 'the report names the archive by its hash');
  if (password !== null) assert.ok(!page.includes(password) && !JSON.stringify(r.summary).includes(password), 'the password is never echoed');
  assert.deepEqual(liveTempDirs(), []);
  assert.deepEqual(readdirSync(temp), [], 'the temp folder is gone');
}

test('Velociraptor offline-collector zip: same findings as the folder, paths decoded', async () => {
  const file = join(work, 'Collection-EXCH01-2021-03-10T10_00_00Z.zip');
  writeFileSync(file, await zipOf(velociraptorEntries(example)));
  await sameAsFolder(file, null, /^Collection-EXCH01-2021-03-10T10_00_00Z\.zip$/);
});

test('Velociraptor zip with an AES-256 password', async () => {
  const file = join(work, 'aes.zip');
  writeFileSync(file, await zipOf(velociraptorEntries(example), { password: 'infected-2021' }));
  await sameAsFolder(file, 'infected-2021', /^aes\.zip$/);
});

test("Velociraptor's secured double zip (data.zip AES-encrypted inside the outer zip)", async () => {
  const file = join(work, 'secured.zip');
  writeFileSync(file, await securedZip(velociraptorEntries(example), 'Velo!Secret'));
  await sameAsFolder(file, 'Velo!Secret', /^secured\.zip!\/data\.zip$/);
});

test('KAPE zip (ZipCrypto) and tar.gz: same findings as the folder', async () => {
  const kape = join(work, 'kape.zip');
  writeFileSync(kape, await zipOf(kapeEntries(example), { password: 'Kp#2021-zipcrypto', zipCrypto: true }));
  await sameAsFolder(kape, 'Kp#2021-zipcrypto', /^kape\.zip$/);
  const tgz = join(work, 'collection.tar.gz');
  await tarGzOf(kapeEntries(example), tgz);
  await sameAsFolder(tgz, null, /^collection\.tar\.gz$/);
});
