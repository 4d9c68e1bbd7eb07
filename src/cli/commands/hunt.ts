// `exhunt hunt --store S`: retro-hunt the stored events with Sigma rules compiled to SQL; findings as
// findings.jsonl lines (stdout with --jsonl, per host under --out DIR), the in-process-only rules named.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { HuntError, formatDiagnostic } from '../../diagnostics.js';
import { isLevel, LEVELS, levelRank, type Finding, type Level } from '../../finding.js';
import { loadSigma } from '../../engines/sigma/index.js';
import { loadIocFiles, loadIpIocs } from '../../engines/ioc/index.js';
import { rulesDir } from '../../paths.js';
import { huntIocs, huntStore, openStore, redact, scopeSql } from '../../stores/index.js';
import { FindingsLoader, OrderedOutputs, hostDirs, summaryFromFindings, writeReports } from '../../reporters/index.js';
import { attackCatalog } from '../../attack/index.js';

interface HuntFlags {
  store: string;
  sigma: string[];
  builtinRules: boolean;
  iocs: string[];
  host: string[];
  since?: Date;
  until?: Date;
  minLevel: Level;
  jsonl?: boolean;
  out?: string;
}

function parseTime(v: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`'${v}' is not a date or time (ISO 8601)`);
  return d;
}
const collect = (v: string, prev: string[]): string[] => [...prev, v];
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('hunt')
    .description('Retro-hunt the events kept in a store (exhunt ingest) with Sigma rules, in SQL')
    .requiredOption('--store <dir|url>', 'the store: a directory (embedded, chDB) or http(s)://[user@]host:port/?database=NAME[&cluster=NAME]')
    .option('--sigma <path>', 'Sigma rule file or folder (repeatable)', collect, [])
    .option('--no-builtin-rules', "run only the rules given with --sigma, not exhunt's own packs")
    .option('--iocs <file>', "LOKI IOC list (c2 IPs over the events' client and peer addresses; hashes and file names over the stored files), repeatable", collect, [])
    .option('--host <name>', 'only this host (repeatable)', collect, [])
    .option('--since <time>', 'only events at or after this time (ISO 8601)', parseTime)
    .option('--until <time>', 'only events before this time (ISO 8601)', parseTime)
    .addOption(
      new Option('--min-level <level>', 'report findings at or above this level').choices([...LEVELS]).default('medium' as Level).argParser((v) => {
        if (!isLevel(v)) throw new InvalidArgumentError(`'${v}' is not a level`);
        return v;
      }),
    )
    .option('--jsonl', 'print one finding per line (JSON) on stdout')
    .option('--out <dir>', "write each host's usual outputs (findings.jsonl, report.html, timelines, ATT&CK layer, STIX) to <dir>/<host>/")
    .action(async (flags: HuntFlags) => {
      try {
        ctx.setExit(await runHunt(flags, ctx));
      } catch (e) {
        if (!(e instanceof HuntError)) throw e;
        ctx.stderr.write(`exhunt hunt: ${redact(formatDiagnostic(e.toDiagnostic()))}\n`);
        ctx.setExit(2);
      }
    });
}

