// Generates src/attack/catalog.json, exhunt's compact ATT&CK data, from ../shared/attack (v19 matrix,
// v18.1 group profiles with the v19 revocation map applied, AA21-200B list). Run: npx tsx scripts/make-attack-catalog.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, sharedDir } from '../src/paths.js';

interface V19 {
  attack_version: string | number;
  domain: string;
  source: string;
  attribution: string;
  tactics: { id: string; shortname: string; name: string; order: number }[];
  techniques: { id: string; name: string; tactics: string[]; parent: string | null }[];
  revoked: Record<string, string>;
}
interface Compact {
  attack_version: string;
  source: string;
  groups: { id: string; name: string; aliases: string[] }[];
  software: { id: string; name: string }[];
  campaigns: { id: string; name: string; attributed_to: string[] }[];
  group_technique_uses: { group: string; technique: string }[];
  group_software_uses: { group: string; software: string }[];
  campaign_technique_uses: { campaign: string; technique: string }[];
  retired: { id: string; kind: string; status: string; replaced_by?: string }[];
}
interface Advisories {
  advisories: { id: string; title: string; method: string; source: string; license?: string; techniques: { id: string }[] }[];
}

const dir = join(sharedDir, 'attack');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
const v19 = read<V19>('enterprise-attack-v19-techniques.json');
const v18 = read<Compact>('enterprise-attack-compact.json');
const adv = read<Advisories>('advisory-ttps.json');
const licenseText = readFileSync(join(dir, 'LICENSE-ATTACK.txt'), 'utf8');

const known = new Set(v19.techniques.map((t) => t.id));
// Old IDs → v19 IDs: v18.1 revocations (older renames) first, then the v19 revocation map, followed to the end.
const replaced: Record<string, string> = {};
for (const r of v18.retired) if (r.kind === 'technique' && r.replaced_by) replaced[r.id] = r.replaced_by;
for (const [from, to] of Object.entries(v19.revoked)) replaced[from] = to;
function toV19(id: string): string | null {
  let cur = id;
  for (let i = 0; i < 8 && !known.has(cur); i++) {
    const next = replaced[cur];
    if (!next) return null;
    cur = next;
  }
  return known.has(cur) ? cur : null;
}
const mapAll = (ids: string[]): { techniques: string[]; unmapped: string[] } => {
  const out = new Set<string>();
  const unmapped: string[] = [];
  for (const id of ids) {
    const m = toV19(id);
    if (m) out.add(m);
    else unmapped.push(id);
  }
  return { techniques: [...out].sort(), unmapped };
};

const swName = new Map(v18.software.map((s) => [s.id, s.name]));
const groups = ['G0125', 'G0065', 'G0128'].map((gid) => {
  const g = v18.groups.find((x) => x.id === gid);
  if (!g) throw new Error(`group ${gid} missing`);
  const { techniques, unmapped } = mapAll(v18.group_technique_uses.filter((u) => u.group === gid).map((u) => u.technique));
  const campaigns = v18.campaigns
    .filter((c) => c.attributed_to.includes(gid))
    .map((c) => ({ id: c.id, name: c.name, ...mapAll(v18.campaign_technique_uses.filter((u) => u.campaign === c.id).map((u) => u.technique)) }));
  const software = v18.group_software_uses.filter((u) => u.group === gid).map((u) => swName.get(u.software) ?? u.software).sort();
  return { id: g.id, name: g.name, aliases: g.aliases, techniques, unmapped, software, campaigns };
});

const advisories = adv.advisories
  .filter((a) => a.id === 'AA21-200B')
  .map((a) => ({ id: a.id, title: a.title, method: a.method, source: a.source, license: a.license ?? null, ...mapAll(a.techniques.map((t) => t.id)) }));

const catalog = {
  format: 'exhunt-attack-catalog/1',
  domain: v19.domain,
  attackVersion: String(v19.attack_version),
  generatedBy: 'scripts/make-attack-catalog.ts',
  sources: {
    matrix: `enterprise-attack-v19-techniques.json (ATT&CK v${v19.attack_version}): ${v19.source.slice(0, 300)}`,
    groups: `enterprise-attack-compact.json (ATT&CK v${v18.attack_version}, ${v18.source}), direct group→technique links mapped to v19 through the revocation map`,
    advisories: 'advisory-ttps.json',
  },
  attribution: v19.attribution,
  terms:
    'Used under MITRE\'s ATT&CK licence (reproduced in "license" of src/attack/catalog.json): non-exclusive, royalty-free use for research, development and commercial purposes, provided MITRE\'s copyright designation and the licence are reproduced.',
  license: licenseText,
  tactics: [...v19.tactics].sort((a, b) => a.order - b.order).map((t) => ({ id: t.id, shortname: t.shortname, name: t.name })),
  /** Tactic shortnames retired by v19 → their successors (first is the usual one). */
  retiredTactics: { 'defense-evasion': ['stealth', 'defense-impairment'] },
  techniques: v19.techniques.map((t) => (t.parent ? { id: t.id, name: t.name, tactics: t.tactics, parent: t.parent } : { id: t.id, name: t.name, tactics: t.tactics })),
  replaced,
  groups,
  advisories,
};

const out = join(projectRoot, 'src', 'attack', 'catalog.json');
writeFileSync(out, JSON.stringify(catalog) + '\n');
console.log(`wrote ${out}: ${catalog.tactics.length} tactics, ${catalog.techniques.length} techniques, ${Object.keys(replaced).length} replaced IDs, groups ${groups.map((g) => `${g.id}:${g.techniques.length}`).join(' ')}, AA21-200B ${advisories[0]?.techniques.length}`);
