// Evidence lists for tests and the benchmark: walks a folder the way discovery does (no links followed)
// and labels IIS logs, so the file scanner can be exercised without the evidence/ discovery code.
import { readdirSync, lstatSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Evidence } from '../../evidence/evidence.js';

export function evidenceUnder(rootDir: string): Evidence[] {
  const root = resolve(rootDir);
  const out: Evidence[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const st = lstatSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile() || st.isSymbolicLink()) {
        const path = relative(root, abs).split(sep).join('/');
        const kind = /\/W3SVC\d+\/u_ex\d+\.log$/i.test(path) ? 'iis-w3c' : 'file';
        out.push({ absPath: abs, path, root, kind, size: st.size, mtime: st.mtime.toISOString() });
      }
    }
  };
  walk(root);
  return out;
}
