// Log coverage: per log kind, how many files, lines and bytes and which time span the evidence covers,
// and the warnings that follow (logs not reaching back to exploitation windows, key logs missing).
import type { HuntEvent } from '../event.js';
import type { CoverageEntry } from '../summary.js';
import type { Evidence } from './evidence.js';
import { logFromPath, siteFromPath } from '../readers/index.js';

interface Entry {
  kind: string;
  files: Set<string>;
  lines: number;
  bytes: number;
  first: string | null;
  last: string | null;
}

/** The coverage kind of an event: 'iis-w3c:W3SVC1', 'exchange:httpproxy/Ecp', 'evtx:<channel>', 'json:<channel>'. */
export function coverageKind(e: HuntEvent): string {
  switch (e.source) {
    case 'w3c':
      return `iis-w3c:${e.site ?? 'unknown'}`;
    case 'exchange':
      return `exchange:${e.log}${e.protocol ? '/' + e.protocol : ''}`;
    case 'evtx':
    case 'json':
      return `${e.source}:${e.channel ?? 'unknown'}`;
  }
}

/** The kind a file would have had from its path alone (for files that yielded no events). */
function fileKind(ev: Evidence): string {
  switch (ev.kind) {
    case 'iis-w3c':
      return `iis-w3c:${siteFromPath(ev.path) ?? 'unknown'}`;
    case 'exchange-csv': {
      const l = logFromPath(ev.path);
      return l ? `exchange:${l.log}${l.protocol ? '/' + l.protocol : ''}` : 'exchange:unknown';
    }
    default:
      return `${ev.kind}:unknown`;
  }
}

/** A tracker's per-kind counts as plain data (what a worker thread sends back); bytes are added where sizes are known. */
export type CoveragePart = { kind: string; files: string[]; lines: number; first: string | null; last: string | null }[];

export class CoverageTracker {
  private readonly sizes = new Map<string, Evidence>();
  private readonly byKind = new Map<string, Entry>();
  private readonly pathsWithEvents = new Set<string>();
  // One-entry cache: consecutive events nearly always come from the same file and kind.
  private lastPath = '';
  private lastSub: string | null = null;
  private lastEntry: Entry | null = null;

  /** Registers a file about to be read (its size counts towards the bytes of the kinds it yields). */
  file(ev: Evidence): void {
    this.sizes.set(ev.path, ev);
  }

  observe(e: HuntEvent): void {
    const sub = e.source === 'w3c' ? e.site : e.source === 'exchange' ? e.protocol : e.channel;
    let entry: Entry;
    if (this.lastEntry !== null && e.ref.path === this.lastPath && sub === this.lastSub && e.source !== 'exchange') {
      entry = this.lastEntry;
    } else {
      const kind = coverageKind(e);
      entry = this.entryFor(kind);
      if (!entry.files.has(e.ref.path)) {
        entry.files.add(e.ref.path);
        entry.bytes += this.sizes.get(e.ref.path)?.size ?? 0;
        this.pathsWithEvents.add(e.ref.path);
      }
      this.lastPath = e.ref.path;
      this.lastSub = sub;
      this.lastEntry = entry;
    }
    entry.lines++;
    const t = e.time;
    if (t !== null) {
      if (entry.first === null || t < entry.first) entry.first = t;
      if (entry.last === null || t > entry.last) entry.last = t;
    }
  }

  /** What this tracker observed, as plain data (files registered with file() are not part of it). */
  part(): CoveragePart {
    return [...this.byKind.values()].map((e) => ({ kind: e.kind, files: [...e.files], lines: e.lines, first: e.first, last: e.last }));
  }

  /** Folds in what another tracker observed (order-independent: counts add, times take min and max). */
  merge(part: CoveragePart): void {
    for (const p of part) {
      const entry = this.entryFor(p.kind);
      for (const path of p.files) {
        if (entry.files.has(path)) continue;
        entry.files.add(path);
        entry.bytes += this.sizes.get(path)?.size ?? 0;
        this.pathsWithEvents.add(path);
      }
      entry.lines += p.lines;
      if (p.first !== null && (entry.first === null || p.first < entry.first)) entry.first = p.first;
      if (p.last !== null && (entry.last === null || p.last > entry.last)) entry.last = p.last;
    }
    this.lastEntry = null;
  }

  private entryFor(kind: string): Entry {
    let entry = this.byKind.get(kind);
    if (!entry) {
      entry = { kind, files: new Set(), lines: 0, bytes: 0, first: null, last: null };
      this.byKind.set(kind, entry);
    }
    return entry;
  }

