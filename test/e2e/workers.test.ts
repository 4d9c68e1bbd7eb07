// --workers 0 (everything in the main thread), 1 and 4 (worker threads) give byte-identical findings.jsonl,
// --jsonl and summaries: on the example, on correlations whose base matches lie in several files, and on a big IIS
// log read in byte ranges while its #Fields: changes; each run proves its workers (and ranges) were used.
import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { orderedSinks } from '../../src/cli/commands/scan.js';
import type { HuntOptions } from '../../src/hunt.js';
import { huntAll } from './hunt-all.js';
import { hunt } from '../../src/hunt.js';
import { FindingsDigest, OrderedOutputs } from '../../src/reporters/index.js';
import { attackCatalog } from '../../src/attack/index.js';
import type { Finding } from '../../src/finding.js';
import { projectRoot } from '../../src/paths.js';

const example = join(projectRoot, 'examples', 'exchange-2021');
const fixtures = join(projectRoot, 'test', 'fixtures', 'exchange');

/** Everything a digest holds (what report.html, the layer and STIX are made of), its Maps and Sets in their order. */
function digestText(d: FindingsDigest): string {
  return JSON.stringify({ ...d, catalog: null, story: d.storySample() }, (_k, v: unknown) => (v instanceof Map ? [...v] : v instanceof Set ? [...v] : v));
}

/**
 * findings.jsonl as the CLI writes it, the summary without its clock times, the digest, and how many workers
 * loaded rules. The digest (made from the workers' digest records) must equal the one `exhunt report` makes
 * from the findings.jsonl lines.
 */
async function scan(opts: HuntOptions): Promise<{ jsonl: string; summary: string; taken: string; digest: string; workers: number; findings: number }> {
  let workers = 0;
  const r = await huntAll({ ...opts, onWorkers: (s) => (workers = s.length) });
  const { startedAt: _s, finishedAt: _f, ...summary } = r.summary;
  const jsonl = r.findings.map((f) => JSON.stringify(f) + '\n').join('');
  const digest = digestText(r.digest);
  assert.equal(digest, digestText(FindingsDigest.of(r.findings.map((f) => JSON.parse(JSON.stringify(f)) as Finding))), `digest from records = digest from the lines (--workers ${opts.workers})`);
  return { jsonl, summary: JSON.stringify(summary), taken: JSON.stringify(r.taken), digest, workers, findings: r.findings.length };
}

async function same(opts: HuntOptions): Promise<Awaited<ReturnType<typeof scan>>> {
  const zero = await scan({ ...opts, workers: 0 });
  // rangesFrom 0: the final merge by ranges on threads, however few the findings
  const one = await scan({ ...opts, workers: 1, rangesFrom: 0 });
  const four = await scan({ ...opts, workers: 4, rangesFrom: 0 });
  assert.equal(zero.workers, 0, '--workers 0 starts no worker');
  assert.equal(one.workers, 1, '--workers 1 matches in one worker');
  assert.ok(four.workers >= 2, '--workers 4: workers loaded the rules (those given no job may not have said so yet)');
  assert.ok(zero.findings > 0);
  for (const [n, r] of [['1', one], ['4', four]] as const) {
    assert.equal(r.jsonl, zero.jsonl, `findings: --workers ${n} and 0`);
    assert.equal(r.summary, zero.summary, `summary: --workers ${n} and 0`);
    assert.equal(r.taken, zero.taken, `taken: --workers ${n} and 0`);
    assert.equal(r.digest, zero.digest, `digest: --workers ${n} and 0`);
  }
  return zero;
}

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const code = await main(args, { stdout, stderr: new PassThrough() });
  return { code, out };
}

