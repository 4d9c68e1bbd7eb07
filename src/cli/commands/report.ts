// `exhunt report <findings.jsonl|DIR> [--out DIR]`: rebuilds report.html, the timelines, the ATT&CK layer and
// the STIX bundle from an earlier scan's findings.jsonl + summary.json (+ taken.json) without rescanning.
import type { Command } from 'commander';
import { dirname, join } from 'node:path';
import { statSync } from 'node:fs';
import { formatDiagnostic, HuntError, type Diagnostic } from '../../diagnostics.js';
import { loadScan, OrderedOutputs, REPORT_FILES, writeReports } from '../../reporters/index.js';
import { attackCatalog } from '../../attack/index.js';
import type { CommandContext } from '../context.js';

interface Options {
  out?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description('rebuild report.html, timeline.csv/.jsonl, attack-layer.json and stix.json from an earlier scan')
    .argument('<input>', "a scan's output folder, or its findings.jsonl (summary.json and taken.json are read beside it)")
    .option('--out <dir>', 'where to write the reports (default: beside the findings)')
    .addHelpText('after', '\nExit codes: 0 written, 1 written but some input lines were unreadable, 2 input not readable.')
    .action(async (input: string, opts: Options) => {
      const problems: Diagnostic[] = [];
      let outputs: OrderedOutputs | null = null;
      try {
        let outDir = opts.out;
        if (outDir === undefined) {
          let isDir = false;
          try {
            isDir = statSync(input).isDirectory();
          } catch {
            isDir = false;
          }
          outDir = isDir ? input : dirname(input);
        }
        // the timelines are written as the findings stream past, in order; the rest from the digest
        const out = (outputs = await OrderedOutputs.open(outDir, attackCatalog(), false));
        const scan = await loadScan(input, (d) => problems.push(d), (f, json) => out.write(f, json));
        for (const d of problems) ctx.stderr.write(formatDiagnostic(d) + '\n');
        const timelines = await out.close();
        const reports = await writeReports(outDir, scan.digest, scan.summary, scan.taken);
        for (const name of REPORT_FILES) if (timelines.includes(name) || reports.includes(name)) ctx.stdout.write(join(outDir, name) + '\n');
        if (problems.some((p) => p.location?.line !== undefined)) ctx.setExit(1);
      } catch (e) {
        outputs?.destroy();
        const code = (e as NodeJS.ErrnoException).code;
        if (!(e instanceof HuntError) && typeof code !== 'string') throw e;
        const err = e instanceof HuntError ? e : new HuntError('IO_ERROR', (e as Error).message);
        ctx.stderr.write(`exhunt report: ${formatDiagnostic(err.toDiagnostic())}\n`);
        ctx.setExit(2);
      }
    });
}
