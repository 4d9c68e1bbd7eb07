// Extended Protection in IIS applicationHost.config: the configuration that closes CVE-2024-21410 (and the 2022 EP
// CVEs) on a build that supports it (research §3.3/§3.4). Reads the tokenChecking value of each Exchange location.

export interface ExtendedProtectionState {
  /** Exchange locations ("Default Web Site/ecp", "Exchange Back End/EWS", ...) -> tokenChecking value. */
  locations: Record<string, string>;
  /** Locations with tokenChecking Require or Allow. */
  enabled: number;
  total: number;
}

const EXCHANGE_SITE = /^(?:Default Web Site|Exchange Back End)\//i;

export function readExtendedProtection(xml: string): ExtendedProtectionState | null {
  const locations: Record<string, string> = {};
  for (const m of xml.matchAll(/<location\b[^>]*?\bpath\s*=\s*"([^"]*)"[^>]*>([\s\S]*?)<\/location>/gi)) {
    const path = m[1]!;
    if (!EXCHANGE_SITE.test(path)) continue;
    const ep = /<extendedProtection\b[^>]*?\btokenChecking\s*=\s*"(\w+)"/i.exec(m[2]!);
    if (ep) locations[path] = ep[1]!;
  }
  const values = Object.values(locations);
  if (values.length === 0) return null;
  return { locations, enabled: values.filter((v) => /^(require|allow)$/i.test(v)).length, total: values.length };
}
