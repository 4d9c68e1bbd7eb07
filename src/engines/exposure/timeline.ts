// Build observations -> a build timeline (which build ran when) and per-CVE exposure windows:
// from max(exploitation start, first evidence date) to the first date a fixed build ran.
import type { EvidenceRef } from '../../event.js';
import type { BuildSighting, ExposureSummary, ExposureWindow, MitigationSighting } from '../../summary.js';
import { HuntError } from '../../diagnostics.js';
import { assessBuild, type BuildAssessment } from './assess.js';
import { formatBuild, type Build } from './build.js';
import { defaultCatalogue, type Catalogue } from './catalogue.js';
import type { BuildObservation } from './observe-event.js';

/** Observations of one build folded together (the collector keeps these, not every observation). */
export interface BuildTally {
  build: Build;
  sources: Set<string>;
  first: string | null;
  last: string | null;
  /** Seen without a date (ExSetup.exe, registry Setup key): the build at collection time. */
  undated: boolean;
  ref: EvidenceRef;
  host: string | null;
  count: number;
}

/** Fold one observation into `tallies` (keyed by short build form, and by the text as seen so repeats skip formatting). */
export function tallyObservation(tallies: Map<string, BuildTally>, o: BuildObservation): void {
  let t = tallies.get(o.text);
  if (!t) {
    const key = formatBuild(o.build);
    t = tallies.get(key);
    if (!t) {
      t = { build: o.build, sources: new Set(), first: null, last: null, undated: false, ref: o.ref, host: o.host, count: 0 };
      tallies.set(key, t);
    }
    if (o.text !== key) tallies.set(o.text, t);
  }
  t.count++;
  t.sources.add(o.source);
  if (o.time === null) t.undated = true;
  else {
    if (t.first === null || o.time < t.first) {
      t.first = o.time;
      t.ref = o.ref;
      if (o.host) t.host = o.host;
    }
    if (t.last === null || o.time > t.last) t.last = o.time;
  }
}

/** Tallies as plain data: each tally once, with every key it is filed under (short form first). */
export type TallyPart = { keys: string[]; tally: BuildTally }[];

export function talliesPart(tallies: Map<string, BuildTally>): TallyPart {
  const keys = new Map<BuildTally, string[]>();
  for (const [k, t] of tallies) (keys.get(t) ?? keys.set(t, []).get(t)!).push(k);
  return [...keys].map(([tally, ks]) => ({ keys: ks, tally }));
}

/**
 * Folds tallies made elsewhere into `tallies`, as if their observations had come after the ones already folded
 * in (merged in scan order, the result equals one collector's): an earlier first sighting takes over the ref.
 */
export function mergeTallies(tallies: Map<string, BuildTally>, part: TallyPart): void {
  for (const { keys, tally: o } of part) {
    let t: BuildTally | undefined;
    for (const k of keys) if ((t = tallies.get(k))) break;
    if (!t) {
      t = { ...o, sources: new Set(o.sources) };
      for (const k of keys) tallies.set(k, t);
      continue;
    }
    for (const k of keys) if (!tallies.has(k)) tallies.set(k, t);
    t.count += o.count;
    for (const s of o.sources) t.sources.add(s);
    if (o.undated) t.undated = true;
    if (o.first !== null && (t.first === null || o.first < t.first)) {
      t.first = o.first;
      t.ref = o.ref;
      if (o.host) t.host = o.host;
    }
    if (o.last !== null && (t.last === null || o.last > t.last)) t.last = o.last;
  }
}

interface Sighting {
  build: Build;
  text: string;
  first: string | null;
  last: string | null;
  sources: string[];
  ref: EvidenceRef;
  host: string | null;
  assessment: BuildAssessment;
}

const overlaps = (a: BuildTally, b: BuildTally): boolean =>
  a.undated || b.undated || a.first === null || b.first === null || (a.first <= (b.last ?? a.first) && b.first <= (a.last ?? b.first));

