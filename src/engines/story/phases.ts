// The headline of a story step: what a finding means in the intrusion (a CVE exploited, a web shell, LSASS
// dumped...), and the tactic it belongs to. Specific CVEs and techniques first, the ATT&CK name as fallback.
import type { Finding } from '../../finding.js';
import type { AttackCatalog } from '../../attack/index.js';

const CVE_PHASES: [RegExp, string][] = [
  // later stages first: a finding tagged with the SSRF and the file write it carried is the file write
  [/CVE-2021-27065/, 'File written through ECP virtual-directory settings (CVE-2021-27065)'],
  [/CVE-2021-26858/, 'File written through the OAB generator (CVE-2021-26858)'],
  [/CVE-2021-26857/, 'Code run in the Unified Messaging service (CVE-2021-26857)'],
  [/CVE-2021-26855/, 'Initial access through the ProxyLogon SSRF (CVE-2021-26855)'],
  [/CVE-2021-31207/, 'Web shell written through a mailbox export (CVE-2021-31207, ProxyShell)'],
  [/CVE-2021-34523/, 'Exchange PowerShell reached as an administrator (CVE-2021-34523, ProxyShell)'],
  [/CVE-2021-34473/, 'Initial access through the ProxyShell path confusion (CVE-2021-34473)'],
  [/CVE-2022-41080/, 'OWASSRF exploitation (CVE-2022-41080)'],
  [/CVE-2022-(?:41040|41082)/, 'ProxyNotShell exploitation'],
];
const TECHNIQUE_PHASES: [RegExp, string][] = [
  [/^T1003\.001$/, 'LSASS memory dumped'],
  [/^T1003/, 'Credentials dumped'],
  [/^T1560/, 'Data archived for exfiltration'],
  [/^T1114/, 'Mail collected'],
  [/^T1136/, 'Account created'],
  [/^T1098/, 'Account permissions changed'],
  [/^T1070|^T1685\.00[56]/, 'Traces removed'],
  [/^T1105/, 'Tools transferred to the server'],
  [/^T1059/, 'Commands run on the server'],
  [/^T1190$/, 'Public-facing application exploited'],
  [/^T1087|^T1018|^T1016|^T1033|^T1082/, 'Discovery on the server'],
  [/^T1567|^T1041|^T1048/, 'Data exfiltrated'],
];

const FILE_ENGINES = new Set(['yara', 'ioc', 'file']);

export interface Phase {
  headline: string;
  /** Tactic shortname (v19) the step is filed under, null when the finding has no technique. */
  tactic: string | null;
  /** The technique the tactic was taken from. */
  technique: string | null;
}

export function phaseOf(f: Finding, catalog: AttackCatalog): Phase {
  const techs = f.attack.map((t) => catalog.resolve(t) ?? t);
  // The tactic of the technique furthest along the chain for web shells (a shell is persistence even when
  // tagged execution too), otherwise the earliest: an exploit tagged T1190 is initial access.
  const ordered = [...techs].sort((a, b) => catalog.firstTacticIndex(a) - catalog.firstTacticIndex(b));
  const primary = ordered.find((t) => t === 'T1505.003') ?? ordered[0] ?? null;
  const tech = primary ? catalog.technique(primary) : undefined;
  const tactic = tech ? [...tech.tactics].sort((a, b) => catalog.tacticIndex(a) - catalog.tacticIndex(b))[0] ?? null : null;

  const cves = f.cves.join(' ');
  // a file engine may also report a log line (a request to a shell it found): that is use, whatever CVE dropped the shell
  const onDisk = FILE_ENGINES.has(f.engine) && !/^(?:iis-|exchange-|evtx|json)/.test(f.evidence.kind);
  if (techs.includes('T1505.003') && FILE_ENGINES.has(f.engine) && !onDisk) return { headline: 'Web shell used', tactic: 'persistence', technique: 'T1505.003' };
  if (f.cves.length > 0 && tactic === 'reconnaissance') return { headline: `Probing for ${f.cves.join(', ')}`, tactic, technique: primary };
  for (const [re, h] of CVE_PHASES) if (re.test(cves)) return { headline: h, tactic: tactic ?? 'initial-access', technique: primary };
  if (techs.includes('T1505.003')) {
    return { headline: onDisk ? 'Web shell found on disk' : 'Web shell used', tactic: 'persistence', technique: 'T1505.003' };
  }
  for (const t of ordered) for (const [re, h] of TECHNIQUE_PHASES) if (re.test(t)) return { headline: h, tactic, technique: primary };
  if (tech) return { headline: tech.name, tactic, technique: primary };
  return { headline: f.rule.title, tactic, technique: primary };
}
