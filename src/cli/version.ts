// exhunt's version (read once from package.json, so reports and summaries can state it), and for
// `exhunt --version` the versions of what it ships: rule packs, ATT&CK data, build catalogue, optional packages.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { projectRoot, rulesDir } from '../paths.js';
import { attackCatalog } from '../attack/index.js';
import { CATALOGUE_PATH } from '../engines/exposure/index.js';
import { loadYaraX, YARA_X_HINT, YARA_X_PACKAGE } from '../engines/yara/index.js';

// One source for exhunt's version, src/version.ts, which the rule cache keys on too.
export { version } from '../version.js';
import { version } from '../version.js';

/** One line of `exhunt --version`: what, its version, and what identifies it further. */
export interface ShippedVersion {
  group: 'rules' | 'data' | 'optional';
  name: string;
  version: string;
  detail: string;
  /** A file it needs is missing or unreadable. */
  broken?: boolean;
}

function filesUnder(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ext));
    else if (ext.test(name)) out.push(p);
  }
  return out;
}

/**
 * A rule pack has no release number of its own: its version is the newest `date`/`modified` of its rules,
 * and a hash of its files (names and bytes) tells two copies of the same date apart.
 */
function rulePack(name: string, dir: string, ext: RegExp, ruleLine: RegExp, dateLine: RegExp): ShippedVersion {
  const files = filesUnder(dir, ext);
  const hash = createHash('sha256');
  let rules = 0;
  let newest = '';
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    hash.update(relative(dir, f).split(sep).join('/')).update('\0').update(text).update('\0');
    rules += text.match(ruleLine)?.length ?? 0;
    for (const m of text.matchAll(dateLine)) if (m[1]! > newest) newest = m[1]!;
  }
  const where = files.length === 1 ? '1 file' : `${files.length} files`;
  return { group: 'rules', name, version: newest || 'undated', detail: `${rules} rules in ${where}, sha256 ${hash.digest('hex').slice(0, 12)}` };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function buildCatalogue(): ShippedVersion {
  const file = readJson<{ builds: unknown[]; securityUpdates: Record<string, { released?: string }>; cves: Record<string, unknown> }>(CATALOGUE_PATH);
  // The catalogue is as new as the newest security update it knows.
  const [su, info] = Object.entries(file.securityUpdates).reduce((a, b) => ((b[1].released ?? '') > (a[1].released ?? '') ? b : a));
  const sus = Object.keys(file.securityUpdates).length;
  return {
    group: 'data',
    name: 'Exchange build catalogue',
    version: info.released ?? 'undated',
    detail: `newest update ${su}; ${file.builds.length} builds, ${sus} security updates, ${Object.keys(file.cves).length} CVEs`,
  };
}

function attackData(): ShippedVersion {
  const cat = attackCatalog();
  return { group: 'data', name: 'MITRE ATT&CK', version: `v${cat.version}`, detail: `${cat.domain}, ${cat.techniques().length} techniques, ${cat.groups.length} group profiles` };
}

function logsourceMap(): ShippedVersion {
  const file = readJson<{ source: { repository: string; commit: string; file: string } }>(join(projectRoot, 'src', 'normalize', 'maps', 'windows-logsources.json'));
  return { group: 'data', name: 'Sigma logsource map', version: file.source.commit.slice(0, 12), detail: `SigmaHQ ${file.source.file} at that commit, with exhunt's additions` };
}

function webBaseline(): ShippedVersion {
  const file = readJson<{ version: string; folders: unknown[] }>(join(rulesDir, 'baselines', 'exchange-web-files.json'));
  return { group: 'rules', name: 'Exchange web file baseline', version: file.version, detail: `${file.folders.length} folders` };
}

/** The optional native YARA-X binding: its version when it loads, else why not and how to add it. */
async function yaraX(): Promise<ShippedVersion> {
  let installed: string | null = null;
  try {
    const req = createRequire(import.meta.url);
    installed = readJson<{ version: string }>(req.resolve(`${YARA_X_PACKAGE}/package.json`)).version;
  } catch {
    installed = null;
  }
  const loaded = await loadYaraX();
  if (!(loaded instanceof Error)) return { group: 'optional', name: YARA_X_PACKAGE, version: installed ?? 'loaded', detail: 'YARA scanning on' };
  const why = installed ? `${installed} installed, but its native binding does not load on ${process.platform}-${process.arch}` : 'not installed';
  return { group: 'optional', name: YARA_X_PACKAGE, version: 'off', detail: `${why}: ${YARA_X_HINT}` };
}

/** A shipped file that cannot be read is a broken install: its line says so instead of ending the run. */
function safe(group: ShippedVersion['group'], name: string, read: () => ShippedVersion): ShippedVersion {
  try {
    return read();
  } catch (e) {
    return { group, name, version: 'MISSING', detail: (e instanceof Error ? e.message : String(e)).split('\n')[0]!, broken: true };
  }
}

/** Everything exhunt ships or can load, in the order `exhunt --version` prints it. */
export async function shippedVersions(): Promise<ShippedVersion[]> {
  const out: ShippedVersion[] = [];
  const sigmaDir = join(rulesDir, 'sigma');
  for (const pack of existsSync(sigmaDir) ? readdirSync(sigmaDir).sort() : []) {
    // `date:`/`modified:` at the start of a line are the rule's own (Sigma §metadata), YYYY-MM-DD or YYYY/MM/DD.
    const name = `Sigma pack ${pack}`;
    out.push(safe('rules', name, () => rulePack(name, join(sigmaDir, pack), /\.ya?ml$/, /^title:/gm, /^(?:date|modified):\s*['"]?(\d{4}[-/]\d{2}[-/]\d{2})/gm)));
  }
  out.push(
    safe('rules', 'YARA pack', () => rulePack('YARA pack', join(rulesDir, 'yara'), /\.yara?$/, /^\s*(?:(?:private|global)\s+)*rule\s+\w+/gm, /^\s*date\s*=\s*"(\d{4}-\d{2}-\d{2})"/gm)),
    safe('rules', 'Exchange web file baseline', webBaseline),
    safe('data', 'MITRE ATT&CK', attackData),
    safe('data', 'Exchange build catalogue', buildCatalogue),
    safe('data', 'Sigma logsource map', logsourceMap),
    await yaraX(),
  );
  return out;
}

/**
 * The text of `exhunt --version`: exhunt's version on the first line (what scripts read), then one line each;
 * `complete` is false when a shipped file is missing or unreadable (the CLI then exits 3).
 */
export async function versionText(): Promise<{ text: string; complete: boolean }> {
  const rows = await shippedVersions();
  const w1 = Math.max(...rows.map((r) => r.name.length));
  const w2 = Math.max(...rows.map((r) => r.version.length));
  const lines = [`exhunt ${version} (node ${process.version}, ${process.platform}-${process.arch})`];
  for (const r of rows) lines.push(`  ${r.group.padEnd(8)} ${r.name.padEnd(w1)}  ${r.version.padEnd(w2)}  ${r.detail}`);
  return { text: `${lines.join('\n')}\n`, complete: !rows.some((r) => r.broken) };
}