/** A 3-part sighting ("15.1.2176" from an OWA path) folds into a 4-part one of the same build seen at the same time. */
function mergeInexact(tallies: BuildTally[]): BuildTally[] {
  const exact = tallies.filter((t) => t.build.revision !== null);
  const out = [...exact];
  for (const t of tallies) {
    if (t.build.revision !== null) continue;
    const host = exact.find((e) => e.build.major === t.build.major && e.build.minor === t.build.minor && e.build.build === t.build.build && overlaps(e, t));
    if (!host) {
      out.push(t);
      continue;
    }
    for (const s of t.sources) host.sources.add(`${s} (${formatBuild(t.build)})`);
    if (t.first !== null && (host.first === null || t.first < host.first)) host.first = t.first;
    if (t.last !== null && (host.last === null || t.last > host.last)) host.last = t.last;
  }
  return out;
}

export function buildExposure(
  observations: Iterable<BuildObservation>,
  mitigations: MitigationSighting[],
  firstEvidence: string | null,
  lastEvidence: string | null,
  catalogue?: Catalogue,
): ExposureSummary {
  const tallies = new Map<string, BuildTally>();
  for (const o of observations) tallyObservation(tallies, o);
  return exposureFromTallies(tallies.values(), mitigations, firstEvidence, lastEvidence, catalogue);
}