async function runHunt(flags: HuntFlags, ctx: CommandContext): Promise<number> {
  const paths = [...(flags.builtinRules ? [join(rulesDir, 'sigma')] : []), ...flags.sigma];
  if (paths.length === 0) {
    ctx.stderr.write('exhunt hunt: no rules: give --sigma or leave out --no-builtin-rules\n');
    return 2;
  }
  const loaded = await loadSigma(paths, { builtinRoot: rulesDir });
  const diag = (d: Parameters<typeof formatDiagnostic>[0]): void => void ctx.stderr.write(`exhunt hunt: ${formatDiagnostic(d)}\n`);
  const ips = loadIpIocs(flags.iocs, diag);
  const fileIocs = flags.iocs.length > 0 ? loadIocFiles(flags.iocs.filter((p) => !/c2/i.test(p.split(/[\\/]/).pop() ?? '')), diag) : null;
  if (loaded.failed > 0) ctx.stderr.write(`exhunt hunt: ${loaded.failed} rule documents did not load (exhunt rules check shows why)\n`);
  const store = await openStore(flags.store);
  // --out: each host's findings sorted into output order through the same spill-and-merge as a scan (any number).
  const perHost = new Map<string, FindingsLoader>();
  let found = 0;
  try {
    const onFinding = (f: Finding): void => {
      found++;
      const line = JSON.stringify(f);
      if (flags.jsonl) ctx.stdout.write(line + '\n');
      if (flags.out) {
        const host = f.host ?? '';
        let l = perHost.get(host);
        if (!l) perHost.set(host, (l = new FindingsLoader()));
        l.add(line, store.info.where, found);
      }
    };
    const s = await huntStore(store, {
      ruleSet: loaded.ruleSet,
      hosts: flags.host,
      since: flags.since ?? null,
      until: flags.until ?? null,
      minLevel: flags.minLevel,
      onFinding,
    });
    ctx.stderr.write(
      `exhunt hunt: ${s.rules} rules over ${store.info.where} (${s.sqlRules} in SQL in ${s.queries} queries, ${s.inProcess.length} in-process): ${s.findings} findings\n` +
        (s.valueSets.logsources > 0 ? `exhunt hunt: ${s.valueSets.logsources} logsources evaluated over ${s.valueSets.sets} distinct value sets of ${s.valueSets.events} events\n` : ''),
    );
    for (const r of s.inProcess) ctx.stderr.write(`  in-process only (${r.reason}): ${r.rule.meta.title} [${r.rule.meta.id}] — ${r.detail}\n`);
    if (flags.iocs.length > 0) {
      const min = levelRank(flags.minLevel);
      const scope = { hosts: flags.host, since: flags.since ?? null, until: flags.until ?? null };
      const r = await huntIocs(store, { ips, files: fileIocs, scope: scopeSql(scope), hosts: flags.host, onFinding: (f) => levelRank(f.level) >= min && onFinding(f) });
      ctx.stderr.write(`exhunt hunt: IOCs (${ips.length} IPs, ${fileIocs?.hashIocs.size ?? 0} hashes, ${fileIocs?.filenameIocs.length ?? 0} file names): ${r.findings} findings\n`);
    }
    if (flags.out) await writeHostOutputs(flags.out, perHost, ctx);
  } finally {
    for (const l of perHost.values()) l.dispose();
    await store.close().catch(() => undefined);
  }
  return found > 0 ? 1 : 0;
}

/**
 * Each host's usual outputs under <out>/<host>/ (a folder name that cannot leave <out>, whatever the host holds),
 * as `exhunt report` builds them from findings alone: the summary is made from the hunt's findings (the stored
 * scan's coverage and exposure are in `exhunt fleet`'s per-host reports).
 */
async function writeHostOutputs(out: string, perHost: Map<string, FindingsLoader>, ctx: CommandContext): Promise<void> {
  const dirs = hostDirs([...perHost.keys()].map((h) => h || 'unknown-host'));
  const catalog = attackCatalog();
  for (const [host, loader] of perHost) {
    const dir = join(out, dirs.get(host || 'unknown-host')!);
    mkdirSync(dir, { recursive: true });
    const outputs = await OrderedOutputs.open(dir, catalog, true);
    try {
      const digest = await loader.finish((f, json) => outputs.write(f, json));
      await outputs.close();
      await writeReports(dir, digest, summaryFromFindings(digest, `${host || 'unknown host'} (retro-hunt of the store)`), null);
    } catch (e) {
      outputs.destroy();
      throw e;
    }
    ctx.stderr.write(`exhunt hunt: ${host || 'unknown host'}: outputs in ${dir}\n`);
  }
}
