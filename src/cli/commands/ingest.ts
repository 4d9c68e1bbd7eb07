// `exhunt ingest <collection>... --store S` and `exhunt store stats --store S [--json]`: collections' scans and
// events kept in ClickHouse (chDB in a directory, or a server/cluster URL). Store problems: one line, exit 2.
import { Command, InvalidArgumentError } from 'commander';
import type { CommandContext } from '../context.js';
import { HuntError, formatDiagnostic } from '../../diagnostics.js';
import { ingest, storeStats } from '../../ingest/index.js';
import { ensureSchema, openStore, redact, type StoreClient } from '../../stores/index.js';
import { collectionName } from './collections.js';
import { printDiagnostic, progressView } from '../terminal.js';
import { basename, resolve } from 'node:path';

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError(`'${value}' is not a worker count (1-64)`);
  return n;
}

interface IngestFlags {
  store: string;
  host?: string;
  workers?: number;
  ruleCache: boolean;
  password?: string;
  quiet?: boolean;
}

/** A store failure as one line on stderr (never the password: HuntError messages name `info.where` only). */
function storeFailure(ctx: CommandContext, cmd: string, e: unknown): number {
  if (e instanceof HuntError) {
    ctx.stderr.write(`exhunt ${cmd}: ${redact(formatDiagnostic(e.toDiagnostic()))}\n`);
    return 2;
  }
  throw e;
}

async function withStore<T>(spec: string, f: (s: StoreClient) => Promise<T>): Promise<T> {
  const store = await openStore(spec);
  try {
    return await f(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('ingest')
    .description('Scan collections and keep their events, findings and summaries in a ClickHouse store (for exhunt hunt --store)')
    .argument('<collection...>', 'collections to ingest (folders or archives, as exhunt scan takes them); each is one host')
    .requiredOption('--store <dir|url>', 'the store: a directory (embedded, chDB) or http(s)://[user@]host:port/?database=NAME[&cluster=NAME] (password: EXHUNT_CLICKHOUSE_PASSWORD)')
    .option('--host <name>', "the host the collection comes from (default: the collection's host)")
    .option('--workers <n>', 'worker threads that read and match the logs (default: the number of cores)', parseWorkers)
    .option('--no-rule-cache', 'compile the Sigma rules without reading or writing the rule cache')
    .option('--password <password>', 'password of encrypted ZIP collections (safer: EXHUNT_ARCHIVE_PASSWORD); never echoed')
    .option('-q, --quiet', 'no progress and no summary on the terminal')
    .action(async (paths: string[], flags: IngestFlags) => {
      try {
        ctx.setExit(await runIngest(paths, flags, ctx));
      } catch (e) {
        ctx.setExit(storeFailure(ctx, 'ingest', e));
      }
    });
  const store = program.command('store').description('The ClickHouse store: what it holds');
  store
    .command('stats')
    .description('Count the hosts, collections, evidence files, events and findings in the store')
    .requiredOption('--store <dir|url>', 'the store: a directory (embedded, chDB) or http(s)://host:port/?database=NAME[&cluster=NAME]')
    .option('--json', 'print {"hosts":N,"collections":N,"evidence":N,"events":N,"findings":N}')
    .action(async (flags: { store: string; json?: boolean }) => {
      try {
        const s = await withStore(flags.store, async (st) => {
          await ensureSchema(st);
          return storeStats(st);
        });
        if (flags.json) ctx.stdout.write(JSON.stringify(s) + '\n');
        else ctx.stdout.write(`hosts ${s.hosts}\ncollections ${s.collections}\nevidence ${s.evidence}\nevents ${s.events}\nfindings ${s.findings}\n`);
      } catch (e) {
        ctx.setExit(storeFailure(ctx, 'store stats', e));
      }
    });
}

async function runIngest(paths: string[], flags: IngestFlags, ctx: CommandContext): Promise<number> {
  if (flags.host !== undefined && paths.length > 1) {
    ctx.stderr.write('exhunt ingest: --host names one host: give one collection with it\n');
    return 2;
  }
  return withStore(flags.store, async (store) => {
    let exit = 0;
    for (const p of paths) {
      const collection = { name: collectionName(basename(resolve(p))), inputs: [p] };
      const progress = flags.quiet ? { update: () => undefined, stop: () => undefined } : progressView(ctx.stderr);
      let shown = 0;
      try {
        const r = await ingest({
          store,
          collection,
          ...(flags.host !== undefined ? { host: flags.host } : {}),
          scan: {
            ruleCache: flags.ruleCache,
            ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
            archivePassword: flags.password ?? process.env['EXHUNT_ARCHIVE_PASSWORD'] ?? null,
          },
          onProgress: (pr) => progress.update(pr),
          onDiagnostic: (d) => {
            if (flags.quiet || d.severity === 'info' || shown >= 50) return;
            shown++;
            progress.stop();
            printDiagnostic(ctx.stderr, d);
          },
        });
        progress.stop();
        if (!flags.quiet) {
          ctx.stderr.write(
            `exhunt ingest: ${r.collection} as host ${r.host} into ${store.info.where}: ${r.files.written} files written (${r.events} events), ` +
              `${r.files.skipped} already stored; scan ${r.scanStored ? `stored (${r.findings} findings)` : 'already stored'}\n`,
          );
        }
      } catch (e) {
        progress.stop();
        if (e instanceof HuntError && e.code.startsWith('STORE_')) throw e;
        exit = Math.max(exit, storeFailure(ctx, 'ingest', e));
      }
    }
    return exit;
  });
}
