// The npm package's contents, from `npm pack --dry-run --json`: compiled code, rules, data, README and licences,
// and no test, fixture, benchmark or example file; LICENSES.md names every data file shipped; `npm ci` accepts the lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { projectRoot } from '../../src/paths.js';

function npm(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // --ignore-scripts: prepack would rebuild dist/ under the running tests.
  const r = spawnSync('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: projectRoot, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(projectRoot, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(join(projectRoot, rel)).isDirectory()) out.push(...filesUnder(rel));
    else out.push(rel);
  }
  return out;
}

const packed = ((): Set<string> => {
  const r = npm(['pack', '--dry-run', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const [info] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return new Set(info!.files.map((f) => f.path.split(sep).join('/')));
})();

/** Files compiled from tests, or only tests and benchmarks import (named in package.json's `files` too). */
const TEST_ONLY = /(^|\/)(test|tests|fixtures|testdata|bench|examples|scripts)\/|\.test\.|\.map$|(^|\/)(testkit|fixture-evidence|binxml-writer)\./;

test('the package holds no test, fixture, benchmark, example, script or source-map file', () => {
  const bad = [...packed].filter((p) => TEST_ONLY.test(p) && !/^src\/(attack\/catalog|normalize\/maps\/[\w-]+)\.json$/.test(p));
  assert.deepEqual(bad, []);
  assert.ok(![...packed].some((p) => p.startsWith('src/') && p.endsWith('.ts')), 'TypeScript sources are not shipped');
});

test('the package holds the CLI, every compiled module, rules, data files, README and licences', () => {
  for (const p of ['package.json', 'README.md', 'LICENSE', 'LICENSES.md', 'bin/exhunt.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/src/readers/evtx/worker.js']) {
    assert.ok(packed.has(p), `${p} is in the package`);
  }
  // Every compiled runtime module: an exclusion in `files` that is too broad fails here, not on a user's machine.
  const compiled = filesUnder('dist/src').filter((p) => /\.(js|d\.ts)$/.test(p) && !TEST_ONLY.test(p));
  assert.ok(compiled.length > 100, `dist/src has the compiled code (${compiled.length} files; run npm run build)`);
  assert.deepEqual(compiled.filter((p) => !packed.has(p)), []);
  // Every rule and data file, and the data the code reads from src/.
  const data = [...filesUnder('rules').filter((p) => !p.endsWith('/.keep')), 'src/attack/catalog.json', ...filesUnder('src/normalize/maps')];
  assert.deepEqual(data.filter((p) => !packed.has(p)), []);
  assert.ok(data.filter((p) => p.startsWith('rules/sigma/')).length >= 30, 'the Sigma pack is shipped');
});

test('LICENSES.md states the licence of every rule pack and data file shipped', () => {
  const text = readFileSync(join(projectRoot, 'LICENSES.md'), 'utf8');
  const shipped = [...packed].filter((p) => (p.startsWith('rules/') || p.startsWith('src/')) && !p.endsWith('README.md'));
  // A pack is named by its folder pattern (rules/sigma/exchange/*.yml), a data file by its path.
  const named = (p: string): boolean => text.includes(`\`${p}\``) || text.includes(`\`${p.replace(/[^/]+\.(ya?ml)$/, '*.$1')}\``);
  assert.deepEqual(shipped.filter((p) => !named(p)), []);
  for (const licence of ['Detection Rule License (DRL) 1.1', 'The MITRE Corporation (MITRE) hereby grants you', 'MIT License']) {
    assert.ok(text.includes(licence), `LICENSES.md reproduces ${licence}`);
  }
});

test('bin and engines in package.json match what is shipped and tested', () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; engines: { node: string }; scripts: Record<string, string> };
  assert.ok(packed.has(pkg.bin['exhunt']!.replace(/^\.\//, '')));
  assert.match(readFileSync(join(projectRoot, pkg.bin['exhunt']!), 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.match(pkg.scripts['prepack'] ?? '', /npm run build/, 'prepack builds dist/ (it is git-ignored)');
  // engines.node is a lower bound (the oldest Node tested); the Node running this test must meet it.
  const [want, have] = [/^>=(\d+)\.(\d+)$/.exec(pkg.engines.node), process.versions.node.split('.').map(Number)];
  assert.ok(want, `engines.node (${pkg.engines.node}) is a >=major.minor bound`);
  assert.ok(have[0]! > Number(want[1]) || (have[0] === Number(want[1]) && have[1]! >= Number(want[2])), `Node ${process.versions.node} meets ${pkg.engines.node}`);
});

test('npm ci accepts the lock (package.json and package-lock.json in sync, every platform package locked)', () => {
  const check = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'lock-platform-optionals.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  // --dry-run: npm's own sync check, with no install and no network.
  const r = npm(['ci', '--dry-run', '--offline']);
  assert.equal(r.status, 0, r.stderr.split('\n').slice(0, 8).join('\n'));
});
