// File scan benchmark: a generated Exchange web root of 10,000 files (.bench-data/, gitignored), exhunt's
// file scan (built-in pack + signature-base, hashes, checks) against `yara -r` (Debian yara) on the same tree.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticCollector } from '../src/diagnostics.js';
import { createFileScanner } from '../src/engines/files/index.js';
import { evidenceUnder } from '../src/engines/files/fixture-evidence.js';
import { hasShared, projectRoot, rulesDir, sharedDir } from '../src/paths.js';

const FILES = Number(process.env['BENCH_FILES'] ?? 10_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const VARS = ['filename', 'filepath', 'extension', 'filetype', 'md5', 'owner'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Small deterministic PRNG (mulberry32) so every run scans the same tree. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'mailbox calendar contact folder message inbox draft sent item attachment rule delegate resource meeting room address list offline book sync device policy quota archive retention journal transport connector certificate virtual directory'.split(' ');

function text(rand: () => number, bytes: number, kind: string): string {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = WORDS[Math.floor(rand() * WORDS.length)]!;
    const id = Math.floor(rand() * 1e6).toString(36);
    const line =
      kind === 'aspx'
        ? `  <div class="${w}Panel" id="${w}_${id}"><asp:Label runat="server" ID="lbl${id}" Text="<%$ Strings:${w} %>" /></div>\n`
        : kind === 'js'
          ? `function ${w}_${id}(a, b) { var r = a.${w} || b; return r ? r.toString() : "${w}"; }\n`
          : kind === 'css'
            ? `.${w}-${id} { margin: ${Math.floor(rand() * 20)}px; color: #${id.padEnd(6, '0').slice(0, 6)}; }\n`
            : `${w} ${id} ${w.toUpperCase()} ${Math.floor(rand() * 1e9)}\n`;
    parts.push(line);
    n += line.length;
  }
  return parts.join('');
}

/** The generated tree: clean-looking pages, scripts, styles and images, plus a few inert shell imitations. */
function generate(root: string): void {
  const marker = `${root}.generated`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `v2 ${FILES}`) return;
  rmSync(root, { recursive: true, force: true });
  const rand = prng(20210302);
  const ex = 'C/Program Files/Microsoft/Exchange Server/V15';
  const dirs = [
    `${ex}/FrontEnd/HttpProxy/owa/auth/15.2.1118/scripts`,
    `${ex}/FrontEnd/HttpProxy/owa/auth/15.2.1118/themes/resources`,
    `${ex}/ClientAccess/ecp/Customize`,
    `${ex}/ClientAccess/ecp/DDI`,
    `${ex}/ClientAccess/ecp/scripts/premium`,
    `${ex}/ClientAccess/Owa/prem/15.2.1118/scripts`,
    `${ex}/ClientAccess/Owa/prem/15.2.1118/resources/styles`,
    `C/inetpub/wwwroot/aspnet_client/system_web/4_0_30319`,
    `C/inetpub/wwwroot/site/pages`,
  ];
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  // pages only where a clean install has pages (ECP, a site), so the baseline check stays quiet
  const pageDirs = dirs.filter((d) => /ecp\/(Customize|DDI)|site\/pages/.test(d));
  for (let i = 0; i < FILES; i++) {
    const r = rand();
    const kind = r < 0.35 ? 'aspx' : r < 0.65 ? 'js' : r < 0.85 ? 'css' : r < 0.95 ? 'txt' : 'png';
    const dir = kind === 'aspx' ? pageDirs[i % pageDirs.length]! : dirs[i % dirs.length]!;
    const size = Math.floor(512 + rand() * rand() * 48 * 1024);
    let body: string | Buffer;
    if (kind === 'png') {
      const b = Buffer.alloc(size);
      for (let k = 0; k < size; k++) b[k] = Math.floor(rand() * 256);
      Buffer.from('89504e470d0a1a0a', 'hex').copy(b);
      body = b;
    } else if (kind === 'aspx') {
      body = `<%@ Page Language="C#" AutoEventWireup="true" Inherits="Microsoft.Exchange.Management.ControlPanel.Page${i}" %>\n<html><body>\n${text(rand, size, 'aspx')}</body></html>\n`;
    } else body = text(rand, size, kind);
    if (i % 1000 === 999) {
      // inert imitation (server-side comment) in aspnet_client, so both scanners have something to find
      body = `<%-- exhunt bench: inert imitation\n<%@ Page Language="Jscript"%><%eval(Request.Item["bench${i}"],"unsafe");%>\n--%>\n`;
      writeFileSync(join(root, 'C/inetpub/wwwroot/aspnet_client', `s${i}.aspx`), body);
      continue;
    }
    writeFileSync(join(root, dir, `f${i}.${kind}`), body);
  }
  writeFileSync(marker, `v2 ${FILES}`);
}

