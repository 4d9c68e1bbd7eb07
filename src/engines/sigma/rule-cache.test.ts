// Tests of the compiled rule cache: hit after miss; a cache of another version, with a flipped byte, truncated
// or not a cache at all is rejected with SIGMA_CACHE and rebuilt; edited rules are seen; two processes
// loading together on an empty cache both succeed with the same set; the data form holds no code.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { HuntEvent } from '../../event.js';
import { loadSigmaCached, ruleCacheDir, ruleSetFromData, ruleSetToData, type SigmaRuleSet } from './index.js';
import { cacheKeyOf, decodeCache, encodeCache } from './rule-cache.js';
import { exchangeEvent, exchangeRule, winEvent } from './testkit.js';

const WEB = exchangeRule("    sel:\n        UrlStem|contains: '/ecp/'\n        UrlQuery|re: 'x=[0-9]+'\n    condition: sel", 'web1');
const PROC = `title: proc\nid: proc1\nlevel: high\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|endswith: '\\w3wp.exe'\n        CommandLine|contains|all: ['cmd', '/c']\n    condition: sel\n`;
const EVENTS: HuntEvent[] = [
  exchangeEvent({ UrlStem: '/ecp/a.js', UrlQuery: 'x=12' }),
  exchangeEvent({ UrlStem: '/owa/', UrlQuery: 'x=12' }),
  winEvent('Microsoft-Windows-Sysmon/Operational', 1, { Image: 'C:\\w\\W3WP.EXE', CommandLine: 'cmd /c whoami' }),
  winEvent('Security', 4688, { NewProcessName: 'C:\\w\\w3wp.exe', CommandLine: 'cmd /c whoami' }),
  winEvent('Security', 4688, { NewProcessName: 'C:\\w\\w3wp.exe', CommandLine: 'notepad' }),
];

