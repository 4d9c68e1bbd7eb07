// `exhunt hunt --store S`: retro-hunt the stored events with Sigma rules compiled to SQL; findings as
// findings.jsonl lines (stdout with --jsonl, per host under --out DIR), the in-process-only rules named.
import { mkdirSync, createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { HuntError, formatDiagnostic } from '../../diagnostics.js';
import { isLevel, LEVELS, levelRank, type Finding, type Level } from '../../finding.js';
import { loadSigma } from '../../engines/sigma/index.js';
import { loadIocFiles, loadIpIocs } from '../../engines/ioc/index.js';
import { rulesDir } from '../../paths.js';
import { huntIocs, huntStore, openStore, redact, scopeSql } from '../../stores/index.js';

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
/** A host name as a folder name: nothing that leaves the output folder. */
const hostDir = (h: string): string => (h.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_');

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
    .option('--out <dir>', 'write <dir>/<host>/findings.jsonl per host')
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
  const files = new Map<string, WriteStream>();
  let found = 0;
  try {
    const onFinding = (f: Finding): void => {
      found++;
      const line = JSON.stringify(f) + '\n';
      if (flags.jsonl) ctx.stdout.write(line);
      if (flags.out) {
        const host = f.host ?? '_';
        let w = files.get(host);
        if (!w) {
          const dir = join(flags.out, hostDir(host));
          mkdirSync(dir, { recursive: true });
          files.set(host, (w = createWriteStream(join(dir, 'findings.jsonl'))));
        }
        w.write(line);
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
      `exhunt hunt: ${s.rules} rules over ${store.info.where} (${s.sqlRules} in SQL in ${s.queries} queries, ${s.inProcess.length} in-process): ${s.findings} findings\n`,
    );
    for (const r of s.inProcess) ctx.stderr.write(`  in-process only (${r.reason}): ${r.rule.meta.title} [${r.rule.meta.id}] — ${r.detail}\n`);
    if (flags.iocs.length > 0) {
      const min = levelRank(flags.minLevel);
      const scope = { hosts: flags.host, since: flags.since ?? null, until: flags.until ?? null };
      const r = await huntIocs(store, { ips, files: fileIocs, scope: scopeSql(scope), hosts: flags.host, onFinding: (f) => levelRank(f.level) >= min && onFinding(f) });
      ctx.stderr.write(`exhunt hunt: IOCs (${ips.length} IPs, ${fileIocs?.hashIocs.size ?? 0} hashes, ${fileIocs?.filenameIocs.length ?? 0} file names): ${r.findings} findings\n`);
    }
  } finally {
    await Promise.all([...files.values()].map((w) => new Promise((res) => w.end(res))));
    await store.close().catch(() => undefined);
  }
  return found > 0 ? 1 : 0;
}