async function ours(root: string, yaraPaths: string[]): Promise<{ ms: number; compileMs: number; files: number; bytes: number; findings: number }> {
  const t0 = performance.now();
  const diags = new DiagnosticCollector();
  const scanner = await createFileScanner({ yara: yaraPaths, iocs: [], builtin: true }, diags.sink);
  const t1 = performance.now();
  let findings = 0;
  for (const ev of evidenceUnder(root)) findings += (await scanner.scan(ev)).length;
  const t2 = performance.now();
  if (diags.counts.get('YARA_COMPILE')) throw new Error('rules did not compile');
  return { ms: t2 - t1, compileMs: t1 - t0, files: scanner.stats.files, bytes: scanner.stats.bytes, findings };
}

function yaraCli(compiled: string, root: string): { ms: number; matches: number } {
  const t0 = performance.now();
  const r = spawnSync('yara', ['-C', '-r', compiled, root], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`yara failed: ${r.stderr}`);
  return { ms, matches: r.stdout.split('\n').filter(Boolean).length };
}

async function main(): Promise<void> {
  if (!hasShared) {
    console.log('bench:files needs ../shared/signature-base; skipped');
    return;
  }
  const sbDir = join(sharedDir, 'signature-base', 'yara');
  const sbFiles = readdirSync(sbDir).filter((f) => f.endsWith('.yar')).map((f) => join(sbDir, f));
  const builtinFiles = readdirSync(join(rulesDir, 'yara')).filter((f) => f.endsWith('.yar')).map((f) => join(rulesDir, 'yara', f));
  const root = join(projectRoot, '.bench-data', 'files-webroot');
  const g0 = performance.now();
  generate(root);
  console.log(`tree: ${FILES.toLocaleString('en')} files under ${root} (ready in ${((performance.now() - g0) / 1000).toFixed(1)} s)`);

  const hasYara = spawnSync('yara', ['--version'], { encoding: 'utf8' });
  const compiled = join(projectRoot, '.bench-data', 'rules.yarc');
  let yaracMs = 0;
  if (hasYara.status === 0) {
    const t0 = performance.now();
    const defs = VARS.flatMap((v) => ['-d', `${v}=`]);
    const c = spawnSync('yarac', [...defs, ...builtinFiles, ...sbFiles, compiled], { encoding: 'utf8' });
    yaracMs = performance.now() - t0;
    if (c.status !== 0) throw new Error(`yarac failed: ${c.stderr}`);
  }

  // warm the page cache once so neither side pays for the disk
  await ours(root, [sbDir]);
  const mine: number[] = [];
  const theirs: number[] = [];
  let last = { ms: 0, compileMs: 0, files: 0, bytes: 0, findings: 0 };
  let yaraMatches = 0;
  for (let r = 0; r < RUNS; r++) {
    last = await ours(root, [sbDir]);
    mine.push(last.ms);
    if (hasYara.status === 0) {
      const y = yaraCli(compiled, root);
      theirs.push(y.ms);
      yaraMatches = y.matches;
    }
  }
  const mb = last.bytes / (1024 * 1024);
  const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s, ${(mb / (ms / 1000)).toFixed(1)} MB/s, ${Math.round(last.files / (ms / 1000)).toLocaleString('en')} files/s`;
  console.log(`rules: built-in pack (${builtinFiles.length} file) + signature-base (${sbFiles.length} files); data ${mb.toFixed(1)} MB in ${last.files} files; ${RUNS} runs, medians`);
  console.log(`exhunt file scan (YARA-X + MD5/SHA-1/SHA-256 + Exchange checks, 1 thread): ${fmt(median(mine))}; ${last.findings} findings; rule compile ${(last.compileMs / 1000).toFixed(2)} s`);
  if (hasYara.status === 0) {
    console.log(`yara ${hasYara.stdout.trim()} -C -r (precompiled with yarac in ${(yaracMs / 1000).toFixed(2)} s, its default threads): ${fmt(median(theirs))}; ${yaraMatches} matches`);
    console.log(`ratio (exhunt throughput / yara CLI throughput): ${(median(theirs) / median(mine)).toFixed(2)}x`);
  } else {
    console.log('yara CLI not installed (Debian package "yara"): no peer figure');
  }
}

await main();
