// Everything the writers show, computed once from the findings' digest + summary + taken: verdict, story, remediation,
// ATT&CK hits per technique, actor overlap and attacker IP statistics.
import type { Finding, Level } from '../finding.js';
import { FindingsDigest, type CapNote } from './digest.js';
import { levelRank } from '../finding.js';
import type { ScanSummary } from '../summary.js';
import { actorOverlap, type AttackCatalog, type OverlapResult } from '../attack/index.js';
import { cmpStr, type TakenSummary } from '../engines/activity/index.js';
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
  /** The findings, as bounded aggregates and samples (see digest.ts). */
  digest: FindingsDigest;
  summary: ScanSummary;
  taken: TakenSummary | null;
  catalog: AttackCatalog;
  verdict: Verdict;
  episodes: Episode[];
  /** Rules whose findings were more than the story sample holds (the story counts only the sample). */
  storyCapped: CapNote[];
  remediation: RemediationStep[];
  overlap: OverlapResult;
  techniques: TechniqueHit[];
  /** Technique IDs in findings that the catalogue does not know (not shown by Navigator). */
  unknownTechniques: string[];
  ips: IpStat[];
}

/** The model from a digest, or from findings in the order the outputs list them. */
export function buildModel(input: FindingsDigest | readonly Finding[], summary: ScanSummary, taken: TakenSummary | null): ReportModel {
  const digest = input instanceof FindingsDigest ? input : FindingsDigest.of(input);
  const catalog = digest.catalog;
  const techniques: TechniqueHit[] = [...digest.techniques.values()]
    .map(({ id, name, tactics, count, level, ruleCounts, first, last }) => ({ id, name, tactics, count, level, rules: [...ruleCounts].map(([title, count]) => ({ title, count })).sort((a, b) => b.count - a.count), first, last }))
    .sort((a, b) => cmpStr(a.id, b.id));
  const verdict = decideVerdict(digest.verdict, summary, catalog);
  return {
    digest,
    summary,
    taken,
    catalog,
    verdict,
    episodes: buildStory(digest.storySample(), catalog),
    storyCapped: digest.storyCapped(),
    remediation: remediationSteps(digest.remediation, summary, taken, verdict, catalog),
    overlap: actorOverlap(techniques.map((t) => t.id), catalog),
    techniques,
    unknownTechniques: [...digest.unknownTechniques].sort(),
    ips: [...digest.ips.values()].sort((a, b) => levelRank(b.level) - levelRank(a.level) || b.count - a.count || cmpStr(a.ip, b.ip)),
  };
}
