// The ATT&CK folder's only door: the shipped catalogue, tag mapping, tactic ordering and actor overlap.
// Data comes from src/attack/catalog.json (ATT&CK v19, MITRE's terms inside).
export { AttackCatalog, attackCatalog } from './catalog.js';
export type { Tactic, Technique, GroupProfile, AdvisoryProfile } from './catalog.js';
export { mapAttackTags, sortByTactic } from './tags.js';
export type { TagMapping } from './tags.js';
export { actorOverlap, OVERLAP_CAVEAT } from './overlap.js';
export type { OverlapEntry, OverlapResult } from './overlap.js';
