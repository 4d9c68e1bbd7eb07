// Sigma engine benchmark: every active SigmaHQ rule loaded, the 238 regression events replicated to
// >= 1M events, one core. Prints events/s (all, and process_creation alone), peak RSS, load time.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSigma, type SigmaRuleSet } from '../src/engines/sigma/index.js';
import { EventFields } from '../src/engines/sigma/fields.js';
import type { CompiledRuleSet } from '../src/engines/sigma/ruleset.js';
import type { WinEvent } from '../src/event.js';
import type { Finding } from '../src/finding.js';
import { hasShared, sharedDir } from '../src/paths.js';
import { readSidecar } from '../test/conformance/sidecar.js';

const TOTAL = Number(process.env['BENCH_EVENTS'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const ACTIVE = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];

// Regression samples are all attacks (1.5 findings per event). Real logs are mostly benign, so we also
// measure the same events with their key fields set to everyday values.
const BENIGN: Record<string, string> = {
  Image: 'C:\\Windows\\System32\\svchost.exe',
  CommandLine: 'C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule',
  ParentImage: 'C:\\Windows\\System32\\services.exe',
  ParentCommandLine: 'C:\\Windows\\system32\\services.exe',
  OriginalFileName: 'svchost.exe',
  Description: 'Host Process for Windows Services',
  TargetFilename: 'C:\\Windows\\Temp\\tmp4D2A.tmp',
  TargetObject: 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders\\Cache',
  Details: 'DWORD (0x00000001)',
  ImageLoaded: 'C:\\Windows\\System32\\kernel32.dll',
  SourceImage: 'C:\\Windows\\System32\\svchost.exe',
  TargetImage: 'C:\\Windows\\System32\\notepad.exe',
  PipeName: '\\srvsvc',
};
// A long benign command line (a Java service with its class path, 3,316 characters): values over 512
// characters take other paths in the regex engine, and such lines are common in real process logs.
const JARS = Array.from({ length: 60 }, (_, i) => `C:\\Program Files\\Contoso\\app\\lib\\module-${i}-2.4.1.jar`).join(';');
const LONG_CMD = `"C:\\Program Files\\Java\\jdk-17\\bin\\java.exe" -Xms512m -Xmx2g -Dfile.encoding=UTF-8 -cp ${JARS} com.contoso.app.Main --config C:\\ProgramData\\Contoso\\app.yml`;
function longCommandLine(e: WinEvent): WinEvent {
  const data = structuredClone(e.data);
  const ed = (data['Event'] as Record<string, unknown> | undefined)?.['EventData'] as Record<string, unknown> | undefined;
  if (ed) {
    if ('CommandLine' in ed) ed['CommandLine'] = LONG_CMD;
    for (const k of ['Image', 'NewProcessName']) if (k in ed) ed[k] = 'C:\\Program Files\\Java\\jdk-17\\bin\\java.exe';
  }
  return { ...e, data };
}

function benign(e: WinEvent): WinEvent {
  const data = structuredClone(e.data);
  const ed = (data['Event'] as Record<string, unknown> | undefined)?.['EventData'];
  if (ed && typeof ed === 'object') for (const k of Object.keys(ed)) if (k in BENIGN) (ed as Record<string, unknown>)[k] = BENIGN[k];
  return { ...e, data };
}

/**
 * What the engine found on the distinct events, as one line to compare between two builds: the number of
 * findings, a hash of their (rule id, evidence) pairs in order, and a hash of their fields.
 */
function fingerprint(set: SigmaRuleSet, events: readonly WinEvent[]): string {
  const run = set.createRun();
  const ids = createHash('sha256');
  const fields = createHash('sha256');
  let n = 0;
  const add = (f: Finding): void => {
    n++;
    ids.update(`${f.rule.id}\u0000${JSON.stringify(f.evidence)}\n`);
    fields.update(`${JSON.stringify(f.fields)}\n`);
  };
  for (const e of events) for (const f of run.match(e)) add(f);
  for (const f of run.finish()) add(f);
  return `${n} findings on the ${events.length} distinct events; sha256(rule id, evidence) ${ids.digest('hex').slice(0, 16)}; sha256(fields) ${fields.digest('hex').slice(0, 16)}`;
}

/**
 * Where an event's time goes, in CPU µs per event over `n` events (one pass each, after the measured runs so
 * everything is compiled): reading its fields and choosing the candidate rules (literal scans), the whole
 * match, and building a finding's fields; rule tests are what the whole match spends beyond the other two.
 */
function breakdown(set: CompiledRuleSet, events: readonly WinEvent[], n: number): string {
  const cpuUs = (f: () => void): number => {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / n;
  };
  const bucketOf = (e: WinEvent) => set.entriesFor((e.channel ?? '').toLowerCase(), e.eventId);
  const buckets = events.map(bucketOf);
  let sink = 0;
  const choose = cpuUs(() => {
    for (let i = 0; i < n; i++) sink += buckets[i % events.length]!.candidates(new EventFields(events[i % events.length]!));
  });
  const run = set.createRun();
  let findings = 0;
  const whole = cpuUs(() => {
    for (let i = 0; i < n; i++) findings += run.match(events[i % events.length]!).length;
  });
  // A finding's fields: built once per event that has findings (the event's fields object, shared by its findings).
  const withFindings = events.filter((e) => set.createRun().match(e).length > 0);
  const fields = withFindings.length === 0 ? 0 : cpuUs(() => {
    for (let i = 0; i < n; i++) sink += Object.keys(new EventFields(withFindings[i % withFindings.length]!).flat()).length;
  }) * (withFindings.length / events.length);
  if (sink < 0) console.log(sink);
  const f = (x: number): string => x.toFixed(1);
  return `${f(whole)} µs per event: choosing candidates (fields read, literal scans) ${f(choose)}, finding fields ${f(fields)}, rule tests and findings ${f(whole - choose - fields)}; ${(findings / n).toFixed(2)} findings per event`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  if (!hasShared) {
    console.log('bench:sigma needs ../shared (SigmaHQ rules and regression data); skipped');
    return;
  }
  const sigma = join(sharedDir, 'sigma');
  const t0 = performance.now();
  const loaded = await loadSigma(ACTIVE.map((d) => join(sigma, d)));
  const loadMs = performance.now() - t0;
  const loadCpu = process.cpuUsage();
  const manifest = JSON.parse(readFileSync(join(sigma, 'regression_manifest.json'), 'utf8')) as { json_path: string }[];
  const base: WinEvent[] = [];
  for (const m of manifest) base.push(...readSidecar(join(sigma, m.json_path), m.json_path));
  const procCreation = base.filter((e) => (e.channel === 'Microsoft-Windows-Sysmon/Operational' && e.eventId === 1) || (e.channel === 'Security' && e.eventId === 4688));
  console.log(`rules: ${loaded.loaded} loaded, ${loaded.failed} failed, ${loaded.inactive.length} inactive; load ${(loadMs / 1000).toFixed(2)} s wall, ${((loadCpu.user + loadCpu.system) / 1e6).toFixed(2)} s CPU`);
  console.log(`events: ${base.length} distinct regression events (${procCreation.length} process_creation), replicated to ${TOTAL.toLocaleString('en')}`);

  const measure = (events: WinEvent[], label: string, total = TOTAL): void => {
    // Per core = events per CPU second of this (single-threaded) process: the machine may be shared,
    // so wall-clock rates are printed too but CPU time is the figure to compare.
    const rates: number[] = [];
    const wallRates: number[] = [];
    let findings = 0;
    for (let r = 0; r < RUNS; r++) {
      const run = loaded.ruleSet.createRun();
      findings = 0;
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < total; i++) findings += run.match(events[i % events.length]!).length;
      findings += run.finish().length;
      const cpu = process.cpuUsage(cpu0);
      rates.push(total / ((cpu.user + cpu.system) / 1e6));
      wallRates.push(total / ((performance.now() - start) / 1000));
      console.log(`  ${label} run ${r + 1}: ${Math.round(rates[r]!).toLocaleString('en')} events/s per core, ${Math.round(wallRates[r]!).toLocaleString('en')} wall`);
    }
    const fmt = (x: number): string => Math.round(x).toLocaleString('en');
    console.log(`${label}: check: ${fingerprint(loaded.ruleSet, events)}`);
    console.log(`${label}: median ${fmt(median(rates))} events/s per core (CPU time) over ${RUNS} runs [${rates.map(fmt).join(', ')}]; wall ${fmt(median(wallRates))} events/s; ${findings.toLocaleString('en')} findings per run`);
    console.log(`${label}: where the time goes: ${breakdown(loaded.ruleSet as CompiledRuleSet, events, Math.min(total, 200_000))}`);
  };
  const sets = (process.env['BENCH_SETS'] ?? 'all,process_creation,benign,long').split(',');
  if (sets.includes('all')) measure(base, 'all regression events');
  if (sets.includes('process_creation')) measure(procCreation, 'process_creation only');
  if (sets.includes('benign')) measure(base.map(benign), 'benign variants (same events, typical benign values)');
  if (sets.includes('long')) measure(procCreation.map(longCommandLine), `process_creation with a ${LONG_CMD.length.toLocaleString('en')}-character command line`, Math.ceil(TOTAL / 10));
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`peak RSS: ${rss.toFixed(0)} MiB`);
  console.log('peers: Hayabusa and Chainsaw are not installed here, so they cannot be measured in this run;');
  console.log('       Hayabusa publishes about 17,000 events/s for its whole pipeline (EVTX parsing included).');
}

await main();
