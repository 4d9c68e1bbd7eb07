// `exhunt rules check <file|dir>... [--json]`: compile every Sigma rule found, print each problem with
// file:line, end with "N loaded, M failed"; exit 0 when nothing failed, 1 otherwise.
import type { Command } from 'commander';
import { loadSigma } from '../../engines/sigma/index.js';
import type { CommandContext } from '../context.js';

interface CheckOptions {
  json?: boolean;
  placeholders?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const rules = program.command('rules').description('work with Sigma rules');
  rules
    .command('check')
    .description('compile every Sigma rule in the given files and folders and report each problem')
    .argument('<paths...>', 'rule files or folders (searched recursively for *.yml and *.yaml)')
    .option('--json', 'print one JSON object {loaded, failed, problems}')
    .option('--placeholders <file>', 'YAML map of placeholder name → values for |expand')
    .action(async (paths: string[], opts: CheckOptions) => {
      const res = await loadSigma(paths, opts.placeholders ? { placeholdersFile: opts.placeholders } : {});
      if (opts.json) {
        const problems = res.problems.map((p) => ({ path: p.location?.path ?? null, line: p.location?.line ?? null, message: `${p.severity}[${p.code}]: ${p.message}` }));
        ctx.stdout.write(JSON.stringify({ loaded: res.loaded, failed: res.failed, problems }) + '\n');
      } else {
        for (const p of res.problems) {
          const where = p.location?.path !== undefined ? `${p.location.path}${p.location.line !== undefined ? `:${p.location.line}` : ''}: ` : '';
          ctx.stdout.write(`${where}${p.severity}[${p.code}]: ${p.message}\n`);
        }
        if (res.inactive.length > 0) {
          ctx.stderr.write(`${res.inactive.length} loaded rule(s) can never fire (placeholders without values, or no event source for their logsource)\n`);
        }
        ctx.stdout.write(`${res.loaded} loaded, ${res.failed} failed\n`);
      }
      ctx.setExit(res.failed === 0 ? 0 : 1);
    });
}
