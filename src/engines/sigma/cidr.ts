// CIDR ranges for the `|cidr` modifier: IPv4 and IPv6 (including `::` compression and an embedded
// IPv4 tail), parsed into bytes once; event values that are not addresses never match.

export interface Cidr {
  readonly bytes: Uint8Array;
  readonly bits: number;
}

export function parseIp(text: string): Uint8Array | null {
  const s = text.trim();
  if (s.includes(':')) return parseV6(s.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  return parseV4(s);
}

function parseV4(s: string): Uint8Array | null {
  const p = s.split('.');
  if (p.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(p[i]!)) return null;
    const n = Number(p[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const g = parts[i]!;
      if (i === parts.length - 1 && g.includes('.')) {
        const v4 = parseV4(g);
        if (!v4) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const a = groups(halves[0]!);
  const b = halves.length === 2 ? groups(halves[1]!) : [];
  if (!a || !b) return null;
  const fill = 8 - a.length - b.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return null;
  const all = [...a, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...b];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return null;
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  const bits = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return null;
  return { bytes, bits };
}

export function cidrContains(c: Cidr, ip: Uint8Array): boolean {
  if (ip.length !== c.bytes.length) return false;
  const full = c.bits >> 3;
  for (let i = 0; i < full; i++) if (ip[i] !== c.bytes[i]) return false;
  const rest = c.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[full]! & mask) === (c.bytes[full]! & mask);
}