/** Readers write "…:28Z" or "…:28.123Z"; windows compare strings, so everything is put in one form first. */
function iso(t: string | null): string | null {
  if (t === null) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

export function exposureFromTallies(
  input: Iterable<BuildTally>,
  mitigations: MitigationSighting[],
  firstEvidenceIn: string | null,
  lastEvidenceIn: string | null,
  cat: Catalogue = defaultCatalogue(),
): ExposureSummary {
  const notes: string[] = [];
  const firstEvidence = iso(firstEvidenceIn);
  const lastEvidence = iso(lastEvidenceIn);
  const sightings: Sighting[] = [];
  const asOf = lastEvidence ?? undefined;
  for (const t of mergeInexact([...new Set(input)].map((t) => ({ ...t, first: iso(t.first), last: iso(t.last), sources: new Set(t.sources) })))) {
    let assessment: BuildAssessment;
    try {
      assessment = assessBuild(t.build, asOf ? { asOf, catalogue: cat } : { catalogue: cat });
    } catch (e) {
      if (e instanceof HuntError) {
        notes.push(`${formatBuild(t.build)} (${[...t.sources].join(', ')}): ${e.message}; ignored`);
        continue;
      }
      throw e;
    }
    // Undated sightings are the build at collection time: place them at the end of the evidence.
    const first = t.first ?? (t.undated ? lastEvidence : null);
    const last = t.undated && lastEvidence && (t.last === null || lastEvidence > t.last) ? lastEvidence : t.last;
    sightings.push({ build: t.build, text: formatBuild(t.build), first, last, sources: [...t.sources].sort(), ref: t.ref, host: t.host, assessment });
    const i = assessment.info;
    if (t.build.revision === null) notes.push(`${i.build} was seen only as three parts (${[...t.sources].join(', ')}): the revision is unknown, so the lowest known build ${i.nearest ?? formatBuild(i.effective)} is assumed (the most exposed choice).`);
    else if (i.guessed) notes.push(`${i.build} is not in the build catalogue: placed on the nearest lower known build ${i.nearest ?? '(none)'} (a guess).`);
    notes.push(...assessment.notes);
    if (t.undated) notes.push(`${i.build} comes from ${[...t.sources].filter((s) => s.startsWith('ExSetup') || s.startsWith('registry')).join(', ') || 'undated evidence'}: the build at collection time, placed at the end of the evidence${lastEvidence ? ` (${lastEvidence})` : ''}.`);
  }
  sightings.sort((a, b) => (a.first ?? '\uffff').localeCompare(b.first ?? '\uffff'));

  const builds: BuildSighting[] = sightings.map((s) => {
    const i = s.assessment.info;
    const b: BuildSighting = { build: s.text, product: i.productName, cu: i.cu, su: i.su, first: s.first, last: s.last, sources: s.sources, evidence: s.ref, host: s.host };
    if (i.guessed) b.guessed = true;
    return b;
  });

  const windows: ExposureWindow[] = [];
  const cves = new Map<string, { meta: BuildAssessment['openCves'][number] }>();
  for (const s of sightings) for (const c of s.assessment.openCves) if (!cves.has(c.id)) cves.set(c.id, { meta: c });
  for (const [id, { meta }] of cves) {
    const vulnerable = sightings.filter((s) => s.assessment.openCves.some((c) => c.id === id));
    const vStart = vulnerable.map((s) => s.first).filter((x): x is string => x !== null).sort()[0] ?? null;
    const fixed = sightings.filter((s) => !vulnerable.includes(s) && s.first !== null && (vStart === null || s.first > vStart));
    const to = fixed.map((s) => s.first!).sort()[0] ?? null;
    const starts = [meta.exploitationStart ? `${meta.exploitationStart}T00:00:00.000Z` : null, firstEvidence].filter((x): x is string => x !== null);
    const from = starts.length ? starts.sort()[starts.length - 1]! : null;
    if (from !== null && to !== null && from >= to) {
      if (meta.exploitedInWild) notes.push(`${id}${meta.name ? ` (${meta.name})` : ''}: a fixed build ran from ${to}, before exploitation was known to start (${from}).`);
      continue;
    }
    const during = vulnerable.filter((s) => to === null || s.first === null || s.first < to);
    const fixedBy = to !== null ? fixed.find((s) => s.first === to) : undefined;
    const w: ExposureWindow = {
      cve: id,
      name: meta.name,
      exploitedInWild: meta.exploitedInWild,
      exploitationStart: meta.exploitationStart,
      from,
      to,
      fixedIn: fixedBy ? fixedBy.text : (meta.fixedIn?.build ?? null),
      builds: during.map((s) => s.text),
    };
    const mits = mitigations.filter((m) => m.cves?.includes(id)).map((m) => `${m.name}${m.first ? ` from ${m.first}` : ''} (${m.path})`);
    if (mits.length) w.mitigations = mits;
    if (to !== null && vulnerable.some((s) => s.first !== null && s.first > to)) notes.push(`${id}: a vulnerable build ran again after ${to} (downgrade or several servers in one collection).`);
    windows.push(w);
  }
  windows.sort((a, b) => Number(b.exploitedInWild) - Number(a.exploitedInWild) || (a.from ?? '').localeCompare(b.from ?? '') || a.cve.localeCompare(b.cve));

  // Configuration-only CVEs and support status are stated for the latest build seen.
  for (const s of sightings.slice(-1)) {
    for (const c of s.assessment.configuration) {
      const seen = mitigations.filter((m) => m.cves?.some((id) => c.cves.includes(id)));
      if (seen.length) notes.push(`${c.cves[0]}: configuration evidence seen — ${seen.map((m) => `${m.name} in ${m.path}: ${m.detail}`).join('; ')}.`);
      notes.push(`${c.cves.join(', ')}: configuration, not a build — ${c.summary} ${c.buildReady ? `The build ${s.text} has the prerequisite ${c.buildPrerequisite}.` : `The build ${s.text} lacks the prerequisite ${c.buildPrerequisite}, so it is exposed whatever the configuration.`} Evidence that would show it: ${c.evidence}`);
    }
    const sup = s.assessment.support;
    if (sup.status !== 'supported') notes.push(`${s.text}: ${sup.text}.`);
  }
  if (sightings.length === 0) notes.push('No Exchange build was seen in the evidence (no #Version headers, S:BLD fields, OWA resource paths, ExSetup.exe or registry export).');
  return { builds, windows, mitigations, notes };
}
