import { observeBuild } from './src/engines/exposure/index.ts';
const N = 100000;
const ex = { source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version: '15.01.2176.002', time: 't', host: 'EX', ref: { path: 'a', line: 1, kind: 'x' }, fields: { MajorVersion: '15', MinorVersion: '1', BuildVersion: '2176', RevisionVersion: '2' } };
const exv = { ...ex, fields: {} };
const w = { source: 'w3c', site: 'W3SVC1', time: 't', host: null, ref: { path: 'b', line: 1, kind: 'iis' }, fields: { 'cs-uri-stem': '/owa/auth/15.1.2176/themes/x.css', 'sc-status': '200' } };
const w2 = { ...w, fields: { 'cs-uri-stem': '/ecp/default.aspx', 'sc-status': '200' } };
for (const [name, e] of [['cols', ex], ['version', exv], ['owa', w], ['plain', w2]] as const) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) observeBuild(e as never);
  console.log(name, ((performance.now() - t0) * 1000 / N).toFixed(2), 'us');
}
