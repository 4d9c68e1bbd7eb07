// Mitigation traces in inetpub/wwwroot/web.config: the IIS URL Rewrite rules that EOMT, EOMTv2 and the
// Exchange Emergency Mitigation Service (EEMS) install (research §1.7, §2.2). Names are matched, not the whole XML parsed.

export interface RewriteMitigation {
  name: string;
  /** The rule name(s) found. */
  rules: string[];
  cves: string[];
  detail: string;
}

interface Known {
  test: (rule: string) => boolean;
  name: string;
  cves: string[];
  detail: string;
}

const KNOWN: Known[] = [
  {
    test: (r) => /^X-(?:AnonResource-Backend|BEResource) Abort - inbound$/i.test(r),
    name: 'EOMT',
    cves: ['CVE-2021-26855'],
    detail: 'EOMT URL Rewrite rules aborting requests with X-AnonResource-Backend / X-BEResource cookies (ProxyLogon SSRF mitigation)',
  },
  {
    test: (r) => /^EEMS M\d+(?:\.\d+)? /i.test(r),
    name: 'EEMS',
    cves: ['CVE-2022-41040'],
    detail: 'Exchange Emergency Mitigation Service URL Rewrite rule blocking autodiscover + powershell requests (ProxyNotShell mitigation)',
  },
  {
    test: (r) => /^PowerShell - inbound$/i.test(r),
    name: 'EOMTv2',
    cves: ['CVE-2022-41040'],
    detail: 'EOMTv2 URL Rewrite rule blocking autodiscover + powershell requests (ProxyNotShell mitigation)',
  },
];

// The first, bypassable ProxyNotShell rewrite pattern published in September 2022 (research §2.2).
const EARLY_PATTERN = /autodiscover\\?\.json\.\*\\?@\.\*powershell/i;

/** Mitigations whose rewrite rules appear in a web.config text. Damaged XML is fine: only rule names are read. */
export function findRewriteMitigations(xml: string): RewriteMitigation[] {
  const found = new Map<string, RewriteMitigation>();
  for (const m of xml.matchAll(/<rule\b[^>]*?\bname\s*=\s*("([^"]*)"|'([^']*)')/gi)) {
    const rule = (m[2] ?? m[3] ?? '').trim();
    const k = KNOWN.find((x) => x.test(rule));
    if (!k) continue;
    const prev = found.get(k.name);
    if (prev) prev.rules.push(rule);
    else found.set(k.name, { name: k.name, rules: [rule], cves: k.cves, detail: k.detail });
  }
  if (EARLY_PATTERN.test(xml) && !found.has('EEMS') && !found.has('EOMTv2')) {
    found.set('ProxyNotShell manual rewrite', {
      name: 'ProxyNotShell manual rewrite',
      rules: [],
      cves: ['CVE-2022-41040'],
      detail: 'URL Rewrite rule with the first published ProxyNotShell pattern (.*autodiscover\\.json.*\\@.*Powershell.*), which was bypassable',
    });
  }
  return [...found.values()];
}
