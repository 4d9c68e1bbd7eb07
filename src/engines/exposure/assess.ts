// One build's exposure: its classification, support status, the SUs it lacks, the CVEs it is open to
// (with exploitation facts and the first fixing build) and the configuration-only CVEs that no build fixes.
import { compareBuild, parseBuild, type Build } from './build.js';
import { classifyBuild, firstFixFor, isPatchedFor, type BuildInfo } from './classify.js';
import { defaultCatalogue, type Catalogue, type IndexedBuild } from './catalogue.js';

export interface FixRef {
  build: string;
  /** Catalogue name, e.g. "CU19 Mar21SU". */
  label: string;
  released: string | null;
}

export interface MissingSu {
  su: string;
  released: string | null;
  kb: string | null;
  cves: string[];
  /** First build carrying this SU above the server's build; null when only a later CU has the fix. */
  fixedIn: FixRef | null;
}

export interface OpenCve {
  id: string;
  name: string | null;
  exploitedInWild: boolean;
  exploitationStart: string | null;
  /** The missing SUs that fix it (usually one). */
  sus: string[];
  fixedIn: FixRef | null;
  note?: string;
}

export interface ConfigurationExposure {
  key: string;
  cves: string[];
  /** Whether the build has the SU that makes the configuration possible. */
  buildReady: boolean;
  buildPrerequisite: string;
  summary: string;
  evidence: string;
  /** Those of `cves` known to be exploited in the wild, with the start date when known. */
  exploited: { cve: string; since: string | null }[];
}

export interface SupportStatus {
  status: 'supported' | 'unsupported-cu' | 'end-of-support';
  extendedSupportEnd: string;
  supportedCus: string[];
  text: string;
}

export interface BuildAssessment {
  info: BuildInfo;
  support: SupportStatus;
  missingSus: MissingSu[];
  openCves: OpenCve[];
  configuration: ConfigurationExposure[];
  /** Caveats the build number alone cannot settle. */
  notes: string[];
}

// research §3.3 "March 2021 special": KB5000871 for these out-of-support CUs fixed only the ProxyLogon set.
const MARCH21_OLD_CUS: Record<string, readonly string[]> = {
  '2013': ['CU4', 'CU21', 'CU22'], // CU4 = SP1: its Mar21SU (MS Learn only) is absent from HealthChecker's dictionary
  '2016': ['CU8', 'CU9', 'CU10', 'CU11', 'CU12', 'CU13', 'CU14', 'CU15', 'CU16', 'CU17'],
  '2019': ['RTM', 'CU1', 'CU2', 'CU3', 'CU4', 'CU5', 'CU6'],
};

function fixRef(ib: IndexedBuild | null): FixRef | null {
  return ib ? { build: ib.row.build, label: ib.row.label, released: ib.row.released } : null;
}

