// The fleet model: what fleet.html and fleet.json show about many servers, built by the store from its queries
// and handed to the reporters (which never reach the store themselves).

/** Fleet verdicts, most urgent first: the order a CERT analyst acts in. */
export const FLEET_VERDICTS = ['compromised', 'exploitation-attempted', 'blind', 'exposed', 'no-evidence'] as const;
export type FleetVerdict = (typeof FLEET_VERDICTS)[number];

export const FLEET_VERDICT_LABELS: Record<FleetVerdict, string> = {
  compromised: 'Compromised',
  'exploitation-attempted': 'Exploitation attempted',
  blind: 'Blind (key logs missing)',
  exposed: 'Exposed only',
  'no-evidence': 'No evidence',
};

export interface FleetCve {
  cve: string;
  /** Family, e.g. 'ProxyLogon'. */
  name: string | null;
  /** Window of exposure on this server (null `to`: still open at the end of its evidence). */
  from: string | null;
  to: string | null;
}

export interface FleetCoverageKind {
  /** As the scan's coverage names it, e.g. 'iis-w3c:W3SVC1', 'exchange:httpproxy/Ecp', 'evtx:Security'. */
  kind: string;
  files: number;
  lines: number;
  first: string | null;
  last: string | null;
}

export interface FleetCoverage {
  kinds: FleetCoverageKind[];
  /** IIS or HttpProxy logs present: where exploitation of Exchange shows. */
  webLogs: boolean;
  first: string | null;
  last: string | null;
  /** Evidence files and events stored for this host (the store's `evidence` table). */
  evidenceFiles: number;
  events: number;
}

export interface FleetHost {
  host: string;
  /** Folder under hosts/ (safe whatever the host name holds): see host-dir.ts. */
  dir: string;
  verdict: FleetVerdict;
  /** The verdict of the host's scan(s): the worst over its collections. */
  scanVerdict: string;
  build: string | null;
  openCves: FleetCve[];
  firstMalicious: string | null;
  lastMalicious: string | null;
  /** Story episodes (from the host's report); null when the host's report was not built. */
  episodes: number | null;
  findings: number;
  malicious: number;
  collections: number;
  coverage: FleetCoverage;
}

export interface SharedIndicator {
  type: string;
  value: string;
  hosts: string[];
  findings: number;
  first: string | null;
  last: string | null;
  /** Per host: findings and first/last (the STIX sighting per server). */
  perHost: { host: string; findings: number; first: string | null; last: string | null }[];
}

export interface FleetDay {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  count: number;
}

export interface FleetTechnique {
  id: string;
  name: string;
  tactics: string[];
  hosts: number;
  findings: number;
}

export interface FleetModel {
  tool: { name: 'exhunt'; version: string };
  generatedAt: string;
  /** Where the store is (never with credentials). */
  store: string;
  scope: { hosts: string[]; since: string | null; until: string | null };
  counts: Record<FleetVerdict, number>;
  /** Sorted: verdict severity, then first malicious activity (earliest first), then host. */
  hosts: FleetHost[];
  sharedIndicators: SharedIndicator[];
  /** True when more indicators were shared than the model keeps. */
  sharedIndicatorsCapped: boolean;
  campaign: {
    /** Servers whose first malicious activity fell on each day. */
    fell: FleetDay[];
    /** Exploitation findings per day, by CVE family (ProxyLogon, ProxyShell, ...). */
    exploitation: { day: string; byFamily: Record<string, number> }[];
    families: string[];
  };
  techniques: FleetTechnique[];
  /** Technique IDs the ATT&CK catalogue does not know. */
  unknownTechniques: string[];
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The order of the servers table: most urgent verdict first, then the servers in the order they fell. */
export function compareHosts(a: FleetHost, b: FleetHost): number {
  return (
    FLEET_VERDICTS.indexOf(a.verdict) - FLEET_VERDICTS.indexOf(b.verdict) ||
    cmp(a.firstMalicious ?? '\uffff', b.firstMalicious ?? '\uffff') ||
    cmp(a.host, b.host)
  );
}

export function countVerdicts(hosts: readonly FleetHost[]): Record<FleetVerdict, number> {
  const counts = Object.fromEntries(FLEET_VERDICTS.map((v) => [v, 0])) as Record<FleetVerdict, number>;
  for (const h of hosts) counts[h.verdict]++;
  return counts;
}
