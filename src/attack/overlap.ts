// Technique overlap of a scan with the ATT&CK group profiles and the AA21-200B advisory. Overlap is a
// similarity measure for context, never attribution; the caveat travels with every result.
import type { AttackCatalog } from './catalog.js';

export interface OverlapEntry {
  id: string;
  name: string;
  kind: 'group' | 'advisory';
  aliases: string[];
  /** Techniques seen that the profile lists (exact ID, or the parent technique for a sub-technique seen). */
  shared: string[];
  /** Size of the profile. */
  profileSize: number;
  /** shared / techniques seen (0–1). */
  coverageOfSeen: number;
}
export interface OverlapResult {
  seen: string[];
  entries: OverlapEntry[];
  caveat: string;
}

export const OVERLAP_CAVEAT =
  'Technique overlap is not attribution: these techniques are common to many intrusion sets, and ATT&CK profiles list only what has been publicly reported. Use the overlap as context for the investigation, not as a conclusion about who did it.';

function sharedWith(seen: readonly string[], profile: ReadonlySet<string>, catalog: AttackCatalog): string[] {
  return seen.filter((id) => profile.has(id) || profile.has(catalog.topLevel(id)));
}

export function actorOverlap(seenIds: Iterable<string>, catalog: AttackCatalog): OverlapResult {
  const seen = [...new Set(seenIds)].sort();
  const entries: OverlapEntry[] = [];
  for (const g of catalog.groups) {
    const profile = new Set([...g.techniques, ...g.campaigns.flatMap((c) => c.techniques)]);
    const shared = sharedWith(seen, profile, catalog);
    entries.push({ id: g.id, name: g.name, kind: 'group', aliases: g.aliases, shared, profileSize: profile.size, coverageOfSeen: seen.length ? shared.length / seen.length : 0 });
  }
  for (const a of catalog.advisories) {
    const profile = new Set(a.techniques);
    const shared = sharedWith(seen, profile, catalog);
    entries.push({ id: a.id, name: a.title, kind: 'advisory', aliases: [], shared, profileSize: profile.size, coverageOfSeen: seen.length ? shared.length / seen.length : 0 });
  }
  return { seen, entries, caveat: OVERLAP_CAVEAT };
}
