// Discovery tests: KAPE and Velociraptor layouts, content sniffing, links out of the root,
// single-file inputs, skipped-file reasons, and the original Windows path of collected files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { projectRoot } from '../paths.js';
import { decodeComponent, discover, sniffKind, windowsPath, type Evidence } from './index.js';

const FIX = join(projectRoot, 'test', 'fixtures', 'logs');

async function collect(paths: string[]): Promise<{ evidence: Evidence[]; skipped: { path: string; reason: string }[]; diags: Diagnostic[] }> {
  const diags: Diagnostic[] = [];
  const d = discover(paths, (x) => diags.push(x));
  const evidence: Evidence[] = [];
  for await (const e of d) evidence.push(e);
  return { evidence, skipped: d.skipped(), diags };
}

test('KAPE, Velociraptor and JSON fixtures: every file found with its kind, paths relative with /', async () => {
  const { evidence, skipped, diags } = await collect([FIX]);
  assert.deepEqual(diags, []);
  const byPath = new Map(evidence.map((e) => [e.path, e]));
  const kinds = Object.fromEntries(evidence.map((e) => [e.path, e.kind]));
  assert.equal(kinds['kape/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log'], 'iis-w3c');
  assert.equal(kinds['kape/C/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG'], 'exchange-csv');
  assert.equal(kinds['kape/C/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG'], 'exchange-csv');
  assert.equal(kinds['json/events.jsonl'], 'json');
  assert.equal(kinds['json/events-array.json'], 'json');
  assert.equal(kinds['json/evtx-dump.txt'], 'json');
  // Velociraptor: components percent-decoded for display, metadata skipped with a reason.
  const velo = byPath.get('velociraptor/uploads/auto/C:/inetpub/logs/LogFiles/W3SVC1/u_ex210304..log');
  assert.ok(velo, [...byPath.keys()].join('\n'));
  assert.equal(velo.kind, 'iis-w3c');
  assert.ok(velo.absPath.endsWith('C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210304%2E.log'));
  assert.equal(velo.root, FIX);
  assert.match(velo.mtime, /Z$/);
  const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
  assert.match(reasons['velociraptor/uploads.json'] ?? '', /Velociraptor/);
  assert.match(reasons['velociraptor/client_info.json'] ?? '', /Velociraptor/);
  assert.match(reasons['velociraptor/results'] ?? '', /Velociraptor/);
  assert.ok(!evidence.some((e) => e.path.startsWith('velociraptor/results')));
  // Stable order: sorted by path within each folder walk.
  const paths = evidence.map((e) => e.path);
  assert.deepEqual(paths, [...paths].sort());
});

test('a sub-folder of a Velociraptor uploads/ tree is still decoded', async () => {
  const { evidence } = await collect([join(FIX, 'velociraptor/uploads/auto/C%3A/inetpub')]);
  assert.deepEqual(evidence.map((e) => e.path), ['logs/LogFiles/W3SVC1/u_ex210304..log']);
});

test('a single file given directly: path is its basename, root its folder', async () => {
  const file = join(FIX, 'kape/C/inetpub/logs/LogFiles/W3SVC2/u_ex210303.log');
  const { evidence } = await collect([file]);
  assert.equal(evidence.length, 1);
  assert.equal(evidence[0]!.path, 'u_ex210303.log');
  assert.equal(evidence[0]!.root, join(FIX, 'kape/C/inetpub/logs/LogFiles/W3SVC2'));
  assert.equal(evidence[0]!.kind, 'iis-w3c');
});

