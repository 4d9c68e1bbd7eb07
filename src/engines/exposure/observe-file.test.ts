// observeFile on files the test writes: a tiny PE with a version resource (built with resedit), a web.config
// with the EOMT and EEMS rewrite rules, a UTF-16 .reg export, and damaged variants that become diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NtExecutable, NtExecutableResource, Resource } from 'resedit';
import type { Diagnostic } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { createExposureCollector, findRewriteMitigations, observeFile, readPeVersion } from './index.js';

function tinyPe(version: [number, number, number, number], fileVersionText: string): Buffer {
  const exe = NtExecutable.createEmpty(false, false);
  const res = NtExecutableResource.from(exe);
  const vi = Resource.VersionInfo.createEmpty();
  vi.setFileVersion(...version, 1033);
  vi.setStringValues({ lang: 1033, codepage: 1200 }, { FileVersion: fileVersionText, ProductName: 'Microsoft® Exchange' });
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  return Buffer.from(exe.generate());
}

const dir = mkdtempSync(join(tmpdir(), 'exhunt-exposure-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function evidence(rel: string, bytes: Buffer | string): Evidence {
  const abs = join(dir, rel.replace(/\//g, '_'));
  writeFileSync(abs, bytes);
  const st = statSync(abs);
  return { absPath: abs, path: rel, root: dir, kind: 'file', size: st.size, mtime: '2021-03-08T10:00:00.000Z' };
}

test('ExSetup.exe: the PE version resource gives the build at collection time', async () => {
  const pe = tinyPe([15, 1, 2176, 14], '15.01.2176.014');
  assert.deepEqual(readPeVersion(pe), { fixed: '15.1.2176.14', fileVersion: '15.01.2176.014', productVersion: null });
  const r = await observeFile(evidence('C/Program Files/Microsoft/Exchange Server/V15/Bin/ExSetup.exe', pe));
  assert.equal(r.builds.length, 1);
  assert.deepEqual([r.builds[0]!.source, r.builds[0]!.time, r.builds[0]!.text], ['ExSetup.exe version resource', null, '15.01.2176.014']);
  assert.deepEqual(r.builds[0]!.build, { major: 15, minor: 1, build: 2176, revision: 14 });
});

test('ExSetup.exe that is not a PE, or not an Exchange version: a diagnostic, no crash', async () => {
  const diags: Diagnostic[] = [];
  const r1 = await observeFile(evidence('V15/Bin/ExSetup.exe', Buffer.from('MZ this is not really a PE')), (d) => diags.push(d));
  const r2 = await observeFile(evidence('other/Bin/ExSetup.exe', tinyPe([1, 2, 3, 4], '1.2.3.4')), (d) => diags.push(d));
  assert.deepEqual([r1.builds, r2.builds], [[], []]);
  assert.deepEqual(diags.map((d) => [d.code, d.location?.path]), [
    ['EXPOSURE_BAD_BUILD', 'V15/Bin/ExSetup.exe'],
    ['EXPOSURE_BAD_BUILD', 'other/Bin/ExSetup.exe'],
  ]);
});

const WEB_CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <rewrite>
      <rules>
        <rule name="X-AnonResource-Backend Abort - inbound" stopProcessing="true">
          <match url=".*" /><conditions><add input="{HTTP_COOKIE}" pattern="(.*)X-AnonResource-Backend(.*)" /></conditions>
          <action type="AbortRequest" />
        </rule>
        <rule name="X-BEResource Abort - inbound" stopProcessing="true"><match url=".*" /><action type="AbortRequest" /></rule>
        <rule name='EEMS M1.1 PowerShell - inbound' stopProcessing="true"><match url=".*" /><action type="AbortRequest" /></rule>
        <rule name="Redirect to OWA"><match url="^$" /></rule>
      </rules>
    </rewrite>
  </system.webServer>
</configuration>`;

test('web.config: EOMT and EEMS rewrite rules are mitigations dated by the file mtime', async () => {
  const r = await observeFile(evidence('C/inetpub/wwwroot/web.config', WEB_CONFIG));
  assert.deepEqual(r.mitigations.map((m) => [m.name, m.first, m.cves, m.path]), [
    ['EOMT', '2021-03-08T10:00:00.000Z', ['CVE-2021-26855'], 'C/inetpub/wwwroot/web.config'],
    ['EEMS', '2021-03-08T10:00:00.000Z', ['CVE-2022-41040'], 'C/inetpub/wwwroot/web.config'],
  ]);
  assert.match(r.mitigations[0]!.detail, /"X-AnonResource-Backend Abort - inbound", "X-BEResource Abort - inbound"/);
  // The same rules in another web.config (an application's) are not the Default Web Site's: ignored.
  assert.deepEqual((await observeFile(evidence('C/inetpub/wwwroot/owa/web.config', WEB_CONFIG))).mitigations, []);
  assert.deepEqual(findRewriteMitigations('<rule name="PowerShell - inbound">').map((m) => m.name), ['EOMTv2']);
  assert.deepEqual(findRewriteMitigations('<add input="{REQUEST_URI}" pattern=".*autodiscover\\.json.*\\@.*Powershell.*" />').map((m) => m.name), ['ProxyNotShell manual rewrite']);
  assert.deepEqual(findRewriteMitigations('<configuration><broken'), []);
});

test('.reg export (UTF-16): Setup MSI version (CU level) and installed SUs dated by InstalledDate', async () => {
  const reg = [
    'Windows Registry Editor Version 5.00',
    '',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v15\\Setup]',
    '"MsiInstallPath"="C:\\\\Program Files\\\\Microsoft\\\\Exchange Server\\\\V15\\\\"',
    '"MsiProductMajor"=dword:0000000f',
    '"MsiProductMinor"=dword:00000001',
    '"MsiBuildMajor"=dword:00000880',
    '"MsiBuildMinor"=dword:00000002',
    '',
    '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Updates\\Exchange 2016\\KB5000871]',
    '"PackageName"="Security Update for Exchange Server 2016 Cumulative Update 19 (KB5000871)"',
    '"InstalledDate"="3/5/2021"',
    '',
  ].join('\r\n');
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(reg, 'utf16le')]);
  const r = await observeFile(evidence('registry/exchange.reg', bytes));
  assert.deepEqual(
    r.builds.map((b) => [b.source, b.build.major, b.build.minor, b.build.build, b.build.revision, b.time, b.ref.line]),
    [
      ['registry (Setup MSI version)', 15, 1, 2176, null, null, 3],
      ['registry (installed update)', 15, 1, 2176, 9, '2021-03-05T00:00:00.000Z', 10],
    ],
  );
  // The same export as UTF-8 (no BOM) reads alike.
  const utf8 = await observeFile(evidence('registry/exchange-utf8.reg', reg));
  assert.deepEqual(utf8.builds.map((b) => [b.source, b.time]), r.builds.map((b) => [b.source, b.time]));
});

test('collector.observeFile feeds mitigations and builds into the summary', async () => {
  const c = createExposureCollector();
  await c.observeFile(evidence('C/inetpub/wwwroot/web.config', WEB_CONFIG));
  await c.observeFile(evidence('Bin/ExSetup.exe', tinyPe([15, 1, 2176, 2], '15.01.2176.002')));
  await c.observeFile(evidence('notes.txt', 'nothing here'));
  const { summary, findings } = c.finish([]);
  assert.deepEqual(summary.mitigations.map((m) => m.name), ['EOMT', 'EEMS']);
  assert.deepEqual(summary.builds.map((b) => [b.build, b.cu]), [['15.1.2176.2', 'CU19']]);
  const pl = findings.find((f) => f.cves.includes('CVE-2021-26855'))!;
  assert.match(pl.message!, /mitigation seen: EOMT from 2021-03-08T10:00:00\.000Z/);
});

test('applicationHost.config: Extended Protection on the Exchange locations is configuration evidence for CVE-2024-21410', async () => {
  const xml = `<configuration>
  <location path="Default Web Site/ecp" overrideMode="Allow"><system.webServer><security><authentication>
    <windowsAuthentication enabled="true"><extendedProtection tokenChecking="Require" /></windowsAuthentication>
  </authentication></security></system.webServer></location>
  <location path="Default Web Site/owa"><system.webServer><security><authentication>
    <windowsAuthentication enabled="false"><extendedProtection tokenChecking="Allow" /></windowsAuthentication>
  </authentication></security></system.webServer></location>
  <location path="Exchange Back End/EWS"><system.webServer><security><authentication>
    <windowsAuthentication enabled="true"><extendedProtection tokenChecking="None" /></windowsAuthentication>
  </authentication></security></system.webServer></location>
  <location path="Other Site/app"><extendedProtection tokenChecking="Require" /></location>
</configuration>`;
  const r = await observeFile(evidence('C/Windows/System32/inetsrv/config/applicationHost.config', xml));
  assert.equal(r.mitigations.length, 1);
  assert.equal(r.mitigations[0]!.name, 'Extended Protection');
  assert.ok(r.mitigations[0]!.cves!.includes('CVE-2024-21410'));
  assert.match(r.mitigations[0]!.detail, /on 2 of 3 Exchange IIS locations \(not on Exchange Back End\/EWS\)/);
  const off = await observeFile(evidence('C/Windows/System32/inetsrv/config/applicationHost.config', xml.replace(/"(Require|Allow)"/g, '"None"')));
  assert.deepEqual(off.mitigations, []);
});