// Every directory a test makes lives under one root, removed at the end.
const root = mkdtempSync(join(tmpdir(), 'exhunt-rule-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
const tempDir = (prefix: string): string => mkdtempSync(join(root, prefix));

function rulesDir(): string {
  const dir = tempDir('exhunt-rules-');
  writeFileSync(join(dir, 'web.yml'), WEB);
  writeFileSync(join(dir, 'proc.yml'), PROC);
  return dir;
}

function findings(set: SigmaRuleSet, events: readonly HuntEvent[] = EVENTS): string {
  const run = set.createRun();
  return JSON.stringify([...events.flatMap((e) => run.match(e)), ...run.finish()]);
}

function cacheFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.bin'));
}

test('ruleCacheDir: XDG_CACHE_HOME, else %LOCALAPPDATA% on Windows, else ~/.cache', () => {
  assert.equal(ruleCacheDir({ XDG_CACHE_HOME: '/x/c' }, 'linux'), join('/x/c', 'exhunt'));
  assert.equal(ruleCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32'), join('C:\\Users\\a\\AppData\\Local', 'exhunt'));
  assert.match(ruleCacheDir({}, 'darwin'), /[\\/]\.cache[\\/]exhunt$/);
});

test('a miss compiles and writes the cache; the next load is a hit with the same report and findings', async () => {
  const rules = rulesDir();
  const cache = tempDir('exhunt-cache-');
  const cold = await loadSigmaCached([rules], { cache });
  assert.equal(cold.cache, 'miss');
  assert.deepEqual(cacheFiles(cache).length, 1);
  const warm = await loadSigmaCached([rules], { cache });
  assert.equal(warm.cache, 'hit');
  assert.deepEqual([warm.loaded, warm.failed, warm.inactive, warm.problems], [cold.loaded, cold.failed, cold.inactive, cold.problems]);
  const off = await loadSigmaCached([rules], { cache: false });
  assert.equal(off.cache, 'off');
  const expected = findings(off.ruleSet);
  assert.equal(JSON.parse(expected).length, 3, 'the web rule fires once, the process rule on Sysmon 1 and Security 4688');
  assert.equal(findings(cold.ruleSet), expected);
  assert.equal(findings(warm.ruleSet), expected);
});

/** Rewrite the cache file through f (bytes → bytes). */
function tamper(cache: string, f: (b: Buffer) => Buffer): void {
  const [name] = cacheFiles(cache);
  const p = join(cache, name!);
  writeFileSync(p, f(readFileSync(p)));
}

/** The same cache as another exhunt version would have written it. */
function fromOtherVersion(b: Buffer): Buffer {
  const key = cacheKeyOf(b);
  const got = decodeCache(b, key);
  assert.ok('payload' in got);
  return encodeCache(key, got.payload, '0.0.1-old');
}

/** A valid file (checksum, version, key) whose rule data is of another shape. */
function otherData(b: Buffer): Buffer {
  const key = cacheKeyOf(b);
  const got = decodeCache(b, key);
  assert.ok('payload' in got);
  return encodeCache(key, { ...got.payload, data: { ...got.payload.data, format: 99 as 2 } });
}

const BAD: [string, (b: Buffer) => Buffer, 'info' | 'warning', RegExp][] = [
  ['from another exhunt version', fromOtherVersion, 'info', /written by exhunt 0\.0\.1-old/],
  ['with a flipped byte in the payload', (b) => (b[b.length - 100]! ^= 0x40, b), 'warning', /checksum/],
  ['with a flipped byte in the header', (b) => ((b[20]! ^= 0x01), b), 'warning', /checksum/],
  ['truncated (half-written)', (b) => b.subarray(0, Math.floor(b.length / 2)), 'warning', /truncated|half-written/],
  ['that is not a cache at all', () => Buffer.from('hello'), 'warning', /magic/],
  ['that is empty', () => Buffer.alloc(0), 'warning', /magic/],
  ['holding rule data of another shape', otherData, 'warning', /unusable rule data/],
];

for (const [what, change, severity, reason] of BAD) {
  test(`a cache file ${what} is ignored with SIGMA_CACHE (${severity}) and rebuilt`, async () => {
    const rules = rulesDir();
    const cache = tempDir('exhunt-cache-');
    const expected = findings((await loadSigmaCached([rules], { cache })).ruleSet);
    tamper(cache, change);
    const again = await loadSigmaCached([rules], { cache });
    assert.equal(again.cache, 'miss');
    const notes = again.problems.filter((p) => p.code === 'SIGMA_CACHE');
    assert.equal(notes.length, 1);
    assert.equal(notes[0]!.severity, severity);
    assert.match(notes[0]!.message, reason);
    assert.equal(findings(again.ruleSet), expected);
    const third = await loadSigmaCached([rules], { cache });
    assert.equal(third.cache, 'hit', 'the rebuilt cache is used next time');
    assert.equal(third.problems.filter((p) => p.code === 'SIGMA_CACHE').length, 0);
    assert.equal(findings(third.ruleSet), expected);
  });
}

test('an edited rule file changes the key: the stale cache is reported (info) and the edit takes effect', async () => {
  const rules = rulesDir();
  const cache = tempDir('exhunt-cache-');
  await loadSigmaCached([rules], { cache });
  writeFileSync(join(rules, 'proc.yml'), PROC.replace("'\\w3wp.exe'", "'\\notepad.exe'"));
  const edited = await loadSigmaCached([rules], { cache });
  assert.equal(edited.cache, 'miss');
  assert.match(edited.problems.find((p) => p.code === 'SIGMA_CACHE')?.message ?? '', /rule files or options changed/);
  assert.equal(JSON.parse(findings(edited.ruleSet)).length, 1, 'only the web rule fires now');
  assert.equal((await loadSigmaCached([rules], { cache })).cache, 'hit');
});

test('a placeholders file is part of the key', async () => {
  const dir = tempDir('exhunt-rules-');
  writeFileSync(join(dir, 'ph.yml'), exchangeRule("    sel:\n        UrlStem|expand: '%paths%'\n    condition: sel", 'ph1'));
  const ph = join(dir, 'placeholders.yaml');
  writeFileSync(ph, 'paths: [/ecp/a.js]\n');
  const cache = tempDir('exhunt-cache-');
  const ev = [exchangeEvent({ UrlStem: '/ecp/a.js' }), exchangeEvent({ UrlStem: '/owa/b.js' })];
  const opts = { cache, placeholdersFile: ph };
  assert.equal(JSON.parse(findings((await loadSigmaCached([join(dir, 'ph.yml')], opts)).ruleSet, ev)).length, 1);
  writeFileSync(ph, 'paths: [/ecp/a.js, /owa/b.js]\n');
  const changed = await loadSigmaCached([join(dir, 'ph.yml')], opts);
  assert.equal(changed.cache, 'miss');
  assert.equal(JSON.parse(findings(changed.ruleSet, ev)).length, 2);
});

test('a cache directory that cannot be written is a warning; the rules still load', async () => {
  const rules = rulesDir();
  const parent = tempDir('exhunt-cache-');
  const blocked = join(parent, 'file');
  writeFileSync(blocked, 'not a directory');
  const r = await loadSigmaCached([rules], { cache: join(blocked, 'exhunt') });
  assert.equal(r.cache, 'miss');
  assert.equal(r.problems.find((p) => p.code === 'SIGMA_CACHE')?.severity, 'warning');
  assert.equal(r.ruleSet.size, 2);
});

/** Every value reachable in x, to check that the data form holds no functions. */
function* walk(x: unknown, seen = new Set<unknown>()): Generator<unknown> {
  yield x;
  if (typeof x !== 'object' || x === null || seen.has(x) || ArrayBuffer.isView(x)) return;
  seen.add(x);
  const values = x instanceof Map ? [...x.keys(), ...x.values()] : Object.values(x);
  for (const v of values) yield* walk(v, seen);
}

test('the data form: no code, survives structured clone, and the rebuilt set matches alike (also when made from a set from data)', async () => {
  const { ruleSet } = await loadSigmaCached([rulesDir()], { cache: false });
  const data = ruleSetToData(ruleSet);
  for (const v of walk(data)) assert.notEqual(typeof v, 'function');
  const expected = findings(ruleSet);
  const again = ruleSetFromData(structuredClone(data));
  assert.equal(findings(again), expected);
  // A set from data gives its data again (a worker could hand it on), compiled rules or not.
  const second = ruleSetFromData(structuredClone(ruleSetToData(again)));
  assert.equal(findings(second), expected);
  assert.deepEqual(ruleSetToData(second), data);
});

test('two processes loading together on an empty cache directory both succeed with the same rule set', async () => {
  const rules = rulesDir();
  const cache = join(tempDir('exhunt-cache-'), 'not-yet');
  const mod = new URL('./index.js', import.meta.url).href;
  const script = join(tempDir('exhunt-cc-'), 'load.mjs');
  writeFileSync(
    script,
    `import { createHash } from 'node:crypto';
import { loadSigmaCached, ruleSetToData } from ${JSON.stringify(mod)};
// A canonical form: V8's serialiser may write the same string as one-byte or two-byte.
const canon = (k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v instanceof Map ? [...v] : v);
const r = await loadSigmaCached([${JSON.stringify(rules)}], { cache: ${JSON.stringify(cache)} });
const bad = r.problems.filter((p) => p.code === 'SIGMA_CACHE');
process.stdout.write(JSON.stringify({ cache: r.cache, size: r.ruleSet.size, bad: bad.length, data: createHash('sha256').update(JSON.stringify(ruleSetToData(r.ruleSet), canon)).digest('hex') }));
`,
  );
  const runOne = (): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.on('close', (code) => resolve({ code, out }));
    });
  const [a, b] = await Promise.all([runOne(), runOne()]);
  assert.equal(a.code, 0);
  assert.equal(b.code, 0);
  const ra = JSON.parse(a.out) as { cache: string; size: number; bad: number; data: string };
  const rb = JSON.parse(b.out) as typeof ra;
  assert.equal(ra.size, 2);
  assert.equal(ra.data, rb.data, 'the same rule set');
  assert.deepEqual([ra.bad, rb.bad], [0, 0], 'neither saw a half-written cache');
  assert.deepEqual(readdirSync(cache).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
  const third = await loadSigmaCached([rules], { cache });
  assert.equal(third.cache, 'hit');
  assert.equal(findings(third.ruleSet), findings((await loadSigmaCached([rules], { cache: false })).ruleSet));
});
