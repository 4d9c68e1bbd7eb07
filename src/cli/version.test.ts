// Tests of `exhunt --version`: exhunt's own version first, then the rule packs, ATT&CK data and build
// catalogue with figures taken from the shipped files, and no subcommand run when it is asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from './main.js';
import { projectRoot, rulesDir } from '../paths.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, out, err };
}

const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string };

test('--version and -V print exhunt, rule pack, ATT&CK and build catalogue versions from the shipped files', async () => {
  const { code, out, err } = await run(['--version']);
  assert.equal(code, 0);
  assert.equal(err, '');
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0]!.split(' ').slice(0, 2).join(' '), `exhunt ${pkg.version}`);
  const line = (name: string): string => lines.find((l) => l.includes(` ${name} `)) ?? assert.fail(`no line for ${name}:\n${out}`);

  const rules = readdirSync(join(rulesDir, 'sigma', 'exchange')).filter((f) => f.endsWith('.yml'));
  const dates = rules.map((f) => /^date:\s*(\S+)/m.exec(readFileSync(join(rulesDir, 'sigma', 'exchange', f), 'utf8'))?.[1] ?? '').sort();
  assert.match(line('Sigma pack exchange'), new RegExp(`${dates.at(-1)}\\s+${rules.length} rules in ${rules.length} files, sha256 [0-9a-f]{12}`));

  const attack = JSON.parse(readFileSync(join(projectRoot, 'src', 'attack', 'catalog.json'), 'utf8')) as { attackVersion: string; techniques: unknown[] };
  assert.match(line('MITRE ATT&CK'), new RegExp(`v${attack.attackVersion}\\s+enterprise-attack, ${attack.techniques.length} techniques`));

  const builds = JSON.parse(readFileSync(join(rulesDir, 'data', 'exchange-builds.json'), 'utf8')) as { builds: unknown[]; securityUpdates: Record<string, { released: string }> };
  const newest = Object.entries(builds.securityUpdates).sort((a, b) => a[1].released.localeCompare(b[1].released)).at(-1)!;
  assert.match(line('Exchange build catalogue'), new RegExp(`${newest[1].released}\\s+newest update ${newest[0]}; ${builds.builds.length} builds`));
  assert.match(line('@litko/yara-x'), /optional/);

  const short = await run(['-V']);
  assert.equal(short.out, out);
});

test('--version before a subcommand prints the versions and runs nothing', async () => {
  const { code, out } = await run(['--version', 'exposure', 'not-a-build']);
  assert.equal(code, 0);
  assert.match(out, /^exhunt /);
  assert.doesNotMatch(out, /Product:/);
});
