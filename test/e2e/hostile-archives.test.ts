// Hostile archives: a bomb (zip and tar.gz), '../' and absolute names, link entries, duplicate names, a
// truncated archive, a wrong or missing password, a damaged central directory — each a clear diagnostic, nothing
// written outside the private temp folder, no crash, the readable rest still read, the temp folder gone after.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack as tarPack } from 'tar-stream';
import { createGzip } from 'node:zlib';
import type { Diagnostic } from '../../src/diagnostics.js';
import { ArchiveSession, discover, type Evidence } from '../../src/evidence/index.js';
import { liveTempDirs } from '../../src/spill/index.js';
import { projectRoot } from '../../src/paths.js';
import { tarGzOf, velociraptorEntries, zipOf, type PackEntry } from './archive-packs.js';

const work = mkdtempSync(join(tmpdir(), 'exhunt-hostile-archives-'));
const temp = join(work, 'tmp');
mkdirSync(temp);
after(() => rmSync(work, { recursive: true, force: true }));

const example = join(projectRoot, 'examples', 'exchange-2021');
const iisRel = 'C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log';
const iis = readFileSync(join(example, iisRel));
const good: PackEntry = { name: iisRel, data: iis };

/** Discovery of `inputs` with archives read; checks the temp folder is private, then gone. */
async function scan(inputs: string[], password: string | null = null): Promise<{ ev: Evidence[]; diags: Diagnostic[]; skipped: { path: string; reason: string }[] }> {
  const session = new ArchiveSession({ password, tempParent: temp });
  const diags: Diagnostic[] = [];
  const ev: Evidence[] = [];
  const d = discover(inputs, (x) => diags.push(x), { archives: session });
  try {
    for await (const e of d) {
      ev.push(e);
      assert.ok(e.absPath.startsWith(session.tempDir() + '/') || !e.path.includes('!/'), e.absPath);
    }
  } finally {
    session.dispose();
  }
  assert.deepEqual(readdirSync(temp), [], 'the temp folder is gone');
  assert.deepEqual(liveTempDirs(), []);
  return { ev, diags, skipped: d.skipped() };
}

function replaceAll(buf: Uint8Array, from: string, to: string): Buffer {
  assert.equal(from.length, to.length);
  const b = Buffer.from(buf);
  const f = Buffer.from(from);
  let n = 0;
  for (let i = b.indexOf(f); i >= 0; i = b.indexOf(f, i + 1)) {
    Buffer.from(to).copy(b, i);
    n++;
  }
  assert.ok(n >= 2, `${from} patched in local header and central directory`);
  return b;
}

const paths = (ev: Evidence[]): string[] => ev.map((e) => e.path);

test('zip bomb: refused by its ratio, the rest of the archive read', async () => {
  const file = join(work, 'bomb.zip');
  writeFileSync(file, await zipOf([{ name: 'bomb.log', data: new Uint8Array(64 << 20) }, good]));
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['bomb.zip', `bomb.zip!/${iisRel}`]);
  assert.equal(r.ev[1]!.kind, 'iis-w3c');
  const d = r.diags.find((x) => x.code === 'ARCHIVE_MEMBER_REFUSED');
  assert.equal(d?.location?.path, 'bomb.zip!/bomb.log');
  assert.match(d!.message, /archive bomb/);
});

test('zip bomb whose recorded sizes lie: stopped while inflating by the ratio, the rest read', async () => {
  const file = join(work, 'liar.zip');
  const zip = Buffer.from(await zipOf([{ name: 'liar.log', data: new Uint8Array(64 << 20) }, good]));
  // the first entry's uncompressed size, in its local header (offset 22) and central directory record (24): 1,000
  zip.writeUInt32LE(1000, 22);
  const cd = zip.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
  zip.writeUInt32LE(1000, cd + 24);
  writeFileSync(file, zip);
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['liar.zip', `liar.zip!/${iisRel}`]);
  const d = r.diags.find((x) => x.code === 'ARCHIVE_MEMBER_REFUSED');
  assert.equal(d?.location?.path, 'liar.zip!/liar.log');
  assert.match(d!.message, /ratio over 200:1 after \d+ bytes \(archive bomb\)/);
});

test('tar.gz bomb: the stream stops at the ratio limit, members before it read', async () => {
  const file = join(work, 'bomb.tar.gz');
  await tarGzOf([good, { name: 'zeros.log', data: new Uint8Array(64 << 20) }, { name: 'after.log', data: iis }], file);
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['bomb.tar.gz', `bomb.tar.gz!/${iisRel}`]);
  const d = r.diags.find((x) => x.code === 'ARCHIVE_MEMBER_REFUSED');
  assert.equal(d?.location?.path, 'bomb.tar.gz!/zeros.log');
  assert.match(d!.message, /archive bomb/);
});

