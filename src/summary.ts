// ScanSummary: everything a scan learned besides its findings (inputs, coverage, rules, exposure,
// diagnostics). Written as summary.json; the report is rebuilt from findings.jsonl + summary.json.

import type { Diagnostic } from './diagnostics.js';
import type { EvidenceRef } from './event.js';
import type { Level } from './finding.js';
import type { CollectionHost, CollectionLayout } from './evidence/index.js';

export interface CoverageEntry {
  /** Log kind, e.g. 'iis-w3c:W3SVC1', 'exchange:httpproxy/Ecp', 'evtx:MSExchange Management'. */
  kind: string;
  files: number;
  lines: number;
  bytes: number;
  first: string | null;
  last: string | null;
}

export interface BuildSighting {
  build: string;
  product: string | null;
  cu: string | null;
  su: string | null;
  first: string | null;
  last: string | null;
  /** Evidence that showed this build, e.g. 'exchange log #Version', 'ECP S:BLD', 'ExSetup.exe'. */
  sources: string[];
  /** True when the build is not in the catalogue and was placed on the nearest lower known build. */
  guessed?: boolean;
  /** Where the build was first seen (the finding's evidence). */
  evidence?: EvidenceRef;
  host?: string | null;
}

export interface ExposureWindow {
  cve: string;
  name: string | null;
  exploitedInWild: boolean;
  exploitationStart: string | null;
  /** Start of the window: the later of exploitation start and first evidence date (null = unknown). */
  from: string | null;
  /** First date the server ran a fixed build; null = still open at the end of the evidence. */
  to: string | null;
  fixedIn: string | null;
  /** The vulnerable builds seen during the window. */
  builds?: string[];
  /** Mitigations seen that cover this CVE, e.g. "EOMT from 2021-03-08T10:00:00.000Z". */
  mitigations?: string[];
}

export interface MitigationSighting {
  name: string;
  path: string;
  first: string | null;
  detail: string;
  /** CVEs the mitigation covers (e.g. EOMT: CVE-2021-26855). */
  cves?: string[];
}

export interface ExposureSummary {
  builds: BuildSighting[];
  windows: ExposureWindow[];
  mitigations: MitigationSighting[];
  notes: string[];
}

/** Who the clients were: the proxies in front of the server, and what the logs let exhunt resolve. */
export interface ClientSummary {
  /** Proxies trusted: given with --trusted-proxy (a CIDR) or detected (an address, with its evidence). */
  proxies: { address: string; how: 'given' | 'detected'; header: string | null; evidence: string | null }[];
  /** Sentences for the report, e.g. "This server is behind a proxy at 10.0.0.5 (detected: ...)". */
  statements: string[];
  requests: { proxied: number; resolved: number; claims: number };
  /** The first forwarded headers sent by peers that are no trusted proxy (a spoofed header is worth a look). */
  claims: { peer: string | null; header: string; value: string; evidence: EvidenceRef }[];
}

export interface ScanSummary {
  tool: { name: 'exhunt'; version: string };
  startedAt: string;
  finishedAt: string;
  inputs: string[];
  options: { minLevel: Level; since: string | null; until: string | null };
  files: {
    total: number;
    bytes: number;
    byKind: Record<string, { files: number; bytes: number }>;
    skipped: { path: string; reason: string }[];
  };
  events: { total: number; skipped: number };
  coverage: CoverageEntry[];
  /** Human warnings about blind spots (logs not reaching exploitation windows, missing log kinds). */
  coverageWarnings: string[];
  rules: {
    sigma: {
      loaded: number;
      failed: number;
      inactive: number;
      /** Rules that loaded but cannot fire (placeholders without values, no event source); never a silent miss. */
      inactiveRules?: { id: string; title: string; path: string; reason: string }[];
    };
    yara: { loaded: number; available: boolean } | null;
    iocs: { loaded: number } | null;
  };
  counts: {
    findings: number;
    byLevel: Record<Level, number>;
    byRule: { id: string; title: string; level: Level; engine: string; count: number }[];
  };
  exposure: ExposureSummary | null;
  /** Absent in summaries written before clients were resolved. */
  clients?: ClientSummary;
  diagnostics: { total: number; byCode: Record<string, number>; items: Diagnostic[] };
  /** Absent in summaries written before the chain of custody was kept. */
  custody?: Custody;
  /** Each collection read and the host it was taken from (null: no source named one); absent in older summaries. */
  hosts?: ScanHost[];
}

/** One collection of a scan: its folder or archive as cited (the scanned folder where it is the whole input) and host. */
export interface ScanHost {
  collection: string;
  layout: CollectionLayout;
  files: number;
  host: CollectionHost | null;
}

/** What was read, by hash: every evidence file and every archive, with exhunt's version and the rule set's hash. */
export interface Custody {
  exhunt: string;
  /** SHA-256 over the Sigma rule files (labels and bytes) and the placeholders file. */
  sigmaRulesSha256: string;
  /** Evidence files in reading order; `path` is the cited path (`<archive>!/<member>` inside archives). */
  evidence: { path: string; size: number; sha256: string | null }[];
  /** Archives opened (a nested one has its own entry); members counts what was read as evidence from it. */
  archives: { path: string; kind: string; size: number; sha256: string | null; members: number; refused: number }[];
}
