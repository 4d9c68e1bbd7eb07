// Writes small collections for the load-balancer tests: IIS logs in the shape IIS 8.5+ writes them with a
// custom X-Forwarded-For field (file u_exYYMMDD_x.log, column named after the header, '+' for spaces).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BALANCERS = ['10.0.0.5', '10.0.0.6'];
export const ATTACKER = '203.0.113.77';
/** What the attacker put in front of its own address in X-Forwarded-For: a claim the balancer passed on. */
export const ATTACKER_SPOOF = '192.0.2.10';
export const USERS = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);

const FIELDS = 'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';
const OUTLOOK = 'Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro)';
const IPHONE = 'Apple-iPhone12C1/1805.114';

function header(date: string, extra: string): string[] {
  return ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', `#Date: ${date} 00:00:00`, `#Fields: ${FIELDS}${extra ? ' ' + extra : ''}`];
}

function t(i: number): string {
  return `2021-03-03 ${String(8 + Math.floor(i / 60) % 10).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;
}

/** One IIS line; `xff` is written as IIS writes a custom field (spaces as '+', '-' when absent). */
function line(time: string, method: string, stem: string, query: string, user: string, cip: string, ua: string, status: number, xff?: string): string {
  const base = `${time} 10.0.0.20 ${method} ${stem} ${query} 443 ${user} ${cip} ${ua} - ${status} 0 0 15`;
  return xff === undefined ? base : `${base} ${xff === '' ? '-' : xff.replace(/ /g, '+')}`;
}

/**
 * A front end behind two balancer nodes: every c-ip is a balancer, clients only in X-Forwarded-For (`column`
 * names that column as the log writes it). Users read mail through Outlook and phones; the balancer probes
 * health without the header; the attacker drives a web shell and reads the CEO's mailbox over EWS.
 */
export function writeBehindBalancer(dir: string, column = 'X-Forwarded-For'): void {
  const w3svc = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
  mkdirSync(w3svc, { recursive: true });
  const lines = header('2021-03-03', column);
  let n = 0;
  for (let i = 0; i < 240; i++) {
    const lb = BALANCERS[i % 2]!;
    const user = USERS[i % USERS.length]!;
    if (i % 3 === 0) lines.push(line(t(n++), 'POST', '/EWS/Exchange.asmx', '-', `user${i % USERS.length}@contoso.com`, lb, OUTLOOK, 200, user));
    else if (i % 3 === 1) lines.push(line(t(n++), 'POST', '/Microsoft-Server-ActiveSync/default.eas', `Cmd=Sync&User=user${i % USERS.length}&DeviceId=X&DeviceType=iPhone`, `user${i % USERS.length}@contoso.com`, lb, IPHONE, 200, user));
    else lines.push(line(t(n++), 'GET', '/owa/', '&ClientId=ABC&ex=OWA', `user${i % USERS.length}@contoso.com`, lb, 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)', 200, `${user}, ${lb}`));
    if (i % 12 === 0) lines.push(line(t(n++), 'GET', '/owa/healthcheck.htm', '-', '-', lb, 'F5-Health-Monitor', 200, ''));
  }
  // The attack: a web shell driven with antSword, once with a forged address in front of its own.
  lines.push(line('2021-03-03 21:10:00', 'POST', '/aspnet_client/shell.aspx', '-', '-', BALANCERS[0]!, 'antSword/v2.1', 200, ATTACKER));
  lines.push(line('2021-03-03 21:11:00', 'POST', '/aspnet_client/shell.aspx', '-', '-', BALANCERS[1]!, 'antSword/v2.1', 200, `${ATTACKER_SPOOF}, ${ATTACKER}`));
  lines.push(line('2021-03-03 21:20:00', 'POST', '/EWS/Exchange.asmx', '-', 'ceo@contoso.com', BALANCERS[0]!, 'python-requests/2.25.1', 200, ATTACKER));
  writeFileSync(join(w3svc, 'u_ex210303_x.log'), lines.join('\r\n') + '\r\n');

  // HttpProxy rows: one that names the client (Exchange took it from X-Forwarded-For), one that names only the balancer.
  const hp = join(dir, 'C', 'Program Files', 'Microsoft', 'Exchange Server', 'V15', 'Logging', 'HttpProxy', 'Ecp');
  mkdirSync(hp, { recursive: true });
  const fields = 'DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,Protocol,UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,Method,TargetServer,RoutingType,RoutingHint,BackEndCookie,UrlQuery,GenericInfo';
  writeFileSync(
    join(hp, 'HttpProxy_2021030321-1.LOG'),
    [
      '#Software: Microsoft Exchange Server',
      '#Version: 15.01.2176.002',
      '#Log-type: HttpProxy Logs',
      '#Date: 2021-03-03T21:00:00.000Z',
      `#Fields: ${fields}`,
      `2021-03-03T21:05:00.000Z,b3f1c2d4-0000-4000-8000-000000000001,15,1,2176,2,Ecp,mail.contoso.com,/ecp/y.js,,False,,ServerInfo~a]@EXCH01.contoso.com:444/autodiscover/autodiscover.xml?#,python-requests/2.25.1,${BALANCERS[0]},EXCH01,200,200,POST,EXCH01.contoso.com,Server,X-BEResource-Cookie,,,`,
      `2021-03-03T21:06:00.000Z,b3f1c2d4-0000-4000-8000-000000000002,15,1,2176,2,Ecp,mail.contoso.com,/ecp/y.js,,False,,ServerInfo~a]@EXCH01.contoso.com:444/mapi/emsmdb/?#,python-requests/2.25.1,${ATTACKER} ${BALANCERS[1]},EXCH01,200,200,POST,EXCH01.contoso.com,Server,X-BEResource-Cookie,,,`,
    ].join('\r\n') + '\r\n',
  );
}

export const SPOOFER = '203.0.113.99';

/** A server with no proxy in front: ordinary clients, and an attacker that forges X-Forwarded-For: 127.0.0.1. */
export function writeDirectWithSpoof(dir: string): void {
  const w3svc = join(dir, 'C', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
  mkdirSync(w3svc, { recursive: true });
  const lines = header('2021-03-03', 'X-Forwarded-For');
  for (let i = 0; i < 100; i++) {
    // Clients behind their own company proxy send X-Forwarded-For too: a claim, never their address here.
    lines.push(line(t(i), 'GET', '/owa/', '&ClientId=ABC&ex=OWA', `user${i % 10}@contoso.com`, USERS[i % 10]!, 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)', 200, i % 4 === 0 ? `10.9.8.${i % 7}` : ''));
  }
  lines.push(line('2021-03-03 21:10:00', 'POST', '/aspnet_client/shell.aspx', '-', '-', SPOOFER, 'antSword/v2.1', 200, '127.0.0.1'));
  lines.push(line('2021-03-03 21:20:00', 'POST', '/EWS/Exchange.asmx', '-', 'ceo@contoso.com', SPOOFER, 'python-requests/2.25.1', 200, '127.0.0.1'));
  writeFileSync(join(w3svc, 'u_ex210303_x.log'), lines.join('\r\n') + '\r\n');
}
