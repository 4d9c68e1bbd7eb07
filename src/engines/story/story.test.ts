// Tests for the story engine: episodes linked by IP, file name and time; steps in time order with tactics;
// verdict levels; remediation derived from findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attackCatalog } from '../../attack/index.js';
import type { Finding } from '../../finding.js';
import { buildStory, decideVerdict, remediationSteps } from './index.js';
import { ATTACKER, SCANNER, sampleFindings, sampleSummary, sampleTaken } from './testdata/sample-scan.js';

const cat = attackCatalog();

test('the ProxyLogon intrusion is one episode told in order, the scanner another', () => {
  const eps = buildStory(sampleFindings(), cat);
  assert.equal(eps.length, 2);
  const [main, scan] = eps;
  assert.deepEqual(main!.ips, [ATTACKER]);
  assert.deepEqual(scan!.ips, [SCANNER]);
  assert.deepEqual(
    main!.steps.map((s) => s.headline),
    [
      'Initial access through the ProxyLogon SSRF (CVE-2021-26855)',
      'File written through ECP virtual-directory settings (CVE-2021-27065)',
      'Web shell found on disk',
      'Web shell used',
      'LSASS memory dumped',
      'Data archived for exfiltration',
    ],
  );
  assert.deepEqual(main!.tactics, ['initial-access', 'persistence', 'credential-access', 'collection']);
  const ssrf = main!.steps[0]!;
  assert.equal(ssrf.count, 3);
  assert.equal(ssrf.evidence[0]!.ref.line, 12);
  assert.equal(ssrf.first, '2021-03-03T01:05:00.000Z');
  assert.equal(ssrf.last, '2021-03-03T01:07:00.000Z');
  assert.match(main!.summary, /^From 203\.0\.113\.77 on 2021-03-03: Initial access/);
  // the LSASS dump has no IP: it joined through the dump file name, not by accident
  assert.ok(main!.files.includes('lsass.dmp'));
});

test('a host-only finding far from any episode stays on its own', () => {
  const lone: Finding = { ...sampleFindings()[9]!, time: '2021-06-01T00:00:00.000Z', fields: { CommandLine: 'procdump -ma lsass' } };
  const eps = buildStory([...sampleFindings(), lone], cat);
  assert.equal(eps.length, 3);
});

test('verdict: compromised with reasons; exploitation attempted; exposed; no evidence', () => {
  const all = sampleFindings();
  const s = sampleSummary(all);
  const v = decideVerdict(all, s, cat);
  assert.equal(v.kind, 'compromised');
  assert.ok(v.reasons.some((r) => /WEBSHELL_ASPX_Chopper_Like/.test(r)));
  const onlyExploit = all.filter((f) => f.attack.includes('T1190') || f.cves.length > 0).filter((f) => f.engine !== 'yara' && !f.attack.includes('T1505.003'));
  assert.equal(decideVerdict(onlyExploit, s, cat).kind, 'exploitation-attempted');
  assert.equal(decideVerdict([], s, cat).kind, 'exposed');
  const clean = { ...s, exposure: null };
  const none = decideVerdict([], clean, cat);
  assert.equal(none.kind, 'no-evidence');
  assert.ok(none.reasons.some((r) => r.startsWith('Blind spot:')));
});

test('remediation follows the findings', () => {
  const all = sampleFindings();
  const s = sampleSummary(all);
  const steps = remediationSteps(all, s, sampleTaken(), decideVerdict(all, s, cat), cat);
  const titles = steps.map((x) => x.title);
  assert.ok(titles.includes('Patch Exchange'));
  const patch = steps.find((x) => x.title === 'Patch Exchange')!;
  assert.match(patch.items[0]!, /^Install build 15\.1\.2308\.14 or later/);
  assert.ok(patch.items.includes('CVE-2021-34473 (ProxyShell): fixed in 15.1.2308.14'));
  assert.ok(steps.find((x) => x.title.startsWith('Remove web shells'))!.items.includes('C/inetpub/wwwroot/aspnet_client/shell.aspx'));
  assert.ok(titles.includes('Reset credentials'));
  assert.ok(titles.includes('Reset tampered virtual directories'));
  assert.ok(steps.find((x) => x.title.startsWith('Block'))!.items.includes(ATTACKER));
  const cleanSteps = remediationSteps([], { ...s, exposure: null }, null, decideVerdict([], { ...s, exposure: null }, cat), cat);
  assert.deepEqual(cleanSteps.map((x) => x.title), ['Keep Exchange current']);
});
