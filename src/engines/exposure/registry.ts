// Exchange build facts in exported registry text (.reg, UTF-16 or UTF-8): the Setup key's MSI version
// (CU level) and installed updates under Microsoft\Updates\Exchange 20xx (PackageName, InstalledDate).

export interface RegistryFacts {
  /** "15.1.2176" from MsiProductMajor/Minor + MsiBuildMajor (CU level; MsiBuildMinor does not move with SUs). */
  setupBuild: { text: string; line: number } | null;
  updates: { kb: string; product: string | null; cu: string | null; installed: string | null; packageName: string; line: number }[];
}

/** Text files of a collection (.reg exports, XML configs): UTF-16LE with BOM, else UTF-8 (BOM dropped). */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.subarray(2)).toString('utf16le');
  const s = Buffer.from(bytes).toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

function regValue(raw: string): string | number | null {
  const t = raw.trim();
  const dw = /^dword:([0-9a-f]{1,8})$/i.exec(t);
  if (dw) return parseInt(dw[1]!, 16);
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return t.slice(1, -1).replace(/\\\\/g, '\\').replace(/\\"/g, '"');
  return null;
}

/** "3/5/2021" or "20210305" (InstalledDate) -> "2021-03-05T00:00:00.000Z". */
function installedDate(s: string): string | null {
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s.trim());
  if (m) return iso(+m[3]!, +m[1]!, +m[2]!);
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s.trim());
  if (m) return iso(+m[1]!, +m[2]!, +m[3]!);
  return null;
}
function iso(y: number, mo: number, d: number): string | null {
  const t = Date.UTC(y, mo - 1, d);
  const dt = new Date(t);
  return dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d ? dt.toISOString() : null;
}

/** Line-by-line .reg parser (state: the current key and its values), so large exports stream with flat memory. */
export class RegExportParser {
  readonly facts: RegistryFacts = { setupBuild: null, updates: [] };
  private key = '';
  private keyLine = 0;
  private vals: Record<string, string | number> = {};
  private lineNo = 0;

  line(raw: string): void {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('[')) {
      this.flush();
      this.key = line.replace(/^\[-?|\]\s*$/g, '');
      this.keyLine = this.lineNo;
      this.vals = {};
      return;
    }
    const m = /^"((?:[^"\\]|\\.)*)"=(.*)$/.exec(line);
    if (m) {
      const v = regValue(m[2]!);
      if (v !== null) this.vals[m[1]!] = v;
    }
  }

  end(): RegistryFacts {
    this.flush();
    this.key = '';
    return this.facts;
  }

  private flush(): void {
    const { key, vals, facts } = this;
    if (/\\Microsoft\\ExchangeServer\\v15\\Setup$/i.test(key)) {
      const [a, b, c] = [vals['MsiProductMajor'], vals['MsiProductMinor'], vals['MsiBuildMajor']];
      if (typeof a === 'number' && typeof b === 'number' && typeof c === 'number' && c > 0) facts.setupBuild = { text: `${a}.${b}.${c}`, line: this.keyLine };
    }
    const up = /\\Microsoft\\Updates\\(Exchange (?:2013|2016|2019))\\/i.exec(key);
    const pkg = vals['PackageName'];
    if (up && typeof pkg === 'string') {
      const kb = /\bKB(\d{6,7})\b/i.exec(pkg) ?? /\bKB(\d{6,7})\b/i.exec(key);
      const cu = /Cumulative Update (\d+)/i.exec(pkg);
      const when = vals['InstalledDate'];
      if (kb) {
        facts.updates.push({
          kb: `KB${kb[1]}`,
          product: /Exchange Server (2013|2016|2019)/i.exec(pkg)?.[1] ?? up[1]!.slice(-4),
          cu: cu ? `CU${cu[1]}` : null,
          installed: typeof when === 'string' ? installedDate(when) : null,
          packageName: pkg,
          line: this.keyLine,
        });
      }
    }
  }
}

export function parseRegExport(text: string): RegistryFacts {
  const p = new RegExportParser();
  for (const line of text.split('\n')) p.line(line);
  return p.end();
}
