// Generates the rule fixtures for the logs beyond HttpProxy (CmdletInfra, EWS, MessageTracking, the audit queue)
// under test/fixtures/exchange/<scenario>/ with testkit.ts, and their medium+ lines in expected.json (deterministic).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/paths.js';
import { newSet, type FixtureSet } from './log-fixtures/builder.js';
import { benignCmdletInfra, mailTakeover, proxyNotShell, proxyShell } from './log-fixtures/cmdletinfra.js';
import { benignMailflow, ewsAccess, mailForwarding } from './log-fixtures/mailbox-access.js';

/** The scenario folders this script owns (everything else under test/fixtures/exchange is written by hand). */
export const LOG_FIXTURE_ROOTS = ['proxyshell-cmdletinfra', 'proxynotshell-cmdletinfra', 'mail-forwarding', 'ews-access', 'benign-cmdletinfra', 'benign-mailflow'];

export function logFixtures(): FixtureSet {
  const set = newSet();
  proxyShell(set);
  proxyNotShell(set);
  mailTakeover(set);
  mailForwarding(set);
  ewsAccess(set);
  benignCmdletInfra(set);
  benignMailflow(set);
  return set;
}

const fixturesDir = join(projectRoot, 'test', 'fixtures', 'exchange');
const owned = (path: string): boolean => LOG_FIXTURE_ROOTS.some((r) => path.startsWith(`${r}/`));

/** Writes the files and replaces this script's entries in expected.json (appended after the hand-written ones). */
export function writeLogFixtures(): { files: number; hits: number } {
  const set = logFixtures();
  for (const [path, text] of set.files) {
    const abs = join(fixturesDir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
  }
  const expectedPath = join(fixturesDir, 'expected.json');
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as { hits: { path: string }[] };
  const mine = set.hits.filter((h) => !h.low).map(({ path, line, rules, cves, attack }) => ({ path, line, rules, cves, attack }));
  expected.hits = [...expected.hits.filter((h) => !owned(h.path)), ...mine];
  writeFileSync(expectedPath, JSON.stringify(expected, null, 1));
  return { files: set.files.size, hits: mine.length };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { files, hits } = writeLogFixtures();
  process.stdout.write(`${files} fixture files written under ${fixturesDir}, ${hits} medium+ lines in expected.json\n`);
}
