// Checks the house rule "data flows one way" on the compiled-from sources: engines/ never import
// reporters/, stores/ or cli/; readers/ never import engines/; other folders enter a folder through its index.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const src = join(root, 'src');
const forbidden = [
  ['engines', ['reporters', 'stores', 'cli']],
  ['readers', ['engines', 'reporters', 'stores', 'cli']],
  ['evidence', ['engines', 'reporters', 'stores', 'cli']],
  ['normalize', ['engines', 'reporters', 'stores', 'cli']],
  ['attack', ['reporters', 'stores', 'cli']],
  ['reporters', ['cli', 'stores']],
];
function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}
const top = (p) => relative(src, p).split(sep)[0];
let problems = 0;
for (const file of walk(src)) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(file), spec);
    const from = top(file);
    const to = top(target);
    for (const [f, bad] of forbidden) {
      if (from === f && bad.includes(to)) {
        console.error(`boundary: ${relative(root, file)} imports ${spec} (${f}/ must not import ${to}/)`);
        problems++;
      }
    }
  }
}
if (problems > 0) {
  console.error(`check-boundaries: ${problems} violation(s)`);
  process.exit(1);
}
console.log('check-boundaries: import boundaries respected');
