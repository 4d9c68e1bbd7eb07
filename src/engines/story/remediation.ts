// Remediation steps that follow from what was found: the build to patch to, the files to remove, the
// credentials to reset, the exports to clean up, the addresses to block. Each step says why.
import type { Finding } from '../../finding.js';
import type { ScanSummary } from '../../summary.js';
import type { AttackCatalog } from '../../attack/index.js';
import type { TakenSummary } from '../activity/index.js';
import { findingPath, findingFileKey, findingView, type FindingView } from '../activity/index.js';
import { levelRank } from '../../finding.js';
import type { Verdict } from './verdict.js';

export interface RemediationStep {
  title: string;
  why: string;
  /** Concrete items: file paths, builds, accounts, addresses (values from evidence; escape when rendering). */
  items: string[];
}

const FILE_ENGINES = new Set(['yara', 'ioc', 'file']);
const cap = <T>(xs: T[], n = 25): T[] => xs.slice(0, n);
/** '15.1.2308.14' vs '15.1.2176.9', numerically. */
function compareBuilds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The first `n` distinct values in the order they are offered (what cap() showed of the whole list). */
class FirstDistinct {
  readonly values: string[] = [];
  constructor(private readonly n: number) {}
  offer(v: string): void {
    if (this.values.length < this.n && !this.values.includes(v)) this.values.push(v);
  }
}

/** A RemediationTally as data (what crosses between threads), for RemediationTally.absorb. */
export interface RemediationPart {
  techs: Set<string>;
  cves: Set<string>;
  shellFiles: string[];
  shellPaths: string[];
  ips: string[];
  anyIp: boolean;
}
const LIST = 25;

/**
 * What remediation needs from the findings, bounded: the techniques and CVEs seen (sets of IDs), the first
 * 25 web-shell files, and the 25 lowest attacker addresses (the list shows 25 in sorted order).
 */
export class RemediationTally {
  readonly techs = new Set<string>();
  readonly cves = new Set<string>();
  readonly shellFiles = new FirstDistinct(LIST);
  readonly shellPaths = new FirstDistinct(LIST);
  /** The lowest addresses seen, sorted (at most LIST): the same whatever order they came in. */
  private ips: string[] = [];
  private anyIp = false;
  constructor(private readonly catalog: AttackCatalog) {}
  static of(findings: readonly Finding[], catalog: AttackCatalog): RemediationTally {
    const t = new RemediationTally(catalog);
    for (const f of findings) t.add(findingView(f));
    return t;
  }
  add(f: FindingView): void {
    for (const a of f.attack) this.techs.add(this.catalog.resolve(a) ?? a);
    for (const c of f.cves) this.cves.add(c);
    // files on disk only: a file engine also reports log lines (requests to a shell) and configuration (fixed, not deleted)
    if (FILE_ENGINES.has(f.engine) && !/^(?:iis-|exchange-|evtx|json|w3c)/.test(f.evidence.kind)) this.shellFiles.offer(f.evidence.path);
    if (f.attack.includes('T1505.003')) {
      const w = f.whole();
      this.shellPaths.offer(findingPath(w) ?? findingFileKey(w) ?? f.evidence.path);
    }
    // the attacker's addresses as attackerIndicators() picks them: medium and above, exposure aside
    if (f.engine === 'exposure' || levelRank(f.level) < levelRank('medium')) return;
    const ip = f.ip;
    if (ip === null) return;
    this.anyIp = true;
    this.offerIp(ip);
  }
  private offerIp(ip: string): void {
    const xs = this.ips;
    if (xs.length === LIST && ip >= xs[LIST - 1]!) return;
    let lo = 0;
    let hi = xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! < ip) lo = mid + 1;
      else hi = mid;
    }
    if (xs[lo] === ip) return;
    xs.splice(lo, 0, ip);
    if (xs.length > LIST) xs.pop();
  }
  /** The lowest addresses in code-unit order (the whole list sorted, cut at 25). */
  lowestIps(): string[] {
    return [...this.ips];
  }
  part(): RemediationPart {
    return { techs: this.techs, cves: this.cves, shellFiles: this.shellFiles.values, shellPaths: this.shellPaths.values, ips: this.ips, anyIp: this.anyIp };
  }
  /** Adds what a tally of the findings that come after this one's gathered (so the result is that of one tally of both). */
  absorb(p: RemediationPart): void {
    for (const t of p.techs) this.techs.add(t);
    for (const c of p.cves) this.cves.add(c);
    for (const v of p.shellFiles) this.shellFiles.offer(v);
    for (const v of p.shellPaths) this.shellPaths.offer(v);
    for (const ip of p.ips) this.offerIp(ip);
    this.anyIp ||= p.anyIp;
  }
  hasIps(): boolean {
    return this.anyIp;
  }
}

