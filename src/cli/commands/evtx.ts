// `exhunt evtx dump <file> [--format jsonl|xml]`: every record of one EVTX file as evtx_dump-style JSON Lines
// or XML, diagnostics on stderr; exit 0 clean, 1 damage reported, 2 unreadable or usage error.

import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../../diagnostics.js';
import { readEvtxTrees, toEvtxJson, toXml } from '../../readers/evtx/index.js';
import type { CommandContext } from '../context.js';

async function write(out: NodeJS.WritableStream, s: string): Promise<void> {
  if (!out.write(s)) await new Promise<void>((res) => out.once('drain', () => res()));
}

async function dump(file: string, format: 'jsonl' | 'xml', ctx: CommandContext): Promise<void> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (e) {
    ctx.stderr.write(`exhunt evtx: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}\n`);
    ctx.setExit(2);
    return;
  }
  let problems = 0;
  let headerBad = false;
  let ioError = false;
  let records = 0;
  const sink = (d: Diagnostic): void => {
    if (d.severity !== 'info') problems++;
    if (d.code === 'EVTX_BAD_FILE_HEADER' && d.severity === 'error') headerBad = true;
    if (d.code === 'IO_ERROR') ioError = true;
    ctx.stderr.write(formatDiagnostic(d) + '\n');
  };
  if (format === 'xml') await write(ctx.stdout, '<?xml version="1.0" encoding="utf-8"?>\n<Events>\n');
  let out = '';
  for await (const t of readEvtxTrees(file, file, size, sink)) {
    records++;
    out += format === 'xml' ? toXml(t.root) + '\n' : JSON.stringify(toEvtxJson(t.root)) + '\n';
    if (out.length > 1 << 20) {
      await write(ctx.stdout, out);
      out = '';
    }
  }
  if (format === 'xml') out += '</Events>\n';
  if (out) await write(ctx.stdout, out);
  if (ioError || (headerBad && records === 0)) ctx.setExit(2);
  else if (problems > 0) ctx.setExit(1);
}

export function register(program: Command, ctx: CommandContext): void {
  const evtx = program.command('evtx').description('Windows event log (.evtx) tools');
  evtx
    .command('dump')
    .description('print every record of an EVTX file as evtx_dump-style JSON Lines or XML')
    .argument('<file>', 'the .evtx file (opened read-only)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['jsonl', 'xml']).default('jsonl'))
    .action(async (file: string, opts: { format: 'jsonl' | 'xml' }) => {
      await dump(file, opts.format, ctx);
    });
}
