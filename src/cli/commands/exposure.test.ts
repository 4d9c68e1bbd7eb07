// `exhunt exposure` end to end through main(): build lookups (text and JSON), bad input exit 2, and --url against
// fake Exchange servers on 127.0.0.1 (header, logon page, manifest, no version, timeout, proxy, self-signed TLS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Finding } from '../../finding.js';
import { projectRoot } from '../../paths.js';
import type { ScanSummary } from '../../summary.js';
import { main } from '../main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

const MANIFEST = `<?xml version="1.0" encoding="utf-8"?>
<asmv1:assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0" xmlns:asmv1="urn:schemas-microsoft-com:asm.v1">
  <assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="15.1.2176.9" publicKeyToken="0000000000000000" language="neutral" processorArchitecture="msil" xmlns="urn:schemas-microsoft-com:asm.v1" />
</asmv1:assembly>`;
const LOGON = '<html><head><link rel="stylesheet" href="/owa/auth/15.1.2176/themes/resources/owafont_vn.css"></head><body>Outlook</body></html>';

type Mode = 'full' | 'page-only' | 'none' | 'hang';
function exchange(mode: Mode) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (mode === 'hang') return; // never answers
    const url = req.url ?? '';
    if (url === '/owa/' || url.endsWith('/owa/')) {
      const h: Record<string, string> = { location: '/owa/auth/logon.aspx?replaceCurrent=1&url=%2fowa%2f' };
      if (mode === 'full') h['x-owa-version'] = '15.1.2176.2';
      res.writeHead(302, h).end();
    } else if (url.includes('/owa/auth/logon.aspx')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(mode === 'none' ? '<html>Welcome</html>' : LOGON);
    } else if (url.endsWith('/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application') && mode === 'full') {
      res.writeHead(200, { 'content-type': 'application/x-ms-application' }).end(MANIFEST);
    } else {
      res.writeHead(404).end('not found');
    }
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
async function withServer<T>(mode: Mode, fn: (base: string) => Promise<T>): Promise<T> {
  const server = createServer(exchange(mode));
  const port = await listen(server);
  try {
    return await fn(`http://127.0.0.1:${port}/`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

test('exposure <build>: product, CU, SU, support, missing SUs and open CVEs with first fixing builds', async () => {
  const r = await run('exposure', '15.1.2176.2', '--as-of', '2021-03-10');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Product: +Exchange 2016/);
  assert.match(r.out, /CU: +CU19 \(released 2020-12-15\)/);
  assert.match(r.out, /Support: +supported — CU19 is a supported CU of Exchange 2016 on 2021-03-10/);
  assert.match(r.out, /Mar21SU +2021-03-02 first fixing build 15\.1\.2176\.9 \(CU19 Mar21SU\)/);
  assert.match(r.out, /^! CVE-2021-26855 ProxyLogon — exploited in the wild since 2021-01-03 — fixed in 15\.1\.2176\.9 \(CU19 Mar21SU\)/m);
  assert.match(r.out, /^ {2}CVE-2021-28480 — fixed in 15\.1\.2176\.12/m);
  assert.match(r.out, /CVE-2024-21410.*\n.*build prerequisite Aug22SU: MISSING/);
});

test('exposure <build> --json', async () => {
  const r = await run('exposure', '15.02.2562.017', '--json', '--as-of', '2025-08-01');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { build: { productName: string; cu: string }; support: { status: string }; missingSecurityUpdates: { su: string }[]; openCves: { id: string; fixedIn: { build: string } }[] };
  assert.deepEqual([j.build.productName, j.build.cu, j.support.status], ['Exchange Server SE', 'RTM', 'supported']);
  assert.equal(j.missingSecurityUpdates[0]!.su, 'Aug25SU');
  assert.equal(j.openCves.find((c) => c.id === 'CVE-2025-59249')!.fixedIn.build, '15.2.2562.29');
});

test('bad input: clear message, exit 2', async () => {
  for (const [args, re] of [
    [['15.x'], /"15\.x" is not an Exchange build number/],
    [['banana'], /"banana" is not an Exchange build number/],
    [['15.1.-2176.2'], /negative/],
    [['14.3.123.4'], /not an Exchange 2013\/2016\/2019\/SE build/],
    [[], /give a build number or --url/],
    [['15.1.2176.2', '--url', 'http://127.0.0.1:9/'], /either a build number or --url, not both/],
    [['--url', 'not a url'], /is not a URL/],
    [['--url', 'ftp://host/'], /ftp: URLs are not supported/],
  ] as [string[], RegExp][]) {
    const r = await run('exposure', ...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, re, args.join(' '));
    assert.equal(r.out, '');
  }
  assert.equal((await run('exposure', '15.1.2176.2', '--timeout', 'soon')).code, 2);
});

test('--url: X-OWA-Version header, logon page path and exporttool manifest', async () => {
  await withServer('full', async (base) => {
    const r = await run('exposure', '--url', base, '--json', '--timeout', '2000');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { probe: { best: { text: string; source: string }; candidates: { text: string; source: string }[] }; build: { su: string | null; cu: string } };
    assert.deepEqual(j.probe.best, { text: '15.1.2176.2', source: 'OWA X-OWA-Version header', url: `${base}owa/` });
    assert.deepEqual(j.probe.candidates.map((c) => [c.source, c.text]).sort(), [
      ['ECP exporttool manifest', '15.1.2176.9'],
      ['OWA X-OWA-Version header', '15.1.2176.2'],
      ['OWA logon page resource path', '15.1.2176'],
    ]);
    assert.equal(j.build.cu, 'CU19');
  });
});

test('--url: only the logon page path -> three parts, flagged as a guess', async () => {
  await withServer('page-only', async (base) => {
    const r = await run('exposure', '--url', base, '--timeout', '2000');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /version 15\.1\.2176 from the OWA logon page resource path .* three parts only, not exact/);
    assert.match(r.out, /not in the build catalogue: a guess, placed on the nearest lower known build 15\.1\.2176\.2/);
  });
});

test('--url: a page without a version, a server that never answers, nothing listening -> exit 2', async () => {
  await withServer('none', async (base) => {
    const r = await run('exposure', '--url', base, '--timeout', '2000');
    assert.equal(r.code, 2);
    assert.match(r.err, /answered but no page named an Exchange version/);
  });
  await withServer('hang', async (base) => {
    const r = await run('exposure', '--url', base, '--timeout', '200');
    assert.equal(r.code, 2);
    assert.match(r.err, /no answer from/);
  });
  const closed = createServer();
  const port = await listen(closed);
  await new Promise((r) => closed.close(r));
  const r = await run('exposure', '--url', `http://127.0.0.1:${port}/`, '--timeout', '1000');
  assert.equal(r.code, 2);
  assert.match(r.err, /no answer from/);
});

test('--url honours HTTP_PROXY: an unresolvable host is reached through the proxy', async () => {
  await withServer('full', async (base) => {
    const target = new URL(base);
    const seen: string[] = [];
    // A forward proxy that sends every request (absolute URI or CONNECT) to the fake Exchange server.
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const u = new URL(req.url ?? '/');
      const up = httpRequest({ host: target.hostname, port: target.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      seen.push(`CONNECT ${req.url}`);
      const up = connect(Number(target.port), target.hostname, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    const pport = await listen(proxy);
    const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'], http_proxy: process.env['http_proxy'], no_proxy: process.env['no_proxy'] };
    process.env['HTTP_PROXY'] = `http://127.0.0.1:${pport}`;
    delete process.env['http_proxy'];
    delete process.env['NO_PROXY'];
    delete process.env['no_proxy'];
    try {
      const r = await run('exposure', '--url', 'http://exchange.invalid/', '--json', '--timeout', '2000');
      assert.equal(r.code, 0, r.err);
      assert.equal((JSON.parse(r.out) as { probe: { best: { text: string } } }).probe.best.text, '15.1.2176.2');
      assert.ok(seen.some((s) => s.includes('exchange.invalid')), seen.join(', '));
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
test('--url over HTTPS: self-signed certificate refused unless --insecure or trusted via NODE_EXTRA_CA_CERTS', { skip: !hasOpenssl && 'needs openssl to make a test certificate' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'exhunt-tls-'));
  try {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    assert.equal(made.status, 0);
    const server = createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, exchange('full'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const refused = await run('exposure', '--url', base, '--timeout', '2000');
      assert.equal(refused.code, 2);
      assert.match(refused.err, /no answer from .*(certificate|self.signed)/i);
      const ok = await run('exposure', '--url', base, '--insecure', '--timeout', '2000');
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, /version 15\.1\.2176\.2 from the OWA X-OWA-Version header/);
      // NODE_EXTRA_CA_CERTS is read at process start: a child process trusting the test CA needs no --insecure.
      const mainUrl = new URL('../main.js', import.meta.url).href;
      const code = `const { main } = await import(${JSON.stringify(mainUrl)}); process.exitCode = await main(['exposure', '--url', ${JSON.stringify(base)}, '--timeout', '2000']);`;
      const child = await new Promise<{ status: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'c.pem') } });
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('close', (status) => resolve({ status, out, err }));
      });
      assert.equal(child.status, 0, child.err);
      assert.match(child.out, /version 15\.1\.2176\.2 from the OWA X-OWA-Version header/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Done-means of issue 5: a scan of the example collection reports the build it ran, the CVEs open when the
// attack traces were left, and the EOMT mitigation in web.config.
const example = join(projectRoot, 'examples', 'exchange-2021');
test('scan of the example collection: build, open CVEs at the time of the traces, web.config mitigation', { skip: !existsSync(example) && 'examples/exchange-2021 not generated' }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'exhunt-example-'));
  try {
    const r = await run('scan', example, '--out', out, '--workers', '1', '-q');
    assert.ok(r.code === 0 || r.code === 1, r.err);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as ScanSummary;
    const exp = summary.exposure!;
    assert.deepEqual(exp.builds.map((b) => [b.build, b.product, b.cu]), [['15.1.2176.2', 'Exchange 2016', 'CU19']]);
    assert.ok(exp.builds[0]!.sources.includes('ECP S:BLD'));
    assert.ok(exp.builds[0]!.sources.includes('exchange log #Version'));
    assert.ok(exp.windows.some((w) => w.cve === 'CVE-2021-26855' && w.to === null));
    assert.deepEqual(exp.mitigations.map((m) => [m.name, m.path]), [['EOMT', 'C/inetpub/wwwroot/web.config']]);
    const findings = readFileSync(join(out, 'findings.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Finding);
    const pl = findings.find((f) => f.engine === 'exposure' && f.cves.includes('CVE-2021-26855'))!;
    assert.equal(pl.level, 'high');
    assert.match(pl.message!, /server ran 15\.1\.2176\.2 .*vulnerable to ProxyLogon .*exploitation traces found on 2021-03-0\d/);
    assert.match(pl.message!, /mitigation seen: EOMT/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
