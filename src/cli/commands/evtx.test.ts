// `exhunt evtx dump`: JSON Lines equal to the reader's records, XML output, and the exit codes
// (0 clean, 1 damage reported, 2 unreadable or usage error).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { hasShared, sharedDir } from '../../paths.js';
import { parseEvtx } from '../../readers/evtx/index.js';
import { register } from './evtx.js';

const SAMPLE = 'regression_data/rules/windows/file/file_event/file_event_win_hktl_netexec_file_indicators/efc21479-9e83-41da-8cf1-122e06ba8db3.evtx';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (b: Buffer) => (out += b.toString()));
  stderr.on('data', (b: Buffer) => (err += b.toString()));
  let code = 0;
  const program = new Command('exhunt').exitOverride().configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  register(program, { stdout, stderr, setExit: (c) => void (code = Math.max(code, c)) });
  for (const c of program.commands) {
    c.exitOverride();
    for (const d of c.commands) d.exitOverride();
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch {
    code = 2;
  }
  return { code, out, err };
}

test('dump as JSON Lines equals the records, exit 0', { skip: !hasShared && 'needs ../shared' }, async () => {
  const file = join(sharedDir, 'sigma', SAMPLE);
  const r = await run(['evtx', 'dump', file]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.deepStrictEqual(lines, [...parseEvtx(readFileSync(file), file, () => undefined)].map((x) => x.data));
  assert.equal(lines.length, 7);
});

test('dump as XML, exit 0', { skip: !hasShared && 'needs ../shared' }, async () => {
  const r = await run(['evtx', 'dump', join(sharedDir, 'sigma', SAMPLE), '--format', 'xml']);
  assert.equal(r.code, 0);
  assert.equal(r.out.match(/<Event xmlns=/g)?.length, 7);
  assert.match(r.out, /<Data Name="TargetFilename">[^<]+<\/Data>/);
  assert.match(r.out, /<\/Events>\n$/);
});

test('damage gives exit 1 with located diagnostics; unreadable or not EVTX gives exit 2', { skip: !hasShared && 'needs ../shared' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-evtx-cli-'));
  try {
    const buf = readFileSync(join(sharedDir, 'sigma', SAMPLE));
    const cut = join(dir, 'cut.evtx');
    writeFileSync(cut, buf.subarray(0, 4096 + 9000));
    const r1 = await run(['evtx', 'dump', cut]);
    assert.equal(r1.code, 1);
    assert.match(r1.err, /EVTX_BAD_CHUNK\].*cut\.evtx.*chunk 0/);
    assert.ok(r1.out.trim().split('\n').length >= 1);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not an event log\n');
    assert.equal((await run(['evtx', 'dump', text])).code, 2);
    assert.equal((await run(['evtx', 'dump', join(dir, 'missing.evtx')])).code, 2);
    assert.equal((await run(['evtx', 'dump', cut, '--format', 'csv'])).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
