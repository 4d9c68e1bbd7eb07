// Tests for rebuilding Windows paths from collection layouts, URL mapping, folder places, and the
// clean-install baseline judging paths and URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgePath, judgeUrl, mayBeScriptPage } from './baseline.js';
import { isLogPath, placeOf, urlPathOf, windowsPathOf } from './locate.js';

const EX = 'C:\\Program Files\\Microsoft\\Exchange Server\\V15';

test('windowsPathOf: KAPE drive folder, Velociraptor C%3A, top folders, partial roots', () => {
  assert.equal(windowsPathOf('/cases/srv1', 'C/inetpub/wwwroot/aspnet_client/x.aspx'), 'C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx');
  assert.equal(windowsPathOf('/cases/v', 'uploads/auto/C%3A/Windows/Temp/a.dmp'), 'C:\\Windows\\Temp\\a.dmp');
  assert.equal(windowsPathOf('/cases/x', 'D:/ExchangeData/a.zip'), 'D:\\ExchangeData\\a.zip');
  assert.equal(windowsPathOf('/cases/x', 'srv/inetpub/wwwroot/a.aspx'), 'C:\\inetpub\\wwwroot\\a.aspx');
  assert.equal(windowsPathOf('/cases/srv1/inetpub/wwwroot', 'aspnet_client/a.aspx'), 'C:\\inetpub\\wwwroot\\aspnet_client\\a.aspx');
  assert.equal(windowsPathOf('/Users/alice/case', 'a.aspx'), '\\a.aspx', "macOS /Users is not Windows' Users");
  assert.equal(windowsPathOf('/e/V15/FrontEnd/HttpProxy', 'owa/auth/a.aspx'), '\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\a.aspx');
});

test('urlPathOf maps Exchange and Default Web Site folders to the URL IIS serves', () => {
  assert.equal(urlPathOf(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx`), '/owa/auth/x.aspx');
  assert.equal(urlPathOf(`${EX}\\FrontEnd\\HttpProxy\\ecp\\auth\\y.aspx`), '/ecp/auth/y.aspx');
  assert.equal(urlPathOf(`${EX}\\ClientAccess\\ecp\\z.aspx`), '/ecp/z.aspx');
  assert.equal(urlPathOf('C:\\inetpub\\wwwroot\\aspnet_client\\s.aspx'), '/aspnet_client/s.aspx');
  assert.equal(urlPathOf('C:\\Windows\\Temp\\s.aspx'), null);
});

test('placeOf and isLogPath', () => {
  assert.equal(placeOf('C:\\Windows\\Temp\\lsass.dmp'), 'staging');
  assert.equal(placeOf('C:\\root\\1.dmp'), 'staging');
  assert.equal(placeOf('C:\\x.dmp'), 'staging');
  assert.equal(placeOf('C:\\ProgramData\\pst\\it.zip'), 'programdata');
  assert.equal(placeOf('C:\\ProgramData\\Microsoft\\Windows\\WER\\ReportQueue\\a\\m.hdmp'), 'crash-dumps');
  assert.equal(placeOf('C:\\inetpub\\wwwroot\\aspnet_client\\a.zip'), 'web');
  assert.equal(placeOf('C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\owa\\a.compiled'), 'temporary-aspnet');
  assert.equal(placeOf('C:\\Program Files\\App\\x.zip'), 'other');
  assert.equal(isLogPath(`${EX}\\Logging\\HttpProxy\\Ecp\\HttpProxy_2021030301-1.LOG`), true);
  assert.equal(isLogPath('C:\\inetpub\\logs\\LogFiles\\W3SVC1\\u_ex210303.log'), true);
  assert.equal(isLogPath('C:\\inetpub\\wwwroot\\aspnet_client\\x.aspx'), false);
  assert.equal(isLogPath('C:\\Users\\a\\notes.txt'), false);
});

test('judgePath: clean pages expected, other scripts unexpected, subfolders and inner extensions', () => {
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx`)?.verdict, 'expected');
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\LOGON.ASPX`)?.verdict, 'expected');
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\errorEE.aspx`)?.verdict, 'unexpected');
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\Current\\logon.aspx`)?.verdict, 'unexpected', 'allowed names only at the top');
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\owa\\auth\\15.2.1118\\themes\\logon.css`), null);
  assert.equal(judgePath(`${EX}\\FrontEnd\\HttpProxy\\ecp\\auth\\TimeoutLogout.aspx`)?.verdict, 'expected');
  const req = judgePath(`${EX}\\FrontEnd\\HttpProxy\\ecp\\auth\\x.aspx.req`)!;
  assert.equal(req.verdict, 'unexpected');
  assert.equal(req.executable, false);
  assert.equal(judgePath('C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\4_0_30319\\a.aspx')?.folder.id, 'aspnet-client');
  assert.equal(judgePath('C:\\inetpub\\wwwroot\\iisstart.aspx')?.folder.id, 'wwwroot');
  assert.equal(judgePath('C:\\inetpub\\wwwroot\\other\\page.aspx'), null, 'other sites under wwwroot are not judged');
  assert.equal(judgePath(`${EX}\\ClientAccess\\ecp\\default.aspx`), null);
});

test('judgeUrl: the same baseline for request URLs and .compiled virtual paths', () => {
  assert.equal(judgeUrl('/owa/auth/logon.aspx')?.verdict, 'expected');
  assert.equal(judgeUrl('/owa/auth/errorEE.aspx')?.verdict, 'unexpected');
  assert.equal(judgeUrl('/aspnet_client/supp0rt.aspx')?.verdict, 'unexpected');
  assert.equal(judgeUrl('/OAB/log.aspx')?.verdict, 'unexpected');
  assert.equal(judgeUrl('/iisstart.aspx')?.verdict, 'unexpected');
  assert.equal(judgeUrl('/ecp/default.aspx'), null);
  assert.equal(judgeUrl('/owa/auth/15.2.1118/themes/resources/logon.css'), null);
});

test('mayBeScriptPage: never false where judgeUrl (on the decoded, slash-normalised URL) finds a page', () => {
  const urls = [
    '/owa/auth/errorEE.aspx', '/OWA/AUTH/X.ASPX', '/owa/auth/x.aspx/', '/owa/auth/x.aspx//', '\\owa\\auth\\x.aspx', '/owa/auth/x.aspx?a=b/c.js',
    '/aspnet_client/a.aspx.req', '/aspnet_client/a.ashx', '/owa/auth/x%2Easpx', '/owa/auth/%78.aspx', '/owa/auth/logon.aspx',
    '/owa/auth/x.css', '/ecp/y.js', '/EWS/Exchange.asmx', '/mapi/emsmdb/', '/', '', '/owa/auth/x.aspx.', '/a.b/c', '/iisstart.aspx',
  ];
  let pages = 0;
  for (const u of urls) {
    const decoded = decodeURIComponent(u).replace(/\\/g, '/').replace(/\/{2,}/g, '/');
    if (judgeUrl(decoded) !== null) {
      pages++;
      assert.ok(mayBeScriptPage(u), u);
    }
  }
  assert.ok(pages >= 8, 'the list exercises real pages');
  for (const u of ['/owa/auth/x.css', '/ecp/y.js', '/EWS/Exchange.bak', '/mapi/emsmdb/', '/', '']) assert.equal(mayBeScriptPage(u), false, u);
});