test("'../', absolute and drive names, link entries and duplicates: refused one by one, nothing written outside", async () => {
  const file = join(work, 'names.zip');
  const zip = await zipOf([
    { name: 'aa/evil.aspx', data: Buffer.from('<%@ Page %>') },
    { name: 'Zabs.aspx', data: Buffer.from('<%@ Page %>') },
    { name: 'CC/drive.aspx', data: Buffer.from('<%@ Page %>') },
    { name: 'link.aspx', data: Buffer.from('/etc/passwd'), options: { externalFileAttributes: (0o120777 << 16) >>> 0, msDosCompatible: false } },
    { name: 'dup1.log', data: iis },
    { name: 'dup2.log', data: Buffer.from('second') },
    good,
  ]);
  let b = replaceAll(zip, 'aa/evil.aspx', '../evil.aspx');
  b = replaceAll(b, 'Zabs.aspx', '/abs.aspx');
  b = replaceAll(b, 'CC/drive.aspx', 'C:/drive.aspx');
  b = replaceAll(b, 'dup2.log', 'dup1.log');
  writeFileSync(file, b);
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['names.zip', 'names.zip!/dup1.log', `names.zip!/${iisRel}`]);
  assert.equal(r.ev[1]!.size, iis.length, 'the first of two duplicates is the one read');
  const refused = r.diags.filter((x) => x.code === 'ARCHIVE_MEMBER_REFUSED').map((x) => [x.location?.path, x.message]);
  assert.deepEqual(refused.map((x) => x[0]), ['names.zip!/../evil.aspx', 'names.zip!//abs.aspx', 'names.zip!/C:/drive.aspx', 'names.zip!/link.aspx', 'names.zip!/dup1.log']);
  assert.match(refused[0]![1]!, /'\.\.'/);
  assert.match(refused[1]![1]!, /absolute/);
  assert.match(refused[3]![1]!, /link/);
  assert.match(refused[4]![1]!, /duplicate/);
  for (const p of [join(work, 'evil.aspx'), join(temp, 'evil.aspx'), '/abs.aspx', join(projectRoot, 'evil.aspx')]) assert.ok(!existsSync(p), p);
});

test('tar symlink and hard link entries are refused, the rest read', async () => {
  const file = join(work, 'links.tar.gz');
  const p = tarPack();
  const gz = createGzip();
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((res) => gz.on('end', res));
  p.pipe(gz);
  p.entry({ name: 'sym.log', type: 'symlink', linkname: '/etc/shadow' });
  p.entry({ name: 'hard.log', type: 'link', linkname: 'u.log' });
  p.entry({ name: iisRel, size: iis.length }, iis);
  p.finalize();
  await done;
  writeFileSync(file, Buffer.concat(chunks));
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['links.tar.gz', `links.tar.gz!/${iisRel}`]);
  assert.deepEqual(r.diags.map((x) => x.location?.path), ['links.tar.gz!/sym.log', 'links.tar.gz!/hard.log']);
});

test('truncated zip and damaged central directory: a clear diagnostic, the members found by their local headers read', async () => {
  const zip = Buffer.from(await zipOf([good, { name: 'b.log', data: iis }]));
  const second = zip.indexOf(Buffer.from('PK\x03\x04', 'latin1'), 4);
  assert.ok(second > 0);
  const truncated = join(work, 'truncated.zip');
  writeFileSync(truncated, zip.subarray(0, second + 100)); // the central directory and most of b.log are gone
  const damaged = join(work, 'damaged.zip');
  const cd = Buffer.from(zip);
  const at = cd.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
  cd.write('XXXX', at, 'latin1');
  writeFileSync(damaged, cd);
  const stub = join(work, 'stub.zip');
  writeFileSync(stub, zip.subarray(0, 20)); // not even one local header
  const plain = join(work, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'u_ex210303.log'), iis);
  const r = await scan([truncated, damaged, stub, plain]);
  assert.deepEqual(paths(r.ev), ['truncated.zip', `truncated.zip!/${iisRel}`, 'damaged.zip', `damaged.zip!/${iisRel}`, 'damaged.zip!/b.log', 'stub.zip', 'u_ex210303.log']);
  const un = r.diags.filter((x) => x.code === 'ARCHIVE_UNREADABLE');
  assert.deepEqual(un.map((x) => [x.location?.path, x.severity]), [['truncated.zip', 'warning'], ['damaged.zip', 'warning'], ['stub.zip', 'error']]);
  for (const d of un) assert.match(d.message, /truncated, or its central directory is damaged/);
  assert.match(un[0]!.message, /2 members found by their local headers/);
  const cut = r.diags.filter((x) => x.code === 'ARCHIVE_MEMBER_BAD');
  assert.deepEqual(cut.map((x) => x.location?.path), ['truncated.zip!/b.log']);
  assert.match(cut[0]!.message, /cut short/);
  // the recovered member is the same bytes as the original
  const member = r.ev.find((e) => e.path === `damaged.zip!/${iisRel}`)!;
  assert.equal(member.size, iis.length);
});

