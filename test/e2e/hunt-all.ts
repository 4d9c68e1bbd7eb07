// Test support: hunt() with its findings gathered into an array (the library streams them; tests are small).
import { hunt, type HuntOptions, type HuntResult } from '../../src/hunt.js';
import type { Finding } from '../../src/finding.js';

export async function huntAll(opts: HuntOptions): Promise<HuntResult & { findings: Finding[] }> {
  const findings: Finding[] = [];
  const r = await hunt({ ...opts, onFinding: (f) => void findings.push(f) });
  return { ...r, findings };
}
