// Adds to package-lock.json the platform packages that a locked package names as optional but that the
// registry does not serve (@litko/yara-x 0.3.0 names macOS builds never published), so `npm ci` accepts the lock.
// npm install cannot resolve such a name, so it leaves it out of the lock; npm ci then refuses the lock as out of
// sync ("Missing: ... from lock file"). With an entry that carries os/cpu, npm ci skips it on other platforms and,
// on the platform it names, treats the registry's 404 as a failed optional dependency and goes on (measured with
// `npm ci --os=darwin --cpu=arm64`). npm install keeps such entries; rerun this after regenerating the lock.
// Usage: node scripts/lock-platform-optionals.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OS = new Set(['darwin', 'linux', 'win32', 'freebsd', 'android']);
const CPU = new Set(['x64', 'arm64', 'ia32', 'arm']);
const LIBC = { gnu: 'glibc', musl: 'musl' };

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
/** Whether `name`, required from the package at lock path `from`, resolves to a lock entry (node's walk up). */
function locked(from, name) {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
    if (lock.packages[`${dir ? `${dir}/` : ''}node_modules/${name}`]) return true;
    if (!dir) return false;
  }
}
const out = {};
const added = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  out[key] = entry;
  const parent = key.replace(/^.*node_modules\//, '');
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (locked(key, name)) continue;
    // beside the package that names it, where npm would have hoisted it
    const path = `${key.slice(0, key.length - parent.length)}${name}`;
    // napi-rs names: <parent>-<os>-<cpu>[-<libc>]; chdb's: @<parent>/lib-<os>-<cpu>[-<libc>]; anything else is
    // not ours to guess.
    const m = name.startsWith(`${parent}-`)
      ? name.slice(parent.length + 1).split('-')
      : name.startsWith(`@${parent}/lib-`)
        ? name.slice(parent.length + 6).split('-')
        : [];
    if (!OS.has(m[0]) || !CPU.has(m[1]) || (m[2] !== undefined && !(m[2] in LIBC))) {
      console.error(`${key}: optional ${name} is not in the lock and its platform cannot be read from the name`);
      process.exitCode = 1;
      continue;
    }
    out[path] = {
      version,
      cpu: [m[1]],
      ...(m[2] ? { libc: [LIBC[m[2]]] } : {}),
      license: entry.license,
      optional: true,
      os: [m[0]],
      ...(entry.engines ? { engines: entry.engines } : {}),
    };
    added.push(`${path}@${version}`);
  }
}
if (process.argv.includes('--check')) {
  if (added.length) console.error(`package-lock.json lacks ${added.join(', ')}: run node scripts/lock-platform-optionals.mjs`);
  process.exitCode = added.length ? 1 : (process.exitCode ?? 0);
} else if (added.length) {
  lock.packages = out;
  writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(`added to package-lock.json: ${added.join(', ')}`);
} else console.log('package-lock.json names every locked optional platform package');