export function remediationSteps(input: RemediationTally | readonly Finding[], summary: ScanSummary | null, taken: TakenSummary | null, verdict: Verdict, catalog: AttackCatalog): RemediationStep[] {
  const t = input instanceof RemediationTally ? input : RemediationTally.of(input, catalog);
  const steps: RemediationStep[] = [];
  const has = (prefix: string): boolean => [...t.techs].some((x) => x === prefix || x.startsWith(prefix + '.'));
  const cves = t.cves;

  if (verdict.kind === 'compromised') {
    steps.push({
      title: 'Preserve evidence and isolate the server',
      why: 'Post-exploitation activity was found. Image memory and disks before cleaning, so the investigation can continue; then take the server off the internet.',
      items: [],
    });
  }

  const open = (summary?.exposure?.windows ?? []).filter((w) => w.to === null);
  if (open.length > 0) {
    const fixes = open.map((w) => w.fixedIn).filter((b): b is string => b !== null).sort(compareBuilds);
    const highest = fixes.at(-1);
    const exploited = open.filter((w) => w.exploitedInWild);
    const byFix = new Map<string, string[]>();
    for (const w of exploited) {
      const k = w.fixedIn ?? 'no fixed build known';
      byFix.set(k, [...(byFix.get(k) ?? []), `${w.cve}${w.name ? ` (${w.name})` : ''}`]);
    }
    steps.push({
      title: 'Patch Exchange',
      why: `The last build seen is still vulnerable to ${open.length} CVE${open.length === 1 ? '' : 's'}${exploited.length ? `, ${exploited.length} of them exploited in the wild` : ''}.`,
      items: [
        highest ? `Install build ${highest} or later (a supported CU with its latest Security Update) — it closes every open window found` : 'Install a supported CU with its latest Security Update',
        ...cap([...byFix].map(([fix, list]) => `${list.join(', ')}: fixed in ${fix}`), 10),
      ],
    });
  }

  const shellFiles = t.shellFiles.values;
  if (shellFiles.length > 0 || has('T1505.003')) {
    steps.push({
      title: 'Remove web shells and dropped files (after imaging)',
      why: 'Files matched web-shell signatures or indicators, or web-shell use was seen in the logs; a shell outlives patching.',
      items: shellFiles.length ? shellFiles : t.shellPaths.values,
    });
  }
  if (cves.has('CVE-2021-27065') || cves.has('CVE-2021-26858')) {
    steps.push({
      title: 'Reset tampered virtual directories',
      why: 'The file-write flaws abuse OAB/ECP virtual-directory settings; the malicious ExternalUrl may still be set.',
      items: ['Get-OabVirtualDirectory | fl Identity,ExternalUrl,InternalUrl — reset any value holding script', 'Check web.config files of the FrontEnd and ClientAccess folders for added handlers'],
    });
  }
  if (has('T1003')) {
    steps.push({
      title: 'Reset credentials',
      why: 'Credential dumping (e.g. LSASS memory) exposes every account logged on to the server.',
      items: ['All accounts that logged on to the server since the first finding, and service accounts used by Exchange', 'The krbtgt account twice (with replication time between) if domain administrators were exposed', 'The Exchange server computer account'],
    });
  }
  const exportsFound = (taken?.exports ?? []).filter((e) => e.kind === 'mailbox-export');
  if (exportsFound.length > 0 || has('T1114')) {
    steps.push({
      title: 'Remove mailbox exports and tell the owners',
      why: 'Mailbox exports or mail collection were seen: the mail in them must be treated as taken.',
      items: cap([
        'Get-MailboxExportRequest | Remove-MailboxExportRequest; remove the Mailbox Import Export role from accounts that do not need it',
        ...exportsFound.map((e) => `${e.mailbox ?? 'unknown mailbox'} → ${e.filePath ?? 'unknown file'} (${e.time ?? 'time unknown'})`),
      ]),
    });
  }
  if (taken && taken.mailboxes.length > 0) {
    steps.push({
      title: 'Review the mailboxes the attacker touched',
      why: 'Requests from the attacker\'s addresses or tools addressed these mailboxes.',
      items: cap([...new Set(taken.mailboxes.map((m) => m.target))]),
    });
  }
  // taken.json written before MessageTracking was read has no mail list.
  const forwards = (taken?.mail ?? []).filter((m) => m.why === 'mailbox-rule' || m.why === 'pickup');
  if (forwards.length > 0) {
    steps.push({
      title: 'Remove forwarding rules and check what left by mail',
      why: 'MessageTracking shows mail forwarded by inbox rules or dropped into the pickup folder; a rule planted by the attacker keeps sending mail out after the server is cleaned.',
      items: cap([
        'Get-InboxRule on each mailbox below (and Get-TransportRule): remove rules that forward, redirect or copy outside; check ForwardingSmtpAddress with Get-Mailbox',
        ...[...new Set(forwards.map((m) => `${m.sender ?? 'unknown sender'} → ${m.recipients.join(', ') || 'unknown recipient'} (${m.why === 'pickup' ? 'pickup folder' : 'inbox rule'})`))],
      ]),
    });
  }
  if (t.hasIps()) {
    steps.push({
      title: 'Block and hunt for the attacker\'s addresses',
      why: 'These client addresses appear in findings; block them at the edge and search other servers and proxies for them.',
      items: t.lowestIps(),
    });
  }
  if (cves.size > 0 && open.length === 0 && verdict.kind !== 'no-evidence') {
    steps.push({
      title: 'Confirm the fixes are installed',
      why: `Exploitation of ${[...cves].sort().join(', ')} was seen; the build evidence does not show an open window at the end, but verify with HealthChecker.`,
      items: [],
    });
  }
  if (steps.length === 0) {
    steps.push({ title: 'Keep Exchange current', why: 'Nothing calls for a specific action; stay on a supported CU with the latest Security Update and keep logs long enough to answer the next question.', items: [] });
  }
  return steps;
}
