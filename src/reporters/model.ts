// Everything the writers show, computed once from findings + summary + taken: verdict, story, remediation,
// ATT&CK hits per technique, actor overlap and attacker IP statistics.
import type { Finding, Level } from '../finding.js';
import { levelRank } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import { attackCatalog, actorOverlap, type AttackCatalog, type OverlapResult } from '../attack/index.js';
import { cmpStr, findingIp, type TakenSummary } from '../engines/activity/index.js';
import { buildStory, decideVerdict, remediationSteps, type Episode, type RemediationStep, type Verdict } from '../engines/story/index.js';

export interface TechniqueHit {
  id: string;
  name: string;
  tactics: string[];
  count: number;
  level: Level;
  rules: { title: string; count: number }[];
  first: string | null;
  last: string | null;
}
export interface IpStat {
  ip: string;
  count: number;
  level: Level;
  first: string | null;
  last: string | null;
}
export interface ReportModel {
  findings: Finding[];
  summary: ScanSummary;
  taken: TakenSummary | null;
  catalog: AttackCatalog;
  verdict: Verdict;
  episodes: Episode[];
  remediation: RemediationStep[];
  overlap: OverlapResult;
  techniques: TechniqueHit[];
  /** Technique IDs in findings that the catalogue does not know (not shown by Navigator). */
  unknownTechniques: string[];
  ips: IpStat[];
}

const minT = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a < b ? a : b);
const maxT = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

export function buildModel(findings: Finding[], summary: ScanSummary, taken: TakenSummary | null): ReportModel {
  const catalog = attackCatalog();
  const hits = new Map<string, TechniqueHit & { ruleCounts: Map<string, number> }>();
  const unknown = new Set<string>();
  const ips = new Map<string, IpStat>();
  for (const f of findings) {
    for (const raw of new Set(f.attack)) {
      const id = catalog.resolve(raw);
      if (!id) {
        unknown.add(raw);
        continue;
      }
      let h = hits.get(id);
      if (!h) {
        const t = catalog.technique(id)!;
        h = { id, name: t.name, tactics: t.tactics, count: 0, level: f.level, rules: [], first: null, last: null, ruleCounts: new Map() };
        hits.set(id, h);
      }
      h.count++;
      if (levelRank(f.level) > levelRank(h.level)) h.level = f.level;
      h.first = minT(h.first, f.time);
      h.last = maxT(h.last, f.time);
      h.ruleCounts.set(f.rule.title, (h.ruleCounts.get(f.rule.title) ?? 0) + 1);
    }
    if (f.engine !== 'exposure') {
      const ip = findingIp(f);
      if (ip) {
        const s = ips.get(ip) ?? { ip, count: 0, level: f.level, first: null, last: null };
        s.count++;
        if (levelRank(f.level) > levelRank(s.level)) s.level = f.level;
        s.first = minT(s.first, f.time);
        s.last = maxT(s.last, f.time);
        ips.set(ip, s);
      }
    }
  }
  const techniques: TechniqueHit[] = [...hits.values()]
    .map(({ ruleCounts, ...h }) => ({ ...h, rules: [...ruleCounts].map(([title, count]) => ({ title, count })).sort((a, b) => b.count - a.count) }))
    .sort((a, b) => cmpStr(a.id, b.id));
  const verdict = decideVerdict(findings, summary, catalog);
  return {
    findings,
    summary,
    taken,
    catalog,
    verdict,
    episodes: buildStory(findings, catalog),
    remediation: remediationSteps(findings, summary, taken, verdict, catalog),
    overlap: actorOverlap(techniques.map((t) => t.id), catalog),
    techniques,
    unknownTechniques: [...unknown].sort(),
    ips: [...ips.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count || cmpStr(a.ip, b.ip)),
  };
}
