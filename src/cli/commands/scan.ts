// `exhunt scan <path>...`: argv → hunt() → findings on stdout (--jsonl) or in --out DIR, a summary
// on the terminal, and the exit code (0 clean, 1 findings at or above --min-level, 2 usage/unreadable).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { hunt, type HuntOptions, type HuntResult, type OrderedParts, type PlacedParts } from '../../hunt.js';
import { HuntError, formatDiagnostic } from '../../diagnostics.js';
import { LEVELS, isLevel, type Level } from '../../finding.js';
import { buildModel, copyFileTo, hostsIndexHtml, OrderedOutputs, writeReports, type HostRow, type TimelineLines } from '../../reporters/index.js';
import { splitCollections, type Collection } from './collections.js';
import { attackCatalog } from '../../attack/index.js';
import { parseTrustedProxy } from '../../normalize/index.js';
import { printDiagnostic, progressView, colourAllowed } from '../terminal.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** '2021-03-01' or any ISO 8601 date-time → UTC ISO string; rejects anything else. */
export function parseWhen(value: string): string {
  const s = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) {
    throw new InvalidArgumentError(`'${value}' is not a date (use 2021-03-01 or 2021-03-01T12:00:00Z)`);
  }
  const withZone = /[T ]\d{2}:\d{2}/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(' ', 'T') + 'Z' : s;
  const d = new Date(withZone);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`'${value}' is not a valid date`);
  return d.toISOString();
}

function parseSize(value: string): number {
  const m = /^(\d+)\s*([kmg]i?b?)?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`'${value}' is not a size (e.g. 64M, 1G, 500000)`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(m[1]) * mult;
}

