// PLACEHOLDER to be replaced by the owner of the 'evtx' command.
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export function register(program: Command, ctx: CommandContext): void {
  program.command('evtx').description('(under construction)').action(() => {
    ctx.stderr.write('exhunt evtx: not built yet\n');
    ctx.setExit(2);
  });
}