  /** One entry per kind, sorted by kind; files that yielded no event are counted under their path's kind. */
  entries(): CoverageEntry[] {
    for (const [path, ev] of this.sizes) {
      if (this.pathsWithEvents.has(path) || ev.kind === 'file') continue;
      const entry = this.entryFor(fileKind(ev));
      if (!entry.files.has(path)) {
        entry.files.add(path);
        entry.bytes += ev.size;
      }
    }
    return [...this.byKind.values()]
      .sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
      .map((e) => ({ kind: e.kind, files: e.files.size, lines: e.lines, bytes: e.bytes, first: e.first, last: e.last }));
  }
}

/** Exploitation windows a collection should reach back to (research/exchange.md §2). */
export const EXPLOITATION_WINDOWS: readonly { name: string; cves: string; from: string }[] = [
  { name: 'ProxyLogon', cves: 'CVE-2021-26855/26857/26858/27065', from: '2021-01-03' },
  { name: 'ProxyShell', cves: 'CVE-2021-34473/34523/31207', from: '2021-08-05' },
  { name: 'ProxyNotShell', cves: 'CVE-2022-41040/41082', from: '2022-08-01' },
];

const FAMILIES: { label: string; test: (kind: string) => boolean; missing: string }[] = [
  {
    label: 'IIS logs',
    test: (k) => k.startsWith('iis-w3c:'),
    missing: 'No IIS logs (inetpub\\logs\\LogFiles\\W3SVC*) in the evidence: web exploitation of the front end cannot be seen.',
  },
  {
    label: 'Exchange HttpProxy logs',
    test: (k) => k.startsWith('exchange:httpproxy'),
    missing: 'No Exchange HttpProxy logs (Logging\\HttpProxy\\*) in the evidence: ProxyLogon SSRF (CVE-2021-26855) cannot be checked.',
  },
  {
    label: 'Windows event logs',
    test: (k) => k.startsWith('evtx:') || k.startsWith('json:'),
    missing: 'No Windows event logs (MSExchange Management, Application, Security) in the evidence: cmdlet abuse and UM exploitation cannot be seen.',
  },
];

const ABSENCE = 'Absence of evidence is not evidence of absence.';
const EVENT_LOGS_MISSING_WITH_RPS =
  'No Windows event logs (Application, Security, MSExchange Management) in the evidence: UM exploitation (CVE-2021-26857), process activity and logons cannot be seen; Remote PowerShell cmdlets are covered by the CmdletInfra Rps_Cmdlet logs only.';

/** Human warnings about blind spots in the evidence. */
export function coverageWarnings(entries: CoverageEntry[]): string[] {
  const out: string[] = [];
  for (const fam of FAMILIES) {
    const mine = entries.filter((e) => fam.test(e.kind));
    if (mine.length === 0 || mine.every((e) => e.lines === 0)) {
      const rps = fam.label === 'Windows event logs' && entries.some((e) => e.kind.startsWith('exchange:rps-cmdlet') && e.lines > 0);
      out.push(`${rps ? EVENT_LOGS_MISSING_WITH_RPS : fam.missing} ${ABSENCE}`);
      continue;
    }
    const firsts = mine.map((e) => e.first).filter((t): t is string => t !== null);
    if (firsts.length === 0) {
      out.push(`${fam.label} carry no usable timestamps: their time coverage is unknown. ${ABSENCE}`);
      continue;
    }
    const first = firsts.reduce((a, b) => (a < b ? a : b));
    const missed = EXPLOITATION_WINDOWS.filter((w) => first.slice(0, 10) > w.from);
    if (missed.length > 0) {
      const list = missed.map((w) => `${w.name} (${w.cves}, exploited from ${w.from})`).join(', ');
      out.push(
        `${fam.label} start ${first}, after the start of ${list}: activity before that date cannot be seen. ${ABSENCE}`,
      );
    }
  }
  // The CmdletInfra Rps_Cmdlet log records Remote PowerShell cmdlets too (research exchange-logs.md §5).
  const hasMgmt = entries.some((e) => /^(evtx|json):MSExchange Management$/i.test(e.kind) || (e.kind.startsWith('exchange:rps-cmdlet') && e.lines > 0));
  const hasEventLogs = entries.some((e) => e.kind.startsWith('evtx:') || e.kind.startsWith('json:'));
  if (hasEventLogs && !hasMgmt) {
    out.push(`No 'MSExchange Management' event log among the event logs: Exchange cmdlet abuse (ProxyShell post-exploitation) cannot be seen. ${ABSENCE}`);
  }
  return out;
}