test('a zip bomb without its central directory: still refused by its ratio, the rest read', async () => {
  const zip = Buffer.from(await zipOf([{ name: 'bomb.log', data: new Uint8Array(64 << 20) }, good]));
  zip.write('XXXX', zip.indexOf(Buffer.from('PK\x01\x02', 'latin1')), 'latin1');
  const file = join(work, 'bomb-nocd.zip');
  writeFileSync(file, zip);
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['bomb-nocd.zip', `bomb-nocd.zip!/${iisRel}`]);
  const d = r.diags.find((x) => x.code === 'ARCHIVE_MEMBER_REFUSED');
  assert.equal(d?.location?.path, 'bomb-nocd.zip!/bomb.log');
  assert.match(d!.message, /archive bomb/);
});

test('a damaged member (CRC mismatch) is a diagnostic, the other members read', async () => {
  const file = join(work, 'crc.zip');
  const zip = Buffer.from(await zipOf([{ name: 'stored.log', data: Buffer.from('#Software: x\nhello stored member\n'), options: { level: 0 } }, good]));
  const at = zip.indexOf(Buffer.from('hello stored'));
  zip[at] = 0x48; // 'h' → 'H'
  writeFileSync(file, zip);
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['crc.zip', `crc.zip!/${iisRel}`]);
  const d = r.diags.find((x) => x.code === 'ARCHIVE_MEMBER_BAD');
  assert.equal(d?.location?.path, 'crc.zip!/stored.log');
  assert.match(d!.message, /CRC-32 mismatch/);
});

test('truncated tar.gz: the members before the cut are read, then a diagnostic', async () => {
  const file = join(work, 'cut.tar.gz');
  await tarGzOf([good, { name: 'big.log', data: Buffer.from(Array.from({ length: 200_000 }, (_, i) => `line ${i * 7919}\n`).join('')) }], file);
  const b = readFileSync(file);
  writeFileSync(file, b.subarray(0, b.length - 200));
  const r = await scan([file]);
  assert.deepEqual(paths(r.ev), ['cut.tar.gz', `cut.tar.gz!/${iisRel}`]);
  const d = r.diags.find((x) => x.code === 'ARCHIVE_UNREADABLE');
  assert.equal(d?.location?.path, 'cut.tar.gz');
  assert.match(d!.message, /ends early or is damaged/);
});

test('wrong or missing password: a clear diagnostic that never echoes the password; plain members still read', async () => {
  const enc = await zipOf([{ name: 'secret.log', data: iis }], { password: 'right-one' });
  const file = join(work, 'mixed.zip');
  writeFileSync(file, await zipOf([good, { name: 'inner.zip', data: enc }]));
  for (const [pw, re] of [['hunter2-wrong', /password is wrong/], [null, /no password/]] as const) {
    const r = await scan([file], pw);
    assert.deepEqual(paths(r.ev), ['mixed.zip', `mixed.zip!/${iisRel}`, 'mixed.zip!/inner.zip']);
    const d = r.diags.filter((x) => x.code === 'ARCHIVE_PASSWORD');
    assert.equal(d.length, 1);
    assert.equal(d[0]!.location?.path, 'mixed.zip!/inner.zip');
    assert.match(d[0]!.message, re);
    assert.doesNotMatch(JSON.stringify(r), /hunter2|right-one/);
  }
  const ok = await scan([file], 'right-one');
  assert.deepEqual(paths(ok.ev), ['mixed.zip', `mixed.zip!/${iisRel}`, 'mixed.zip!/inner.zip', 'mixed.zip!/inner.zip!/secret.log']);
});

test('Ctrl-C during an archive scan: the temp folder is removed and the exit is the signal', async () => {
  const tmp = join(work, 'ctrl-c');
  mkdirSync(tmp);
  const file = join(work, 'big.zip');
  const line = iis.toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).slice(0, 3).join('\n') + '\n';
  const header = iis.toString('utf8').split('\n').filter((l) => l.startsWith('#')).join('\n') + '\n';
  const big = Buffer.from(header + line.repeat(Math.ceil((96 << 20) / line.length)));
  writeFileSync(file, await zipOf([...velociraptorEntries(example), { name: 'uploads/auto/C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210309.log', data: big, options: { level: 0 } }]));
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'exhunt.js'), 'scan', file, '-q', '--workers', '1', '--no-rule-cache'], {
    env: { ...process.env, TMPDIR: tmp },
    stdio: 'ignore',
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  // wait until members are being inflated into the scan's temp folder, then interrupt
  for (let i = 0; i < 600; i++) {
    const dirs = readdirSync(tmp).filter((n) => n.startsWith('exhunt-archive-'));
    if (dirs.length > 0 && readdirSync(join(tmp, dirs[0]!)).length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(readdirSync(tmp).some((n) => n.startsWith('exhunt-archive-')), 'the scan made its temp folder');
  child.kill('SIGINT');
  const { signal } = await exited;
  assert.equal(signal, 'SIGINT', 'the scan was interrupted, not finished');
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('exhunt-archive-')), []);
});