test('example collection: findings.jsonl and --jsonl identical for --workers 0, 1 and 4', { skip: !existsSync(example) && 'examples/exchange-2021 not generated' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-workers-'));
  try {
    const a = await cli(['scan', example, '--workers', '0', '--out', join(dir, '1'), '--jsonl', '-q']);
    const b = await cli(['scan', example, '--workers', '4', '--out', join(dir, '4'), '--jsonl', '-q']);
    const c = await cli(['scan', example, '--workers', '1', '--out', join(dir, 'one'), '--jsonl', '-q']);
    assert.equal(a.code, 1);
    assert.equal(b.code, 1);
    assert.equal(c.code, 1);
    assert.ok(a.out.split('\n').length > 100);
    assert.equal(b.out, a.out);
    assert.equal(c.out, a.out);
    assert.equal(readFileSync(join(dir, '4', 'findings.jsonl'), 'utf8'), readFileSync(join(dir, '1', 'findings.jsonl'), 'utf8'));
    assert.equal(readFileSync(join(dir, 'one', 'findings.jsonl'), 'utf8'), readFileSync(join(dir, '1', 'findings.jsonl'), 'utf8'));
    // The scan's timelines are rendered where the findings are made (workers); `exhunt report` renders them from
    // the parsed findings.jsonl: both ways give the same bytes.
    const again = await cli(['report', join(dir, '4'), '--out', join(dir, 'r')]);
    assert.equal(again.code, 0);
    for (const name of ['timeline.csv', 'timeline.jsonl']) {
      const scanned = readFileSync(join(dir, '4', name), 'utf8');
      assert.ok(scanned.split('\n').length > 100, name);
      assert.equal(readFileSync(join(dir, '1', name), 'utf8'), scanned, `${name}: --workers 0 and 4`);
      assert.equal(readFileSync(join(dir, 'r', name), 'utf8'), scanned, `${name}: scan and report`);
    }
    await same({ inputs: [example] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const CORRELATIONS = `title: ECP script request
id: 6f1e0c55-0000-4000-8000-000000000001
name: ecp_request
author: exhunt tests
level: low
logsource:
    category: webserver
detection:
    sel:
        cs-uri-stem|startswith: '/ecp/'
    condition: sel
---
title: OWA auth request
id: 6f1e0c55-0000-4000-8000-000000000002
name: owa_request
author: exhunt tests
level: low
logsource:
    category: webserver
detection:
    sel:
        cs-uri-stem|startswith: '/owa/'
    condition: sel
---
title: Many ECP requests from one client
id: 6f1e0c55-0000-4000-8000-000000000003
author: exhunt tests
level: high
correlation:
    type: event_count
    rules: [ecp_request]
    group-by: [c-ip]
    timespan: 10m
    condition:
        gte: 3
---
title: OWA then ECP from one client
id: 6f1e0c55-0000-4000-8000-000000000004
author: exhunt tests
level: critical
correlation:
    type: temporal_ordered
    rules: [owa_request, ecp_request]
    group-by: [c-ip]
    timespan: 1h
`;

function w3c(fields: string[], lines: string[]): string {
  return ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Fields: ${fields.join(' ')}`, ...lines].join('\r\n') + '\r\n';
}

test('correlations whose base matches lie in several files: identical results for --workers 1 and 4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-corr-'));
  try {
    const logs = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
    mkdirSync(logs, { recursive: true });
    const fields = ['date', 'time', 'cs-method', 'cs-uri-stem', 'c-ip', 'sc-status'];
    // Each client's requests alternate between files: one file alone never holds a whole correlation.
    for (let f = 0; f < 6; f++) {
      const lines: string[] = [];
      for (let i = 0; i < 40; i++) {
        const sec = f * 7 + i * 60;
        const t = `2021-03-03 ${String(4 + Math.floor(sec / 3600)).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
        lines.push(`${t} GET ${(i + f) % 3 === 0 ? '/owa/auth/logon.aspx' : `/ecp/x${i}.js`} 203.0.113.${(i % 5) + 1} 200`);
      }
      writeFileSync(join(logs, `u_ex21030${f}.log`), w3c(fields, lines));
    }
    const rules = join(dir, 'corr.yml');
    writeFileSync(rules, CORRELATIONS);
    const r = await same({ inputs: [join(dir, 'C')], sigma: [rules], builtinRules: false, minLevel: 'high' });
    const found = r.jsonl.split('\n').filter((l) => l.includes('"engine":"correlation"'));
    assert.ok(found.some((l) => l.includes('Many ECP requests')), 'event_count fired');
    assert.ok(found.some((l) => l.includes('OWA then ECP')), 'temporal_ordered fired');
    const files = new Set(found.map((l) => (JSON.parse(l) as { evidence: { path: string } }).evidence.path));
    assert.ok(files.size > 1, 'correlations closed in several files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a big IIS log read in byte ranges while #Fields: changes: identical for --workers 1 and 4, and to the whole-file read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-ranges-'));
  try {
    const logs = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
    mkdirSync(logs, { recursive: true });
    // The attack and benign fixture logs one after another (each with its own headers), and each again with
    // its columns in reverse order under a reversed #Fields: line.
    const parts: string[] = [];
    for (const name of ['benign', 'proxylogon', 'proxyshell', 'proxynotshell-owassrf', 'other-cves', 'sigmahq-web']) {
      const dayDir = join(fixtures, name, 'W3SVC1');
      for (const file of ['u_ex210301.log', 'u_ex210302.log', 'u_ex210813.log', 'u_ex221004.log', 'u_ex210814.log', 'u_ex210303.log']) {
        if (!existsSync(join(dayDir, file))) continue;
        const text = readFileSync(join(dayDir, file), 'utf8').replace(/\r/g, '').trimEnd();
        parts.push(text);
        parts.push(
          text
            .split('\n')
            .map((l) => (l.startsWith('#Fields: ') ? '#Fields: ' + l.slice(9).split(' ').reverse().join(' ') : l.startsWith('#') ? l : l.split(' ').reverse().join(' ')))
            .join('\n'),
        );
      }
    }
    const big = parts.join('\n') + '\n';
    writeFileSync(join(logs, 'u_ex210302.log'), big);
    assert.ok(big.length > 25_000);
    const inputs = [join(dir, 'C')];
    const ranged = await same({ inputs, rangeBytes: 2048 });
    const whole = await scan({ inputs, workers: 1 });
    assert.ok(ranged.findings > 20);
    assert.equal(ranged.jsonl, whole.jsonl);
    assert.equal(ranged.summary, whole.summary);
    // The attackers' requests are read again in the same ranges, on the workers, and replayed in job order.
    const taken = JSON.parse(ranged.taken) as { actors: unknown[]; mailboxes: unknown[] };
    assert.ok(taken.actors.length > 0 && taken.mailboxes.length > 0, 'the second read found the attackers\' requests');
    assert.equal(ranged.taken, whole.taken);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('more run files than one merge holds: the ranges of the final merge (no passes) and the passes of one merge give the same findings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-passes-'));
  try {
    const logs = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
    mkdirSync(logs, { recursive: true });
    const fields = ['date', 'time', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'c-ip', 'sc-status'];
    // Every request matches; each file's findings pass the size a job keeps inline, so each job writes a run file.
    for (let f = 0; f < 10; f++) {
      const lines: string[] = [];
      for (let i = 0; i < 400; i++) {
        const sec = (f * 400 + i) * 3;
        const t = `2021-03-03 ${String(Math.floor(sec / 3600) % 24).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`;
        lines.push(`${t} GET /ecp/x${(i * 7 + f) % 13}.js q=${String(f * 1000 + i).repeat(60)} 203.0.113.${(i % 9) + 1} 200`);
      }
      writeFileSync(join(logs, `u_ex2103${String(f + 10)}.log`), w3c(fields, lines));
    }
    const rules = join(dir, 'every.yml');
    writeFileSync(rules, CORRELATIONS.split('\n---\n')[0]!);
    const base = { inputs: [join(dir, 'C')], sigma: [rules], builtinRules: false, minLevel: 'low' as const };
    const phases = (w: number): { seen: Set<string>; opts: HuntOptions } => {
      const seen = new Set<string>();
      return { seen, opts: { ...base, workers: w, mergeFanIn: 3, rangesFrom: 0, onProgress: (p) => void seen.add(p.phase) } };
    };
    const zero = await scan({ ...base, workers: 0, mergeFanIn: 3 });
    assert.equal(zero.findings, 4000);
    for (const w of [1, 4]) {
      const p = phases(w);
      const r = await scan(p.opts);
      assert.ok(p.seen.has('ordering findings'), `--workers ${w}: the final merge ran by ranges on threads`);
      assert.equal(r.jsonl, zero.jsonl, `findings: --workers ${w} by ranges and --workers 0 in passes`);
      assert.equal(r.summary, zero.summary, `summary: --workers ${w}`);
      assert.equal(r.digest, zero.digest, `digest: --workers ${w}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ordered lines exhunt scan writes (findings.jsonl, timeline.csv, timeline.jsonl) are the same from the ranges read in turn as from one merge', async () => {
  const lines = async (workers: number): Promise<string> => {
    const out: string[] = [];
    const phases = new Set<string>();
    await hunt({
      inputs: [example],
      workers,
      rangesFrom: 0,
      timelines: true,
      onFindingLines: (json, t) => void out.push(json, t?.csv ?? '-', t?.sketch ?? '-'),
      onProgress: (p) => void phases.add(p.phase),
    });
    assert.equal(phases.has('ordering findings'), workers > 0, `--workers ${workers}: by ranges on threads or not`);
    return out.join('\n');
  };
  const zero = await lines(0);
  assert.ok(zero.length > 10_000 && zero.includes('T1505.003'), 'the example gives findings with their timeline lines');
  assert.equal(await lines(2), zero, '--workers 2, by ranges');
  assert.equal(await lines(1), zero, '--workers 1, one range');
});

test('the ordered outputs written by the ranges as files (onOrderedParts) are the bytes OrderedOutputs writes line by line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-parts-'));
  try {
    const write = async (workers: number, name: string): Promise<{ parts: number; lines: number }> => {
      const outputs = await OrderedOutputs.open(join(dir, name), attackCatalog(), true);
      const seen = { parts: 0, lines: 0 };
      await hunt({
        inputs: [example],
        workers,
        rangesFrom: 0,
        timelines: true,
        onFindingLines: async (json, t) => {
          seen.lines++;
          await outputs.writeLines(json, t!);
        },
        onOrderedParts: async (p) => {
          seen.parts++;
          if ('placed' in p) throw new Error('no files were given to write in place');
          for (const f of [p.findings, p.csv!, p.sketch!]) assert.ok(existsSync(f), `${f} is there to append`);
          await outputs.appendParts(p);
        },
      });
      await outputs.close();
      return seen;
    };
    assert.deepEqual(await write(0, 'zero'), { parts: 0, lines: (await readFile(join(dir, 'zero', 'findings.jsonl'), 'utf8')).split('\n').length - 1 });
    const two = await write(2, 'two');
    assert.equal(two.lines, 0, 'by ranges, every line comes in the parts');
    assert.equal(two.parts, 2, 'one part per range');
    assert.equal((await write(1, 'one')).parts, 1);
    for (const name of ['findings.jsonl', 'timeline.csv', 'timeline.jsonl']) {
      const zero = readFileSync(join(dir, 'zero', name), 'utf8');
      assert.ok(zero.split('\n').length > 100, name);
      assert.equal(readFileSync(join(dir, 'two', name), 'utf8'), zero, `${name}: two ranges`);
      assert.equal(readFileSync(join(dir, 'one', name), 'utf8'), zero, `${name}: one range`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the ranges write their stretches of the ordered outputs into the files in place (orderedFiles): the bytes OrderedOutputs writes line by line, nothing copied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-placed-'));
  try {
    const write = async (workers: number, name: string, withFindings = true): Promise<{ placed: { at: number; bytes: number }[]; lines: number }> => {
      const outputs = await OrderedOutputs.open(join(dir, name), attackCatalog(), withFindings);
      const seen = { placed: [] as { at: number; bytes: number }[], lines: 0 };
      await hunt({
        inputs: [example],
        workers,
        rangesFrom: 0,
        timelines: true,
        orderedFiles: () => outputs.targets(),
        onFindingLines: async (json, t) => {
          seen.lines++;
          await outputs.writeLines(json, t!);
        },
        onOrderedParts: (p) => {
          if (!('placed' in p)) throw new Error('the files were given: the ranges write in place');
          assert.equal(readdirSync(join(dir, name)).filter((f) => f.startsWith('range-')).length, 0);
          if (p.findings) seen.placed.push({ at: p.findings.at, bytes: p.findings.bytes });
          outputs.placed(p);
        },
      });
      await outputs.close();
      return seen;
    };
    await write(0, 'zero');
    const two = await write(2, 'two');
    assert.equal(two.lines, 0, 'by ranges, every line is written in place');
    assert.equal(two.placed.length, 2, 'one stretch per range');
    assert.equal(two.placed[1]!.at, two.placed[0]!.bytes, 'the second stretch begins where the first ends');
    assert.ok(two.placed[0]!.bytes > 0 && two.placed[1]!.bytes > 0);
    assert.equal((await write(1, 'one')).placed.length, 1);
    await write(3, 'three-no-findings', false);
    for (const name of ['findings.jsonl', 'timeline.csv', 'timeline.jsonl']) {
      const zero = readFileSync(join(dir, 'zero', name), 'utf8');
      assert.ok(zero.split('\n').length > 100, name);
      assert.equal(readFileSync(join(dir, 'two', name), 'utf8'), zero, `${name}: two ranges`);
      assert.equal(readFileSync(join(dir, 'one', name), 'utf8'), zero, `${name}: one range`);
      if (name !== 'findings.jsonl') assert.equal(readFileSync(join(dir, 'three-no-findings', name), 'utf8'), zero, `${name}: three ranges, no findings.jsonl`);
    }
    assert.ok(!existsSync(join(dir, 'three-no-findings', 'findings.jsonl')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exhunt scan --out --jsonl, ranges in place: stdout gets each stretch of findings.jsonl, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-placed-jsonl-'));
  try {
    const run = async (workers: number, name: string): Promise<string> => {
      const outputs = await OrderedOutputs.open(join(dir, name), attackCatalog(), true);
      const stdout: Buffer[] = [];
      await hunt({ inputs: [example], workers, rangesFrom: 0, timelines: true, ...orderedSinks(outputs, true, async (t) => void stdout.push(Buffer.from(t))) });
      await outputs.close();
      const text = Buffer.concat(stdout).toString('utf8');
      assert.equal(text, readFileSync(join(dir, name, 'findings.jsonl'), 'utf8'), `${name}: stdout is findings.jsonl`);
      return text;
    };
    const zero = await run(0, 'zero');
    assert.ok(zero.length > 10_000);
    assert.equal(await run(2, 'two'), zero);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
