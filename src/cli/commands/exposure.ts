// `exhunt exposure <build> [--json]` and `exhunt exposure --url https://host/`: an Exchange build's product, CU, SU,
// support status, missing SUs and open CVEs (exploited ones marked, with the first fixing build). Bad input exits 2.
import { InvalidArgumentError, type Command } from 'commander';
import { HuntError } from '../../diagnostics.js';
import { assessBuild, parseBuild, probeUrl, type BuildAssessment, type ProbeResult } from '../../engines/exposure/index.js';
import type { CommandContext } from '../context.js';

interface Options {
  json?: boolean;
  url?: string;
  timeout?: number;
  insecure?: boolean;
  asOf?: string;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n <= 0) throw new InvalidArgumentError('expected a positive number of milliseconds');
  return n;
}
function isoDate(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('expected a date like 2021-03-02');
  return v;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('exposure')
    .description('Exchange build -> CU, SU, support status, missing security updates and open CVEs')
    .argument('[build]', 'build number, e.g. 15.1.2176.2 or 15.01.2176.002')
    .option('--json', 'print JSON')
    .option('--url <url>', "read the build from a live server's /owa/ and ECP exporttool manifest (only this URL is contacted)")
    .option('--timeout <ms>', 'timeout per request with --url', positiveInt, 10_000)
    .option('--insecure', 'with --url: accept any TLS certificate')
    .option('--as-of <date>', 'date for the support status (default: today)', isoDate)
    .addHelpText(
      'after',
      '\nWith --url, HTTPS_PROXY/HTTP_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS are honoured.\nExit codes: 0 assessed, 2 bad build, bad URL, unreachable server or no version found.',
    )
    .action(async (build: string | undefined, opts: Options) => {
      try {
        if ((build === undefined) === (opts.url === undefined)) {
          throw new HuntError('USAGE', build === undefined ? 'give a build number or --url <url>' : 'give either a build number or --url, not both');
        }
        let probe: ProbeResult | null = null;
        let text = build;
        if (opts.url !== undefined) {
          probe = await probeUrl(opts.url, { timeoutMs: opts.timeout ?? 10_000, insecure: opts.insecure === true });
          text = probe.best!.text;
        }
        const assessment = assessBuild(parseBuild(text!), opts.asOf ? { asOf: opts.asOf } : {});
        ctx.stdout.write(opts.json ? JSON.stringify(toJson(assessment, probe), null, 2) + '\n' : render(assessment, probe));
      } catch (e) {
        if (!(e instanceof HuntError)) throw e;
        ctx.stderr.write(`exhunt exposure: ${e.message}\n`);
        ctx.setExit(2);
      }
    });
}

function toJson(a: BuildAssessment, probe: ProbeResult | null): unknown {
  const { effective: _effective, ...info } = a.info;
  return {
    ...(probe ? { probe: { url: probe.url, best: probe.best && { text: probe.best.text, source: probe.best.source, url: probe.best.url }, candidates: probe.candidates.map((c) => ({ text: c.text, source: c.source, url: c.url })), problems: probe.problems } } : {}),
    build: info,
    support: a.support,
    missingSecurityUpdates: a.missingSus,
    openCves: a.openCves,
    configuration: a.configuration,
    notes: a.notes,
  };
}

function render(a: BuildAssessment, probe: ProbeResult | null): string {
  const i = a.info;
  const lines: string[] = [];
  if (probe?.best) {
    lines.push(`Server: ${probe.url}`);
    lines.push(`  version ${probe.best.text} from the ${probe.best.source} (${probe.best.url})${probe.best.exact ? '' : ' — three parts only, not exact'}`);
    for (const c of probe.candidates) if (c !== probe.best) lines.push(`  also ${c.text} from the ${c.source}`);
  }
  lines.push(`Build:    ${i.build}`);
  lines.push(`Product:  ${i.productName}`);
  lines.push(`CU:       ${i.cu ?? 'unknown (older than every CU in the catalogue)'}${i.cuReleased ? ` (released ${i.cuReleased})` : ''}`);
  lines.push(`SU:       ${i.su ?? 'none'}${i.label ? ` — catalogue name "${i.label}"` : ''}${i.released ? `, released ${i.released}` : ''}`);
  if (i.guessed) {
    lines.push(
      i.nearest
        ? `          not in the build catalogue: a guess, placed on the nearest lower known build ${i.nearest}`
        : `          not in the build catalogue and older than every known ${i.productName} build: treated as lacking every SU`,
    );
  }
  lines.push(`Support:  ${a.support.status} — ${a.support.text}`);
  for (const n of a.notes) lines.push(`Note:     ${n}`);
  lines.push('');
  lines.push(`Missing security updates: ${a.missingSus.length}`);
  for (const s of a.missingSus) {
    lines.push(`  ${s.su.padEnd(10)} ${(s.released ?? '?').padEnd(10)} ${s.fixedIn ? `first fixing build ${s.fixedIn.build} (${s.fixedIn.label})` : 'in a later CU'}${s.cves.length ? ` — ${s.cves.length} CVE${s.cves.length === 1 ? '' : 's'}` : ''}`);
  }
  const exploited = a.openCves.filter((c) => c.exploitedInWild);
  lines.push('');
  lines.push(`Open CVEs: ${a.openCves.length} (${exploited.length} exploited in the wild, marked !)`);
  for (const c of a.openCves) {
    const mark = c.exploitedInWild ? '!' : ' ';
    const name = c.name ? ` ${c.name}` : '';
    const since = c.exploitedInWild ? ` — exploited in the wild since ${c.exploitationStart ?? 'an unknown date'}` : '';
    lines.push(`${mark} ${c.id}${name}${since} — fixed in ${c.fixedIn ? `${c.fixedIn.build} (${c.fixedIn.label})` : 'a later CU'} [${c.sus.join(', ')}]`);
  }
  lines.push('');
  lines.push('Configuration, not fixed by any build:');
  for (const c of a.configuration) {
    lines.push(`  ${c.cves.join(', ')}: ${c.summary}`);
    for (const x of c.exploited) lines.push(`!   ${x.cve} is exploited in the wild since ${x.since ?? 'an unknown date'}`);
    lines.push(`    build prerequisite ${c.buildPrerequisite}: ${c.buildReady ? 'present' : 'MISSING (exposed whatever the configuration)'}`);
    lines.push(`    evidence that would show it: ${c.evidence}`);
  }
  return lines.join('\n') + '\n';
}