/** `asOf` (ISO date) decides the support status; it defaults to today. */
export function assessBuild(b: Build, opts: { asOf?: string; catalogue?: Catalogue } = {}): BuildAssessment {
  const cat = opts.catalogue ?? defaultCatalogue();
  const info = classifyBuild(b, cat);
  const eff = info.effective;
  const product = cat.file.products[info.product];
  const asOf = (opts.asOf ?? new Date().toISOString()).slice(0, 10);
  // HealthChecker's supported-CU list is today's; at an earlier date the two newest CUs then released were supported
  // (Microsoft's N / N-1 CU policy — outside the research text).
  const released = (cat.cuBases.get(info.product) ?? []).filter((c) => c.cu !== 'Preview' && c.row.released !== null && c.row.released <= asOf);
  const newest = released.slice(-2).map((c) => c.cu);
  const latestSupported = (cat.cuBases.get(info.product) ?? []).find((c) => c.cu === product.supportedCus[product.supportedCus.length - 1]);
  const historic = latestSupported?.row.released != null && asOf < latestSupported.row.released;
  const supportedNow = historic ? newest : product.supportedCus;
  const cuOk = info.cu !== null && supportedNow.includes(info.cu);
  const eos = asOf > product.extendedSupportEnd;
  const support: SupportStatus = {
    status: eos ? 'end-of-support' : cuOk ? 'supported' : 'unsupported-cu',
    extendedSupportEnd: product.extendedSupportEnd,
    supportedCus: supportedNow,
    text: eos
      ? `${product.name} reached the end of extended support on ${product.extendedSupportEnd}`
      : cuOk
        ? `${info.cu} is a supported CU of ${product.name} on ${asOf} (extended support until ${product.extendedSupportEnd})`
        : `${info.cu ?? 'this build'} is not a supported CU of ${product.name} on ${asOf} (supported: ${supportedNow.join(', ')})`,
  };

  const notAffected = (id: string): boolean => {
    const from = cat.file.cves[id]?.notAffectedFrom?.[info.product];
    return from !== undefined && compareBuild(eff, parseBuild(from)) >= 0;
  };
  const missingSus: MissingSu[] = [];
  const cveSus = new Map<string, string[]>();
  const cveFix = new Map<string, IndexedBuild | null>();
  for (const [su, entry] of Object.entries(cat.file.securityUpdates)) {
    if (isPatchedFor(eff, info.product, su, cat)) continue;
    const fix = firstFixFor(eff, info.product, su, cat);
    const cves = Object.entries(entry.cves)
      .filter(([id, prods]) => prods.includes(info.product) && !notAffected(id))
      .map(([id]) => id);
    missingSus.push({ su, released: entry.released, kb: entry.kb ?? null, cves, fixedIn: fixRef(fix) });
    for (const id of cves) {
      cveSus.set(id, [...(cveSus.get(id) ?? []), su]);
      // A CVE listed by several SUs (CVE-2023-21707: Feb23SU and Mar23SU) is fixed by the latest of them.
      const prev = cveFix.get(id);
      if (!prev || (fix && compareBuild(fix.build, prev.build) > 0)) cveFix.set(id, fix);
    }
  }
  missingSus.sort((x, y) => (x.released ?? '').localeCompare(y.released ?? '') || x.su.localeCompare(y.su));
  const openCves: OpenCve[] = [...cveSus].map(([id, sus]) => {
    const meta = cat.file.cves[id];
    const o: OpenCve = {
      id,
      name: meta?.name ?? null,
      exploitedInWild: meta?.exploitedInWild ?? false,
      exploitationStart: meta?.exploitationStart ?? null,
      sus,
      fixedIn: fixRef(cveFix.get(id) ?? null),
    };
    if (meta?.note) o.note = meta.note;
    return o;
  });
  openCves.sort((x, y) => Number(y.exploitedInWild) - Number(x.exploitedInWild) || x.id.localeCompare(y.id));

  const configuration: ConfigurationExposure[] = [];
  for (const [key, c] of Object.entries(cat.file.configuration)) {
    // Exchange 2013 never got these SUs and is out of support: the configuration cannot be applied at all.
    const hasSu = cat.suBuilds.get(c.buildPrerequisite)?.has(info.product) ?? false;
    const ready = info.product === 'SE' || (hasSu && isPatchedFor(eff, info.product, c.buildPrerequisite, cat));
    const exploited = c.cves.filter((id) => cat.file.cves[id]?.exploitedInWild).map((id) => ({ cve: id, since: cat.file.cves[id]!.exploitationStart }));
    configuration.push({ key, cves: c.cves, buildReady: ready, buildPrerequisite: c.buildPrerequisite, summary: c.summary, evidence: c.evidence, exploited });
  }
  const notes: string[] = [];
  if (info.su === 'Mar21SU' && info.cu !== null && MARCH21_OLD_CUS[info.product]?.includes(info.cu)) {
    notes.push(
      `${info.build} is the March 2021 security update for an out-of-support CU (${info.productName} ${info.cu}): it fixed only the ProxyLogon set, so security updates released before it may still be missing although the build number is above theirs; check the installed updates (registry Microsoft\\Updates) or HealthChecker.`,
    );
  }
  return { info, support, missingSus, openCves, configuration, notes };
}