test('symbolic links out of the root are not followed (SYMLINK_OUTSIDE); links inside are', async () => {
  const base = mkdtempSync(join(tmpdir(), 'exhunt-disc-'));
  try {
    const root = join(base, 'collection');
    const outside = join(base, 'outside');
    mkdirSync(join(root, 'logs'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.log'), '#Software: Microsoft Internet Information Services 10.0\n');
    writeFileSync(join(root, 'logs', 'a.log'), '#Fields: date time cs-method\n2021-01-01 00:00:00 GET\n');
    writeFileSync(join(root, 'empty.log'), '');
    symlinkSync(join(outside, 'secret.log'), join(root, 'logs', 'link-out.log'));
    symlinkSync(outside, join(root, 'dir-out'));
    symlinkSync(join(root, 'logs', 'a.log'), join(root, 'link-in.log'));
    symlinkSync(root, join(root, 'logs', 'loop')); // a link back to an ancestor: walked once
    symlinkSync(join(base, 'missing'), join(root, 'broken.log'));
    const { evidence, skipped, diags } = await collect([root]);
    const paths = evidence.map((e) => e.path).sort();
    assert.deepEqual(paths, ['link-in.log', 'logs/a.log']);
    assert.ok(evidence.every((e) => e.kind === 'iis-w3c'));
    const out = diags.filter((d) => d.code === 'SYMLINK_OUTSIDE').map((d) => d.location?.path).sort();
    assert.deepEqual(out, ['dir-out', 'logs/link-out.log']);
    const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    assert.equal(reasons['empty.log'], 'empty file');
    assert.equal(reasons['broken.log'], 'broken symbolic link');
    assert.match(reasons['dir-out'] ?? '', /out of the scanned folder/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('overlapping inputs yield each file once', async () => {
  const dir = join(FIX, 'kape/C/inetpub/logs/LogFiles');
  const { evidence } = await collect([dir, join(dir, 'W3SVC2/u_ex210303.log'), dir]);
  assert.deepEqual(evidence.map((e) => e.path), ['W3SVC1/u_ex210303.log', 'W3SVC2/u_ex210303.log']);
});

test('a missing input is a diagnostic and a skipped entry, not a throw', async () => {
  const { evidence, skipped, diags } = await collect([join(FIX, 'no-such-folder')]);
  assert.equal(evidence.length, 0);
  assert.equal(diags[0]?.code, 'IO_ERROR');
  assert.equal(skipped.length, 1);
});

test('sniffKind recognises content, not names', () => {
  const k = (s: string | Buffer): string => sniffKind(typeof s === 'string' ? Buffer.from(s) : s);
  assert.equal(k(Buffer.concat([Buffer.from('ElfFile\0'), Buffer.alloc(100)])), 'evtx');
  assert.equal(k('#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n'), 'iis-w3c');
  assert.equal(k('\uFEFF#Fields: date time s-ip\n'), 'iis-w3c');
  assert.equal(k('#Software: Microsoft HTTP API 2.0\n#Fields: date time c-ip\n'), 'iis-w3c');
  assert.equal(k('#Software: Microsoft Exchange Server\r\n#Version: 15.01.2375.007\r\n'), 'exchange-csv');
  assert.equal(k('#Log-type: ECP Server Log\n'), 'exchange-csv');
  assert.equal(k('#Fields: DateTime,RequestId\n'), 'exchange-csv');
  assert.equal(k('{"Event":{"System":{"EventID":1}}}\n'), 'json');
  assert.equal(k('[\n {\n  "Event": {\n   "System": {}}}]'), 'json');
  assert.equal(k('Record 1\n{\n  "Event": {\n    "System": {'), 'json');
  assert.equal(k('{"SourceFile":"C:\\\\x"}\n'), 'file'); // JSON, but not events
  assert.equal(k('#!/bin/sh\necho hi\n'), 'file');
  assert.equal(k('<%@ Page Language="C#" %>'), 'file');
  assert.equal(k(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])), 'file');
  // A torn write (NUL padding) after a complete header leaves the file a log; a NUL before it makes it binary.
  const exch = 'DateTime,RequestId,UrlStem\r\n#Software: Microsoft Exchange Server\r\n#Fields: DateTime,RequestId,UrlStem\r\n2021-03-02T03:10:05Z,r,/ecp/y.js\r\n';
  assert.equal(k(Buffer.concat([Buffer.from(exch), Buffer.alloc(600)])), 'exchange-csv');
  assert.equal(k(Buffer.concat([Buffer.from('#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time c-ip\r\n'), Buffer.alloc(60)])), 'iis-w3c');
  assert.equal(k(Buffer.concat([Buffer.from('#Software: Micro'), Buffer.alloc(60)])), 'file');
  assert.equal(k(Buffer.from('#\0S\0o\0f\0t\0', 'latin1')), 'file'); // UTF-16
  // A NUL after a log header (a hostile or torn value in an early row) leaves the file a log; before one, binary.
  assert.equal(k('DateTime,RequestId,Cmdlet\r\n#Software: Microsoft Exchange Server\r\n#Fields: DateTime,RequestId,Cmdlet\r\n2021-08-13T21:00:00Z,r1,a\0b\r\n'), 'exchange-csv');
  assert.equal(k('#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-ip\r\n2021-08-13 21:00:00 \0\r\n'), 'iis-w3c');
  assert.equal(k('\0#Software: Microsoft Exchange Server\r\n'), 'file');
  assert.equal(k('#Software: Micro\0soft Exchange Server\r\n'), 'file');
});

test('Velociraptor component decoding is lenient and byte-wise', () => {
  assert.equal(decodeComponent('C%3A'), 'C:');
  assert.equal(decodeComponent('%5C%5C.%5CC%3A'), '\\\\.\\C:');
  assert.equal(decodeComponent('foo%2E'), 'foo.');
  assert.equal(decodeComponent('a+b'), 'a+b');
  assert.equal(decodeComponent('%C3%A9t%C3%A9'), 'été');
  assert.equal(decodeComponent('bad%F0%F2'), 'bad\uFFFD\uFFFD'); // decodeURIComponent would throw
  assert.equal(decodeComponent('100%'), '100%');
});

test('windowsPath maps collection paths back to the server', () => {
  assert.equal(windowsPath('kape/C/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log'), 'C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex210303.log');
  assert.equal(windowsPath('velociraptor/uploads/auto/C:/Windows/x.evtx'), 'C:\\Windows\\x.evtx');
  assert.equal(windowsPath('uploads/ntfs/\\\\.\\C:/$MFT'), 'C:\\$MFT');
  assert.equal(windowsPath('logs/u_ex.log'), null);
});
