// The pack tests' scan: discover -> read -> match as the scan pipeline does, in one process, keeping each
// finding's evidence path and line (shared by pack.test.ts and pack-logs.test.ts).
import { basename, join } from 'node:path';
import { projectRoot, rulesDir } from '../../src/paths.js';
import { levelRank, type Finding } from '../../src/finding.js';
import type { Diagnostic } from '../../src/diagnostics.js';
import type { HuntEvent } from '../../src/event.js';
import { discover } from '../../src/evidence/index.js';
import { detectProxies, readerFor } from '../../src/readers/index.js';
import { ClientLedger } from '../../src/normalize/index.js';
import type { Evidence } from '../../src/evidence/evidence.js';
import { loadSigma } from '../../src/engines/sigma/index.js';

export const packDir = join(rulesDir, 'sigma', 'exchange');
export const fixtures = join(projectRoot, 'test', 'fixtures', 'exchange');
export const MEDIUM = levelRank('medium');
export const ruleName = (f: Finding): string => basename(f.rule.source).replace(/\.ya?ml$/, '');
export const keyOf = (f: Finding): string => `${f.evidence.path}:${f.evidence.line ?? f.evidence.record}`;

export interface Scan {
  findings: Finding[];
  events: number;
  diagnostics: Diagnostic[];
  /** The Exchange log names (`service`) events were read from. */
  exchangeLogs: Set<string>;
  /** path:line → the event, when asked for (`keepEvents`). */
  eventsAt: Map<string, HuntEvent>;
}

/** discover -> read -> mark clients -> match, as the scan pipeline does; findings keep their evidence path and line. */
export async function scan(root: string, rulePaths: string[], keepEvents = false): Promise<Scan> {
  const loaded = await loadSigma(rulePaths);
  const run = loaded.ruleSet.createRun();
  const diagnostics: Diagnostic[] = [];
  const sink = (d: Diagnostic): void => void diagnostics.push(d);
  const findings: Finding[] = [];
  let events = 0;
  const exchangeLogs = new Set<string>();
  const eventsAt = new Map<string, HuntEvent>();
  const evidence: Evidence[] = [];
  for await (const ev of discover([root], sink)) evidence.push(ev);
  // Clients behind a proxy are marked before matching, as hunt() does (the forged-header rule reads the mark).
  const clients = new ClientLedger([], await detectProxies(evidence));
  for (const ev of evidence) {
    const reader = readerFor(ev.kind);
    if (!reader) continue;
    for await (const e of reader.read(ev, sink)) {
      events++;
      clients.mark(e);
      if (e.source === 'exchange') {
        exchangeLogs.add(e.log);
        if (keepEvents) eventsAt.set(`${e.ref.path}:${e.ref.line}`, e);
      }
      findings.push(...run.match(e));
    }
  }
  findings.push(...run.finish());
  return { findings, events, diagnostics, exchangeLogs, eventsAt };
}

export function byLine(findings: Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) m.set(keyOf(f), [...(m.get(keyOf(f)) ?? []), f]);
  return m;
}
