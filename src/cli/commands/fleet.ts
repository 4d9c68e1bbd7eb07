// `exhunt fleet --store S --out DIR [--host NAME]... [--since T] [--until T]`: the fleet view over every server in
// the store (fleet.html, fleet.json, hosts/<host>/, fleet-wide timelines, ATT&CK layer and STIX), from its queries.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, HuntError, type Diagnostic } from '../../diagnostics.js';
import { ensureSchema, isStoreUrl, openStore, redact, writeFleet, type StoreClient } from '../../stores/index.js';
import type { CommandContext } from '../context.js';
import { parseWhen } from './scan.js';

interface Options {
  store: string;
  out: string;
  host: string[];
  since?: string;
  until?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('fleet')
    .description('the fleet view: which servers in the store were hit, by whom, when, and which indicators tie them together')
    .requiredOption('--store <dir|url>', 'the store: a directory (embedded) or http(s)://[user[:password]@]host:port/?database=NAME[&cluster=NAME]')
    .requiredOption('--out <dir>', 'where to write fleet.html, fleet.json, hosts/<host>/ and the fleet-wide exports')
    .option('--host <name>', 'only this host (repeatable)', collect, [])
    .option('--since <date>', 'only findings at or after this time (UTC)', parseWhen)
    .option('--until <date>', 'only findings at or before this time (UTC)', parseWhen)
    .addHelpText('after', '\nExit codes: 0 written, 1 written but some stored rows were unreadable, 2 store unreachable or not a store.')
    .action(async (opts: Options) => {
      const problems: Diagnostic[] = [];
      let store: StoreClient | null = null;
      try {
        if (!isStoreUrl(opts.store) && !existsSync(opts.store)) throw new HuntError('STORE_SPEC', `no store at ${opts.store} (run exhunt ingest first)`, { path: opts.store });
        store = await openStore(opts.store);
        await ensureSchema(store);
        const r = await writeFleet(store, opts.out, { scope: { hosts: opts.host, since: opts.since ?? null, until: opts.until ?? null }, sink: (d) => problems.push(d) });
        for (const d of problems.slice(0, 20)) ctx.stderr.write(formatDiagnostic(d) + '\n');
        if (problems.length > 20) ctx.stderr.write(`exhunt fleet: ${problems.length - 20} more problems not shown\n`);
        for (const name of r.files) ctx.stdout.write(join(opts.out, name) + '\n');
        const c = r.model.counts;
        ctx.stderr.write(
          `exhunt fleet: ${plural(r.model.hosts.length, 'server')}: ${c.compromised} compromised, ${c['exploitation-attempted']} exploitation attempted, ${c.blind} blind, ${c.exposed} exposed only, ${c['no-evidence']} no evidence; ` +
            `${plural(r.model.sharedIndicators.length, 'indicator')} on more than one server; reports of ${plural(r.hostDirs, 'server')} in ${join(opts.out, 'hosts')}\n`,
        );
        if (problems.length > 0) ctx.setExit(1);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!(e instanceof HuntError) && typeof code !== 'string') throw e;
        const err = e instanceof HuntError ? e : new HuntError('IO_ERROR', (e as Error).message);
        ctx.stderr.write(`exhunt fleet: ${redact(formatDiagnostic(err.toDiagnostic()))}\n`);
        ctx.setExit(2);
      } finally {
        await store?.close();
      }
    });
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
