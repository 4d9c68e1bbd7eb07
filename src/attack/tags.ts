// Sigma/YARA tags → ATT&CK technique IDs and tactic shortnames of the shipped catalogue. Old IDs follow
// their revocations, the retired `defense-evasion` tactic is accepted, and a tag that resolves to nothing is reported.
import type { DiagnosticSink, Location } from '../diagnostics.js';
import type { AttackCatalog } from './catalog.js';

export interface TagMapping {
  techniques: string[];
  tactics: string[];
  /** attack.* tags that name nothing in the catalogue (each also reported as ATTACK_UNKNOWN_TAG). */
  unknown: string[];
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const GROUP_OR_SOFTWARE = /^attack\.[gs]\d{4}$/i;

/** Maps every `attack.*` tag; other tags (cve.*, detection.*, car.*) are ignored. */
export function mapAttackTags(tags: readonly string[], catalog: AttackCatalog, sink?: DiagnosticSink, location?: Location): TagMapping {
  const techniques = new Set<string>();
  const tactics = new Set<string>();
  const unknown: string[] = [];
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    if (GROUP_OR_SOFTWARE.test(tag)) continue;
    const body = tag.slice('attack.'.length);
    const tm = /^t\d{4}(?:\.\d{3})?$/.exec(body);
    if (tm) {
      const id = catalog.resolve(body.toUpperCase());
      if (id) {
        techniques.add(id);
        continue;
      }
    } else {
      const tactic = catalog.tactic(body.replace(/_/g, '-'));
      if (tactic) {
        tactics.add(tactic.shortname);
        continue;
      }
    }
    unknown.push(raw);
    sink?.({
      code: 'ATTACK_UNKNOWN_TAG',
      severity: 'warning',
      message: `tag '${raw}' names no technique or tactic in ATT&CK v${catalog.version}`,
      ...(location ? { location } : {}),
    });
  }
  return { techniques: [...techniques].sort(), tactics: [...tactics].sort((a, b) => catalog.tacticIndex(a) - catalog.tacticIndex(b)), unknown };
}

/** Orders technique IDs by their earliest tactic in the matrix, then by ID. */
export function sortByTactic(ids: Iterable<string>, catalog: AttackCatalog): string[] {
  return [...new Set(ids)].sort((a, b) => catalog.firstTacticIndex(a) - catalog.firstTacticIndex(b) || cmpStr(a, b));
}
