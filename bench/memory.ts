// bench:memory — peak RSS of a whole `exhunt scan --out` at 1x, 2x and 4x an attack-dense IIS log (findings grow
// with the input): memory must stay flat (target <= 512 MB and within +-15% across the sizes).
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

const MB = 1024 * 1024;
const BASE_MB = Number(process.env['EXHUNT_BENCH_MEMORY_MB'] ?? 32);
const DIR = join(tmpdir(), 'exhunt-bench-memory');

/** IIS log: benign traffic with one ProxyLogon/ProxyShell line in 20 from rotating attacker IPs (several findings each). */
async function generate(file: string, bytes: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-01 00:00:00\n' +
    '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n');
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let k = 0; k < 2000; k++, i++) {
      const sec = Math.floor(i / 4);
      const ts = `2021-03-${String(1 + (Math.floor(sec / 86400) % 28)).padStart(2, '0')} ${String(Math.floor(sec / 3600) % 24).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
      const ip = `198.51.100.${i % 61}`;
      if (i % 20 === 0) lines.push(`${ts} 10.0.0.5 POST /ecp/y.js - 443 - ${ip} ExchangeServicesClient/0.0.0.0 - 200 0 0 41`);
      else if (i % 20 === 10) lines.push(`${ts} 10.0.0.5 GET /autodiscover/autodiscover.json @evil.example/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&Email=autodiscover/autodiscover.json%3F@evil.example 443 - ${ip} python-requests/2.25.1 - 200 0 0 52`);
      else lines.push(`${ts} 10.0.0.5 POST /EWS/Exchange.asmx &CorrelationID=<empty>;&cafeReqId=${i.toString(16).padStart(8, '0')}-0000-4000-a000-000000000000; 443 user${i % 300}@contoso.example 10.1.${(i >> 8) & 255}.${i & 255} ExchangeWebServices/2.2+(ExchangeServicesClient/15.0.913.15) - 200 0 0 ${i % 300}`);
    }
    const s = lines.join('\n') + '\n';
    written += Buffer.byteLength(s);
    if (!out.write(s)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
}

async function child(file: string, outDir: string): Promise<void> {
  const t0 = performance.now();
  const code = await main(['scan', file, '--out', outDir, '--quiet', '--workers', '1']);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ code, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
}

async function run(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const rows: string[] = [];
  const rss: number[] = [];
  for (const x of [1, 2, 4]) {
    const file = join(DIR, `attack-${BASE_MB * x}MB.log`);
    if (!existsSync(file) || statSync(file).size < BASE_MB * x * MB) await generate(file, BASE_MB * x * MB);
    const out = mkdtempSync(join(tmpdir(), 'exhunt-bench-memory-out-'));
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', file, out], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { seconds: number; maxRssMB: number };
    const findings = JSON.parse(spawnSync('node', ['-e', `process.stdout.write(String(JSON.parse(require('fs').readFileSync(${JSON.stringify(join(out, 'summary.json'))},'utf8')).counts.findings))`], { encoding: 'utf8' }).stdout);
    rmSync(out, { recursive: true, force: true });
    rss.push(res.maxRssMB);
    rows.push(`| ${x}x | ${(statSync(file).size / MB).toFixed(0)} MB | ${Number(findings).toLocaleString('en')} | ${res.seconds.toFixed(1)} s | ${res.maxRssMB.toFixed(0)} MB |`);
  }
  const spread = (Math.max(...rss) / Math.min(...rss) - 1) * 100;
  console.log(`bench:memory — whole exhunt scan --out (built-in pack, 1 worker), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| size | input | findings | wall | peak RSS |\n| --- | --- | --- | --- | --- |\n' + rows.join('\n'));
  console.log(`peak RSS: max ${Math.max(...rss).toFixed(0)} MB (target <= 512), spread ${spread.toFixed(1)}% between the sizes (target within +-15%)`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!);
else await run();
