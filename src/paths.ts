// Locations of the project's own data (rules/, data files) and of ../shared, independent of
// whether code runs from src/ (tsx) or dist/src/ (compiled).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'rules'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('exhunt: cannot find the project root (package.json + rules/)');
    dir = up;
  }
}

/** The project root (holds package.json and rules/). */
export const projectRoot: string = findRoot();
/** exhunt's own rule packs and data files. */
export const rulesDir: string = join(projectRoot, 'rules');
/** ../shared beside the project (may be absent; tests skip, saying so). EXHUNT_SHARED overrides. */
export const sharedDir: string = process.env['EXHUNT_SHARED'] ? resolve(process.env['EXHUNT_SHARED']) : resolve(projectRoot, '..', 'shared');
export const hasShared: boolean = existsSync(join(sharedDir, 'sigma', 'regression_manifest.json'));
