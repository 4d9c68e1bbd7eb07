import { Command } from 'commander';
import { register } from '/work/main/src/cli/commands/exposure.ts';
let code = 0;
const p = new Command('exhunt').exitOverride();
register(p, { stdout: process.stdout, stderr: process.stderr, setExit: (c) => { code = Math.max(code, c); } });
for (const c of p.commands) c.exitOverride();
try { await p.parseAsync(process.argv.slice(2), { from: 'user' }); } catch (e) { code = 2; }
console.error('exit', code);
