// Files on disk in the example: inert imitations of the traces (web shells, a PST written as .aspx,
// an LSASS minidump header, a staged archive), clean-install pages, and the EOMT web.config mitigation.
import { Collection, V15 } from './model.js';
import { SHELL_CHOPPER, SHELL_CSR, SHELL_PST, T } from './attack.js';
import type { Prng } from './prng.js';

const INSTALLED = T('2020-12-15T18:20:00Z');

function filler(rng: Prng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(0, 255);
  return b;
}
function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const bufs = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p)));
  return new Uint8Array(Buffer.concat(bufs));
}

export function diskFiles(c: Collection): void {
  const rng = c.rng;
  const auth = `${V15}/FrontEnd/HttpProxy/owa/auth`;
  // Clean-install pages (shortened, harmless).
  for (const page of ['logon.aspx', 'logoff.aspx', 'errorFE.aspx', 'ExpiredPassword.aspx', 'frowny.aspx', 'RedirSuiteServiceProxy.aspx']) {
    const cls = page.replace('.aspx', '');
    c.disk(`${auth}/${page}`, `<%@ Page language="c#" AutoEventWireup="false" Inherits="Microsoft.Exchange.HttpProxy.${cls}" %>\r\n<!DOCTYPE html>\r\n<html><head><title>Outlook</title></head><body><!-- exhunt example: shortened clean-install page --></body></html>\r\n`, INSTALLED);
  }
  c.disk(`${auth}/15.1.2176/themes/resources/logon.css`, '/* exhunt example: OWA logon stylesheet placeholder */\r\nbody { font-family: "Segoe UI", sans-serif; }\r\n', INSTALLED);
  c.disk(`${V15}/FrontEnd/HttpProxy/ecp/auth/TimeoutLogout.aspx`, '<%@ Page language="c#" Inherits="Microsoft.Exchange.HttpProxy.TimeoutLogout" %>\r\n<html><body></body></html>\r\n', INSTALLED);

  // CVE-2021-27065 drop: a China-Chopper-like one-liner. Inert: the eval text sits inside a string literal.
  c.disk(`${auth}/${SHELL_CHOPPER}`,
    `<%@ Page Language="Jscript"%><%/* exhunt example: inert imitation of a China Chopper trace, not functional */ var imitation = 'eval(Request.Item["exh"],"unsafe");';%>\r\n`,
    T('2021-03-02T03:12:33Z'));
  // Compiled leftover of that page in Temporary ASP.NET Files.
  c.disk(`C/Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa_auth/${rng.hex(8)}/${rng.hex(8)}/${SHELL_CHOPPER.toLowerCase()}.${rng.hex(8)}.compiled`,
    `<?xml version="1.0" encoding="utf-8"?>\r\n<preserve resultType="3" virtualPath="/owa/auth/${SHELL_CHOPPER}" hash="${rng.hex(9)}" filehash="${rng.hex(15)}" flags="110000" assembly="App_Web_${rng.alnum(8).toLowerCase()}" />\r\n`,
    T('2021-03-02T03:20:12Z'));

  // ProxyShell drop: a mailbox export written as .aspx. Starts with the PST magic "!BDN"; the draft's
  // "payload" is an inert comment, not code.
  c.disk(`${auth}/${SHELL_PST}`, concat('!BDN', filler(rng, 508),
    '<script language="JScript" runat="server">/* exhunt example: inert imitation of a draft-mail payload */</script>', filler(rng, 3584)),
    T('2021-08-13T21:44:02Z'));
  // Certificate request written as .aspx (DER SEQUENCE header, subject text).
  c.disk(`C/inetpub/wwwroot/aspnet_client/${SHELL_CSR}`, concat(new Uint8Array([0x30, 0x82, 0x02, 0x5a, 0x30, 0x82, 0x01, 0x42, 0x02, 0x01, 0x00, 0x30, 0x2f]),
    'CN=exhunt imitation of a script subject', filler(rng, 560)), T('2021-08-13T21:45:30Z'));

  // Credential dump and staging (Test-ProxyLogon's "suspicious files"): minidump header + filler, 7z magic + filler.
  c.disk('C/Windows/Temp/lsass.dmp', concat('MDMP', new Uint8Array([0x93, 0xa7, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00]), filler(rng, 24_564)), T('2021-03-02T03:41:09Z'));
  c.disk('C/ProgramData/it.7z', concat('7z', new Uint8Array([0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]), filler(rng, 12_280)), T('2021-03-02T03:58:47Z'));

  // IIS configuration: the two Exchange sites, plus a virtual directory the ProxyShell actor added that
  // serves C:\ProgramData\COM (a persistence trick seen in August 2021).
  c.disk('C/Windows/System32/inetsrv/config/applicationHost.config', `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.applicationHost>
    <sites>
      <site name="Default Web Site" id="1" serverAutoStart="true">
        <application path="/" applicationPool="DefaultAppPool">
          <virtualDirectory path="/" physicalPath="%SystemDrive%\\inetpub\\wwwroot" />
        </application>
        <application path="/owa" applicationPool="MSExchangeOWAAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa" />
          <virtualDirectory path="/assets" physicalPath="C:\\ProgramData\\COM" />
        </application>
        <application path="/ecp" applicationPool="MSExchangeECPAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\ecp" />
        </application>
        <bindings>
          <binding protocol="https" bindingInformation="*:443:" />
          <binding protocol="http" bindingInformation="*:80:" />
        </bindings>
      </site>
      <site name="Exchange Back End" id="2" serverAutoStart="true">
        <application path="/" applicationPool="MSExchangeServicesAppPool">
          <virtualDirectory path="/" physicalPath="C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess" />
        </application>
        <bindings>
          <binding protocol="https" bindingInformation="*:444:" />
          <binding protocol="http" bindingInformation="*:81:" />
        </bindings>
      </site>
    </sites>
  </system.applicationHost>
</configuration>
`.replaceAll('\n', '\r\n'), T('2021-08-13T22:05:40Z'));

  // EOMT (CVE-2021-26855 mitigation) URL-rewrite rules, applied on 2021-03-16.
  c.disk('C/inetpub/wwwroot/web.config', `<?xml version="1.0" encoding="UTF-8"?>
<configuration>
  <system.webServer>
    <rewrite>
      <rules>
        <rule name="X-AnonResource-Backend Abort - inbound" stopProcessing="true">
          <match url=".*" />
          <conditions>
            <add input="{HTTP_COOKIE}" pattern="(.*)X-AnonResource-Backend(.*)" />
          </conditions>
          <action type="AbortRequest" />
        </rule>
        <rule name="X-BEResource Abort - inbound" stopProcessing="true">
          <match url=".*" />
          <conditions>
            <add input="{HTTP_COOKIE}" pattern="(.*)X-BEResource=(.+)/(.+)~(.+)" />
          </conditions>
          <action type="AbortRequest" />
        </rule>
      </rules>
    </rewrite>
  </system.webServer>
</configuration>
`.replaceAll('\n', '\r\n'), T('2021-03-16T10:05:12Z'));
}