/** --trusted-proxy: an address or CIDR, checked here so that a typo stops the scan before it starts. */
function collectProxy(value: string, previous: string[]): string[] {
  try {
    return [...previous, parseTrustedProxy(value)];
  } catch (e) {
    if (e instanceof HuntError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

export function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new InvalidArgumentError(`'${value}' is not a worker count (0-64)`);
  return n;
}

interface ScanFlags {
  sigma: string[];
  builtinRules: boolean;
  placeholders?: string;
  /** false with --no-rule-cache. */
  ruleCache: boolean;
  yara: string[];
  iocs: string[];
  maxFileSize: number;
  jsonl?: boolean;
  out?: string;
  minLevel: Level;
  since?: string;
  until?: string;
  workers?: number;
  rangeSize?: number;
  trustedProxy: string[];
  password?: string;
  quiet?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('scan')
    .description('Scan a triage collection (KAPE, Velociraptor or plain folder) or single files for Exchange compromise')
    .argument('<path...>', 'folders and files to scan (read-only)')
    .option('--sigma <file|dir>', 'add Sigma rules (repeatable)', collect, [])
    .option('--no-builtin-rules', "run only the rules given with --sigma/--yara/--iocs, not exhunt's own packs")
    .option('--placeholders <file>', 'YAML file with values for Sigma |expand placeholders')
    .option('--no-rule-cache', 'compile the Sigma rules without reading or writing the rule cache')
    .option('--yara <file|dir>', 'add YARA rules (repeatable)', collect, [])
    .option('--iocs <file>', 'add a Loki-format IOC list (repeatable)', collect, [])
    .option('--max-file-size <size>', 'content-scan limit per file', parseSize, 64 * 1024 * 1024)
    .option('--jsonl', 'print one finding per line (JSON) on stdout')
    .option('--out <dir>', 'write findings.jsonl, summary.json, the report and exports into DIR')
    .addOption(
      new Option('--min-level <level>', 'report findings at or above this level')
        .choices([...LEVELS])
        .default('medium'),
    )
    .option('--since <date>', 'only events at or after this time (UTC)', parseWhen)
    .option('--until <date>', 'only events at or before this time (UTC)', parseWhen)
    .option('--trusted-proxy <cidr>', 'a balancer or reverse proxy in front of the server (address or CIDR, repeatable): its forwarded header names the client', collectProxy, [])
    .option('--workers <n>', 'worker threads that read and match the logs; 0: all in the main thread (default: the number of cores)', parseWorkers)
    // For tests and benchmarks: text logs bigger than this are read in byte ranges of about this size.
    .addOption(new Option('--range-size <size>', 'byte range per job for big text logs').argParser(parseSize).hideHelp())
    .option('--password <password>', 'password of encrypted ZIP collections (AES or ZipCrypto; safer: EXHUNT_ARCHIVE_PASSWORD, which ps does not show); never echoed')
    .option('-q, --quiet', 'no progress and no summary on the terminal')
    .action(async (paths: string[], flags: ScanFlags) => {
      ctx.setExit(await runScan(paths, flags, ctx));
    });
}

/**
 * Several collections (archives, KAPE or Velociraptor folders, plain folders from distinct hosts): one scan each,
 * so verdict, story, exposure and "what was taken" are per host. With --out each goes into its own folder, and
 * index.html lists them with their hosts and verdicts; with --jsonl each one's findings follow the previous one's.
 * The exit code is the worst one.
 */
async function runPerCollection(groups: Collection[], flags: ScanFlags, ctx: CommandContext): Promise<number> {
  const rows: HostRow[] = [];
  let exit = 0;
  for (const g of groups) {
    if (!flags.quiet) ctx.stderr.write(`\nexhunt: collection ${g.name} (${g.inputs.join(', ')})\n`);
    let row: HostRow = { name: g.name, inputs: g.inputs, verdictKind: 'not-scanned', headline: 'Not scanned: nothing readable (see the diagnostics above)', findings: 0, scanned: false, host: null };
    const code = await runScan(g.inputs, { ...flags, ...(flags.out ? { out: join(flags.out, g.name) } : {}) }, ctx, (r) => {
      const v = buildModel(r.digest, r.summary, r.taken).verdict;
      // the host of the collection holding the most files (a staged archive inside it is not another host)
      const main = [...(r.summary.hosts ?? [])].filter((h) => h.host !== null).sort((a, b) => b.files - a.files)[0]?.host ?? null;
      row = { ...row, verdictKind: v.kind, headline: v.headline, findings: r.summary.counts.findings, scanned: true, host: main ? { name: main.name, source: main.source } : null };
    });
    rows.push(row);
    exit = Math.max(exit, code);
  }
  if (flags.out) await writeFile(join(flags.out, 'index.html'), hostsIndexHtml(rows));
  if (!flags.quiet) {
    ctx.stderr.write(`\n${rows.length} collections, one verdict each${flags.out ? ` (${join(flags.out, 'index.html')})` : ''}:\n`);
    for (const r of rows) ctx.stderr.write(`  ${r.name}${r.host && r.host.name !== r.name ? ` [host ${r.host.name}]` : ''}: ${r.headline} (${r.findings} findings)\n`);
  }
  return exit;
}

async function runScan(paths: string[], flags: ScanFlags, ctx: CommandContext, onResult?: (r: HuntResult) => void): Promise<number> {
  if (!isLevel(flags.minLevel)) return 2;
  if (!onResult) {
    const groups = await splitCollections(paths, flags.password ?? process.env['EXHUNT_ARCHIVE_PASSWORD'] ?? null);
    if (groups) return runPerCollection(groups, flags, ctx);
  }
  const progress = flags.quiet ? { update: () => undefined, stop: () => undefined } : progressView(ctx.stderr);
  let result: HuntResult;
  let shownDiagnostics = 0;
  // The ordered outputs are written as hunt() streams the findings out, in order, at the end of the scan.
  let outputs: OrderedOutputs | null = null;
  const stdout = ctx.stdout;
  const toStdout = async (text: string | Buffer): Promise<void> => {
    if (!stdout.write(text)) await once(stdout, 'drain');
  };
  try {
    if (flags.out) outputs = await OrderedOutputs.open(flags.out, attackCatalog(), true);
    result = await hunt({
      inputs: paths,
      sigma: flags.sigma,
      builtinRules: flags.builtinRules,
      ...(flags.placeholders !== undefined ? { placeholdersFile: flags.placeholders } : {}),
      ruleCache: flags.ruleCache,
      yara: flags.yara,
      iocs: flags.iocs,
      maxFileSize: flags.maxFileSize,
      minLevel: flags.minLevel,
      since: flags.since ?? null,
      until: flags.until ?? null,
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
      ...(flags.rangeSize !== undefined ? { rangeBytes: flags.rangeSize } : {}),
      trustedProxies: flags.trustedProxy,
      archivePassword: flags.password ?? process.env['EXHUNT_ARCHIVE_PASSWORD'] ?? null,
      // The lines come rendered from where the findings were made: no finding is parsed again here.
      timelines: outputs !== null,
      ...(outputs || flags.jsonl ? orderedSinks(outputs, flags.jsonl === true, toStdout) : {}),
      onProgress: (p) => progress.update(p),
      onDiagnostic: (d) => {
        // Errors and warnings are shown as they happen (first 50); all are counted in the summary.
        if (flags.quiet || d.severity === 'info' || shownDiagnostics >= 50) return;
        shownDiagnostics++;
        progress.stop();
        printDiagnostic(ctx.stderr, d);
      },
    });
  } catch (e) {
    progress.stop();
    outputs?.destroy();
    if (e instanceof HuntError) {
      ctx.stderr.write(`exhunt scan: ${formatDiagnostic(e.toDiagnostic())}\n`);
      return 2;
    }
    throw e;
  }
  progress.stop();
  onResult?.(result);
  const written = flags.out && outputs ? await writeOut(flags.out, result, outputs) : [];
  if (!flags.quiet) printSummary(ctx, result, flags, shownDiagnostics, written);
  return result.summary.counts.findings > 0 ? 1 : 0;
}

/**
 * Where exhunt scan's ordered lines go: the output files and stdout (--jsonl). A scan merged by ranges on threads
 * writes each range's stretch into the output files in place (PlacedParts: stdout gets it from there once the range
 * is done), or, without output files, gives them as files of their own (OrderedParts), appended as bytes — stdout
 * first, for appending may move a part into place.
 */
export function orderedSinks(
  outputs: OrderedOutputs | null,
  jsonl: boolean,
  toStdout: (text: string | Buffer) => Promise<void>,
): Pick<HuntOptions, 'onFindingLines' | 'onOrderedParts' | 'orderedFiles'> {
  return {
    onFindingLines: async (json: string, lines: TimelineLines | null) => {
      if (outputs && lines) await outputs.writeLines(json, lines);
      if (jsonl) await toStdout(json + '\n');
    },
    onOrderedParts: async (parts: OrderedParts | PlacedParts) => {
      if ('placed' in parts) {
        if (jsonl && parts.findings) await copyFileTo(parts.findings.path, toStdout, parts.findings.at, parts.findings.at + parts.findings.bytes);
        outputs?.placed(parts);
        return;
      }
      if (jsonl) await copyFileTo(parts.findings, toStdout);
      if (outputs) await outputs.appendParts(parts);
    },
    ...(outputs ? { orderedFiles: () => outputs.targets() } : {}),
  };
}

async function writeOut(dir: string, r: HuntResult, outputs: OrderedOutputs): Promise<string[]> {
  const ordered = await outputs.close();
  await writeFile(join(dir, 'summary.json'), JSON.stringify(r.summary, null, 2) + '\n');
  if (r.taken) await writeFile(join(dir, 'taken.json'), JSON.stringify(r.taken, null, 2) + '\n');
  const reports = await writeReports(dir, r.digest, r.summary, r.taken);
  return [...ordered, 'summary.json', ...(r.taken ? ['taken.json'] : []), ...reports];
}

const LEVEL_COLOUR: Record<Level, string> = {
  informational: '\u001b[2m',
  low: '\u001b[36m',
  medium: '\u001b[33m',
  high: '\u001b[31m',
  critical: '\u001b[1;31m',
};

function printSummary(ctx: CommandContext, r: HuntResult, flags: ScanFlags, shownDiagnostics: number, written: string[]): void {
  const w = (s: string): void => void ctx.stderr.write(s + '\n');
  const c = colourAllowed(ctx.stderr);
  const paint = (l: Level, s: string): string => (c ? `${LEVEL_COLOUR[l]}${s}\u001b[0m` : s);
  const s = r.summary;
  w('');
  w(`exhunt ${s.tool.version}: ${s.files.total} files (${(s.files.bytes / 1048576).toFixed(1)} MB), ${s.events.total} events, ` +
    `${s.rules.sigma.loaded} Sigma rules` + (s.rules.yara ? `, ${s.rules.yara.loaded} YARA rules` : '') + (s.files.skipped.length ? `, ${s.files.skipped.length} files skipped` : ''));
  const kinds = Object.entries(s.files.byKind).map(([k, v]) => `${k} ${v.files}`).join(', ');
  if (kinds) w(`  evidence: ${kinds}`);
  for (const b of s.exposure?.builds ?? []) {
    w(`  build: ${b.build}${b.product ? ` (${b.product}${b.cu ? ' ' + b.cu : ''}${b.su ? ' ' + b.su : ''})` : ''}${b.first ? ` seen ${b.first.slice(0, 10)}..${(b.last ?? b.first).slice(0, 10)}` : ''}${b.guessed ? ' [nearest known build]' : ''}`);
  }
  for (const line of s.clients?.statements ?? []) w(`  clients: ${line}`);
  if (s.counts.findings === 0) w(`  no findings at or above ${flags.minLevel}`);
  else {
    w(`  findings at or above ${flags.minLevel}: ${s.counts.findings}`);
    for (const rule of s.counts.byRule.slice(0, 25)) {
      w(`    ${paint(rule.level, rule.level.padEnd(8))} ${String(rule.count).padStart(6)}  ${rule.title}`);
    }
    if (s.counts.byRule.length > 25) w(`    … and ${s.counts.byRule.length - 25} more rules (see --out)`);
  }
  if (s.rules.sigma.failed > 0) w(`  rules: ${s.rules.sigma.failed} Sigma rules failed to load (see diagnostics; exhunt rules check lists them)`);
  if (s.rules.sigma.inactive > 0) w(`  rules: ${s.rules.sigma.inactive} Sigma rules loaded but inactive (e.g. placeholders without values: use --placeholders FILE); listed in summary.json`);
  for (const warning of s.coverageWarnings) w(`  coverage: ${warning}`);
  if (s.diagnostics.total > 0) {
    w(`  diagnostics: ${s.diagnostics.total} (${Object.entries(s.diagnostics.byCode).map(([k, v]) => `${k} ${v}`).join(', ')})` +
      (s.diagnostics.total > shownDiagnostics ? '; all are in summary.json with --out' : ''));
  }
  if (flags.out) w(`  written to ${flags.out}: ${written.join(', ')}`);
  else if (!flags.jsonl && s.counts.findings > 0) w('  (use --jsonl or --out DIR for the findings themselves)');
  const top = s.counts.byLevel.critical + s.counts.byLevel.high;
  if (top > 0) w(paint('high', `  ${top} high/critical findings: treat this server as compromised until shown otherwise`));
}
