// The thin shell: argv -> subcommand -> exit code. Each subcommand lives in commands/<name>.ts
// and registers itself on the commander program; usage errors become exit code 2.
import { Command, CommanderError } from 'commander';
import type { CommandContext } from './context.js';
import { register as registerScan } from './commands/scan.js';
import { register as registerRules } from './commands/rules.js';
import { register as registerEvtx } from './commands/evtx.js';
import { register as registerExposure } from './commands/exposure.js';
import { register as registerReport } from './commands/report.js';
import { register as registerIngest } from './commands/ingest.js';
import { register as registerFleet } from './commands/fleet.js';
import { register as registerHunt } from './commands/hunt.js';
import { versionText } from './version.js';

export async function main(argv: string[], io?: Partial<CommandContext>): Promise<number> {
  let exitCode = 0;
  const ctx: CommandContext = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    setExit: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  const program = new Command('exhunt')
    .description('Offline compromise assessment and threat hunting for Microsoft Exchange servers')
    // Not commander's .version(): the text names the rule packs and data too, read only when asked for.
    .option('-V, --version', 'print the version of exhunt, its rule packs, ATT&CK data and build catalogue')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .showHelpAfterError('(run exhunt --help or exhunt <command> --help)');
  registerScan(program, ctx);
  registerRules(program, ctx);
  registerEvtx(program, ctx);
  registerExposure(program, ctx);
  registerReport(program, ctx);
  registerIngest(program, ctx);
  registerFleet(program, ctx);
  registerHunt(program, ctx);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  let versionAsked = false;
  program.on('option:version', () => {
    versionAsked = true;
    // commander runs the option's listener while parsing; stop before any subcommand does.
    throw new CommanderError(0, 'commander.version', 'version');
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (versionAsked && e.code === 'commander.version') {
        const { text, complete } = await versionText();
        ctx.stdout.write(text);
        if (complete) return 0;
        ctx.stderr.write('exhunt: this installation lacks files it ships with (MISSING above): reinstall exhunt\n');
        return 3;
      }
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    ctx.stderr.write(`exhunt: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 3;
  }
  return exitCode;
}
