import { createExposureCollector } from './src/engines/exposure/index.ts';
const c = createExposureCollector();
const evs = [];
for (let i = 0; i < 200000; i++) {
  const t = new Date(Date.UTC(2021, 2, 1) + i * 1000).toISOString();
  evs.push({ source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version: '15.01.2176.002', time: t, host: 'EX', ref: { path: 'a', line: i, kind: 'x' }, fields: { MajorVersion: '15', MinorVersion: '1', BuildVersion: '2176', RevisionVersion: '2' } });
  evs.push({ source: 'w3c', site: 'W3SVC1', time: t, host: null, ref: { path: 'b', line: i, kind: 'iis' }, fields: { 'cs-uri-stem': i % 3 ? '/owa/auth/15.1.2176/themes/x.css' : '/ecp/default.aspx', 'sc-status': '200' } });
}
const t0 = performance.now();
for (const e of evs) c.observeEvent(e as never);
const t1 = performance.now();
const r = c.finish([]);
console.log(`${evs.length} events in ${(t1 - t0).toFixed(0)} ms (${(evs.length / ((t1 - t0) / 1000) / 1e6).toFixed(2)} M/s); finish ${(performance.now() - t1).toFixed(0)} ms; builds ${r.summary.builds.length} findings ${r.findings.length}`);
{
  let n = 0;
  const t0 = performance.now();
  for (const e of evs) { const f = (e as { fields: Record<string, string> }).fields; if (f['S:BLD'] ?? f['MajorVersion']) n++; }
  console.log(`baseline field read ${(performance.now() - t0).toFixed(0)} ms`, n);
  const { observeBuild } = await import('./src/engines/exposure/index.ts');
  const t1 = performance.now();
  for (const e of evs) if (observeBuild(e as never)) n++;
  console.log(`observeBuild alone ${(performance.now() - t1).toFixed(0)} ms`);
}
