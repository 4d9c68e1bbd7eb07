// Generates exhunt's bundled example collection (KAPE-style tree under argv[2], default
// examples/exchange-2021/) deterministically: benign Exchange traffic with every rule's attack traces.
//
// The story (all times UTC, attackers in documentation address ranges):
//   2021-03-01 22:10  198.51.100.23 probes the ProxyLogon SSRF and CVE-2020-0688
//   2021-03-02 03:05  UM InvalidCastException (CVE-2021-26857)
//   2021-03-02 03:10  203.0.113.77: CVE-2021-26855 SSRF via /ecp/y.js -> Set-OabVirtualDirectory with script and
//                     a virtual directory reset (CVE-2021-27065) -> shell in owa/auth; OAB generator write (26858)
//   2021-03-02 03:20  antSword drives the shell; lsass.dmp (03:41), C:\ProgramData\it.7z (03:58)
//   2021-03-02 04:05  CEO mailbox exported to \\localhost\c$\ProgramData\pst, export request removed
//   2021-03-03 14:02  192.0.2.44 sweeps for other actors' web shells
//   2021-03-16        EOMT mitigation in inetpub\wwwroot\web.config (file time only)
//   2021-08-01        the server goes behind a balancer (nodes 10.0.1.5, 10.0.1.6): IIS logs u_ex*_x.log with an
//                     X-Forwarded-For custom field from then on, c-ip being a node
//   2021-08-13 21:40  198.51.100.61 ProxyShell -> role assignment, export to owa\auth\*.aspx, certificate request
//   2021-08-14 02:17  ProxyToken inbox rule, CVE-2021-28480 attempt, then past the balancer with a forged
//                     X-Forwarded-For: 127.0.0.1;  2021-11-18 CVE-2021-42321 Get-App failure
//   2022-10-04        ProxyNotShell by a phished user;  2022-12-20 OWASSRF
// The server ran Exchange 2016 CU19 15.1.2176.2 throughout (never patched).
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';
import { Collection, type ExampleWritten } from './example/model.js';
import { Prng } from './example/prng.js';
import { benignDay, makeUsers, mgmt } from './example/benign.js';
import { forgedPastBalancer, laterCves, proxyLogon, proxyShell, T } from './example/attack.js';
import { diskFiles } from './example/files.js';

export const EXAMPLE_SEED = 20210302;
/** The balancer nodes in front of the server from August 2021 on. */
export const EXAMPLE_BALANCERS = ['10.0.1.5', '10.0.1.6'] as const;
const DAY = 86_400_000;

/** Builds the whole example in memory and writes it to `out` (replacing what is there). */
export function makeExample(out: string): ExampleWritten {
  const c = new Collection(new Prng(EXAMPLE_SEED));
  const users = makeUsers(c.rng);
  c.balancer = { from: T('2021-08-01T00:00:00Z'), nodes: [...EXAMPLE_BALANCERS] };
  for (let d = T('2021-02-28T00:00:00Z'); d <= T('2021-03-05T00:00:00Z'); d += DAY) benignDay(c, users, d, 220);
  for (const day of ['2021-08-13', '2021-08-14', '2022-10-04', '2022-12-20']) benignDay(c, users, T(`${day}T00:00:00Z`), 80);
  // A planned export by the administrator to the file server: context (low), not an alert.
  mgmt(c, T('2021-03-01T10:12:40Z'), 'New-MailboxExportRequest', `-Mailbox '${users[5]!.upn}' -FilePath '\\\\fs01\\pst$\\${users[5]!.sam}.pst'`, 'Remote-PowerShell-Unknown');
  proxyLogon(c);
  proxyShell(c, users);
  laterCves(c, users);
  diskFiles(c);
  forgedPastBalancer(c);
  rmSync(out, { recursive: true, force: true });
  return c.write(out);
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const out = resolve(process.argv[2] ?? join('examples', 'exchange-2021'));
  const { files, bytes } = makeExample(out);
  process.stdout.write(`example written to ${out}: ${files} files, ${(bytes / 1e6).toFixed(2)} MB\n`);
}
