// Generates rules/data/exchange-builds.json (the Exchange build catalogue, SU -> CVE map and CVE metadata)
// from the build table (§7) and HealthChecker SU->CVE map (§3.5) of ../shared/research/exchange.md, plus the hand-written facts below.
// Usage: node scripts/gen-exchange-builds.mjs [--check] [path/to/exchange.md]   (EXHUNT_SHARED overrides ../shared)
// --check: exit 1 when rules/data/exchange-builds.json differs from what the research text generates.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.EXHUNT_SHARED ? resolve(process.env.EXHUNT_SHARED) : resolve(root, '..', 'shared');
const args = process.argv.slice(2);
const check = args.includes('--check');
const researchPath = args.find((a) => !a.startsWith('--')) ?? join(shared, 'research', 'exchange.md');
const text = readFileSync(researchPath, 'utf8');
const out = join(root, 'rules', 'data', 'exchange-builds.json');

const PRODUCT = { 'Exchange 2013': '2013', 'Exchange 2016': '2016', 'Exchange 2019': '2019', 'Exchange SE': 'SE' };
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const SU_RE = /^[A-Z][a-z]{2}\d{2}(?:SU|HU)(?:v\d)?$/;

function section(startRe, endRe) {
  const start = text.search(startRe);
  if (start < 0) throw new Error(`section ${startRe} not found in ${researchPath}`);
  const rest = text.slice(start);
  const firstLine = rest.indexOf('\n') + 1;
  const end = rest.slice(firstLine).search(endRe);
  return end < 0 ? rest : rest.slice(0, firstLine + end);
}
function tableRows(body) {
  return body
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}
function parseDate(s) {
  const full = /^([A-Za-z]+) (\d{1,2}), (\d{4})$/.exec(s);
  if (full) return `${full[3]}-${pad(MONTHS.indexOf(full[1].toLowerCase()) + 1)}-${pad(+full[2])}`;
  const month = /^([A-Za-z]+), (\d{4})$/.exec(s);
  if (month) return `${month[2]}-${pad(MONTHS.indexOf(month[1].toLowerCase()) + 1)}`;
  return null;
}
function pad(n) {
  if (n < 1) throw new Error('bad month');
  return String(n).padStart(2, '0');
}

// ---- §7 build table --------------------------------------------------------------------------
const builds = [];
let lastCu = new Map();
for (const [product, build, name, date, note, source] of tableRows(section(/^## 7\. Build table/m, /^## /m))) {
  const p = PRODUCT[product];
  if (!p) throw new Error(`unknown product ${product}`);
  if (!/^15\.\d+\.\d+\.\d+$/.test(build)) throw new Error(`bad build ${build}`);
  // name shapes: "CU19", "SP1 (CU4) + KB3184736", "CU8 + KB4092041 (CSS label May18SU)", "CU12 (2022H1)",
  // "+ KB4471389" (inherits the previous row's CU), "RTM Mar21SU", "CU12 Aug23SUv2", "Preview".
  let cu = null;
  let su = null;
  let kb = null;
  const css = /\(CSS label (\w+)\)/.exec(name);
  if (css) su = css[1];
  const kbm = /\+ (KB\d+(?:v\d)?)/.exec(name);
  if (kbm) kb = kbm[1];
  const head = name.replace(/\(CSS label \w+\)/, '').replace(/\+ KB\d+(?:v\d)?/, '').trim();
  const tokens = head.split(/\s+/).filter(Boolean);
  for (const t of tokens) {
    if (/^CU\d+$/.test(t) || t === 'RTM' || t === 'Preview') cu = cu ?? t;
    else if (t === 'SP1') cu = cu ?? 'CU4';
    else if (t === '(CU4)') cu = 'CU4';
    else if (SU_RE.test(t)) su = t;
    else if (/^\(\d{4}H\d\)$/.test(t)) continue;
    else throw new Error(`unparsed name token ${t} in "${name}"`);
  }
  if (!cu) cu = lastCu.get(p) ?? null;
  if (!cu) throw new Error(`no CU for ${build} "${name}"`);
  lastCu.set(p, cu);
  const row = { product: p, build, cu, su, kb, label: name, released: parseDate(date), source };
  if (/^SP1/.test(name)) row.alias = 'SP1';
  if (note && !/^ProxyLogon: CVE|^CVE-|^ProxyShell CVE-2021-31207|^ProxyNotShell|^CVE-2021-28480/.test(note)) row.note = note;
  builds.push(row);
}

// ---- §3.5 SU -> CVE map (HealthChecker) -------------------------------------------------------
const securityUpdates = {};
const PRODS = { 13: '2013', 16: '2016', 19: '2019', SE: 'SE' };
for (const [su, list] of tableRows(section(/^### 3\.5 /m, /^(?:### |## |---)/m))) {
  const cves = {};
  for (const part of list.split(';')) {
    const m = /^(.*)\[([\w/]+)\]\s*$/.exec(part.trim());
    if (!m) throw new Error(`bad SU map cell ${part}`);
    const prods = m[2].split('/').map((x) => PRODS[x]);
    for (const id of m[1].split(',').map((s) => s.trim()).filter(Boolean)) cves[id] = prods;
  }
  securityUpdates[su] = { cves, source: 'HealthChecker SU->CVE map (research §3.5)' };
}
function addCves(su, ids, prods, source) {
  securityUpdates[su] ??= { cves: {}, source };
  for (const id of ids) securityUpdates[su].cves[id] ??= prods;
  if (securityUpdates[su].source !== source) securityUpdates[su].extraSource = source;
}
const range = (prefix, a, b) => Array.from({ length: b - a + 1 }, (_, i) => `${prefix}-${a + i}`);
// Facts from the research text that the HealthChecker map leaves out (§2.1, §3.3, §3.4 and the §7 notes).
addCves('Apr21SU', ['CVE-2021-34473', 'CVE-2021-34523'], ['2013', '2016', '2019'], 'research §2.1/§3.4: ProxyShell fixed in Apr21SU, disclosed Jul 2021; not in the HealthChecker map');
addCves('Jul21SU', ['CVE-2021-33766'], ['2013', '2016', '2019'], 'research §3.4/§7: ProxyToken, MSRC data; not in the HealthChecker map');
addCves('Nov24SUv2', ['CVE-2024-49040'], ['2016', '2019'], 'research §3.3: HealthChecker extra check (also open when a SettingOverride disables the fix)');
addCves('Aug25SU', ['CVE-2025-25005', 'CVE-2025-25006', 'CVE-2025-25007', 'CVE-2025-33051'], ['2016', '2019', 'SE'], 'research §3.3: HealthChecker extra check (also open when a SettingOverride disables the fix)');
addCves('Oct25SU', ['CVE-2025-53782', 'CVE-2025-59248'], ['2016', '2019', 'SE'], 'research §3.3: HealthChecker extra check (also open when a SettingOverride disables the fix)');
const msrc = 'research §7: MSRC data via righel/ms-exchange-version-nse, not cross-checked';
addCves('Jun26SU', ['CVE-2026-42897', ...range('CVE-2026', 45500, 45504), 'CVE-2026-45583', 'CVE-2026-47631'], ['2016', '2019', 'SE'], msrc);
addCves('Jul26SU', ['CVE-2026-55005', 'CVE-2026-55006', 'CVE-2026-55008', 'CVE-2026-55009'], ['2016', '2019', 'SE'], msrc);
addCves('Aug26SU', [...range('CVE-2026', 62910, 62915), 'CVE-2026-65813'], ['2016', '2019', 'SE'], msrc);

// Pre-2021 interim updates that only MS Learn lists (mostly Exchange 2013) carry a KB but no SU name, so HealthChecker
// would never count them and would call every 2013 server safe from e.g. Feb20SU's CVE-2020-0688. Name them when the
// month of the row equals the month of an SU that the map applies to this product, and the KB either carries that
// CSS label elsewhere or is new. Marked suInferred.
{
  const MON3 = MONTHS.map((m) => m.slice(0, 3));
  const cssLabelOfKb = new Map();
  for (const b of builds) if (b.kb && b.su && /CSS label/.test(b.label)) cssLabelOfKb.set(`${b.kb}|${b.su}`, true);
  for (const b of builds) {
    if (b.su || !b.kb || !b.released || b.released < '2018') continue;
    const [y, m] = b.released.split('-');
    const name = `${MON3[Number(m) - 1][0].toUpperCase()}${MON3[Number(m) - 1].slice(1)}${y.slice(2)}SU`;
    const entry = securityUpdates[name];
    if (!entry || !Object.values(entry.cves).some((prods) => prods.includes(b.product))) continue;
    const clash = builds.some((o) => o.kb === b.kb && o.su && o.su !== name);
    if (clash && !cssLabelOfKb.has(`${b.kb}|${name}`)) continue;
    b.su = name;
    b.suInferred = true;
  }
}

// Every SU name the catalogue carries gets an entry (SUs/HUs without CVEs in the map: empty list).
for (const b of builds) if (b.su && !securityUpdates[b.su]) securityUpdates[b.su] = { cves: {}, source: 'build table only (no CVEs mapped)' };
// SU release dates from the catalogue rows that carry the SU name; else the month its name says.
const MON3 = MONTHS.map((m) => m.slice(0, 3));
for (const [su, entry] of Object.entries(securityUpdates)) {
  const rows = builds.filter((b) => b.su === su);
  const dates = rows.map((b) => b.released).filter((d) => d && d.length === 10).sort();
  const months = rows.map((b) => b.released).filter(Boolean).sort();
  const fromName = `20${su.slice(3, 5)}-${pad(MON3.indexOf(su.slice(0, 3).toLowerCase()) + 1)}`;
  entry.released = dates[0] ?? months[0] ?? fromName;
  if (rows.length === 0) throw new Error(`SU ${su} has no build in the table`);
}
const SU_KB = { Mar21SU: 'KB5000871', Apr21SU: 'KB5001779', May21SU: 'KB5003435', Nov22SU: 'KB5019758', Mar24SU: 'KB5036386' };
for (const [su, kb] of Object.entries(SU_KB)) if (securityUpdates[su]) securityUpdates[su].kb = kb;

// ---- CVE metadata (names and exploitation), written by hand --------------------------------------
// exploitationStart values marked "outside the research" come from public reporting (Volexity, GTSC,
// CrowdStrike, CISA KEV) recalled by the author, not from ../shared/research; they are approximate.
const cves = {
  'CVE-2021-26855': { name: 'ProxyLogon', exploitedInWild: true, exploitationStart: '2021-01-03', note: 'research §1.6 places the exploitation window in Jan-Mar 2021; the day (first HAFNIUM activity reported by Volexity) is from outside the research' },
  'CVE-2021-26857': { name: 'ProxyLogon', exploitedInWild: true, exploitationStart: '2021-01-03', note: 'exploited with CVE-2021-26855 (HAFNIUM)' },
  'CVE-2021-26858': { name: 'ProxyLogon', exploitedInWild: true, exploitationStart: '2021-01-03', note: 'exploited with CVE-2021-26855 (HAFNIUM)' },
  'CVE-2021-27065': { name: 'ProxyLogon', exploitedInWild: true, exploitationStart: '2021-01-03', note: 'exploited with CVE-2021-26855 (HAFNIUM)' },
  'CVE-2021-34473': { name: 'ProxyShell', exploitedInWild: true, exploitationStart: '2021-08-06', note: 'mass exploitation followed the Black Hat talk of 2021-08-05 (date from outside the research)' },
  'CVE-2021-34523': { name: 'ProxyShell', exploitedInWild: true, exploitationStart: '2021-08-06', note: 'see CVE-2021-34473' },
  'CVE-2021-31207': { name: 'ProxyShell', exploitedInWild: true, exploitationStart: '2021-08-06', note: 'see CVE-2021-34473' },
  'CVE-2021-33766': {
    name: 'ProxyToken',
    exploitedInWild: true,
    exploitationStart: null,
    notAffectedFrom: { 2016: '15.1.2308.8', 2019: '15.2.922.7' },
    note: 'listed as exploited by CISA KEV (outside the research); start date unknown. research §3.4: 2016 CU21 and 2019 CU10 are not in the MSRC affected list (the CU already contains the fix), so they are not affected although they later got a Jul21SU build',
  },
  'CVE-2022-41040': { name: 'ProxyNotShell', exploitedInWild: true, exploitationStart: '2022-08-01', note: 'GTSC reported attacks from early August 2022 (research §2.2 gives the 2022-09-28 disclosure; the start is from outside the research)' },
  'CVE-2022-41082': { name: 'ProxyNotShell', exploitedInWild: true, exploitationStart: '2022-08-01', note: 'also the RCE half of OWASSRF' },
  'CVE-2022-41080': { name: 'OWASSRF', exploitedInWild: true, exploitationStart: '2022-12-01', note: 'research §2.3: Play/Cuba ransomware, Dec 2022' },
  'CVE-2020-0688': { name: 'ECP static validation key (ViewState)', exploitedInWild: true, exploitationStart: '2020-02-26', note: 'exploitation reported from late February 2020 (outside the research)' },
  'CVE-2021-42321': { name: null, exploitedInWild: true, exploitationStart: '2021-11-09', note: 'Microsoft reported limited targeted attacks at release (outside the research)' },
  'CVE-2024-21410': { name: 'Exchange NTLM relay', exploitedInWild: true, exploitationStart: '2024-02-13', configuration: 'extended-protection', note: 'research §3.4: no code SU, fixed by Extended Protection' },
  'CVE-2025-53786': { name: 'Exchange hybrid shared service principal', exploitedInWild: false, exploitationStart: null, configuration: 'hybrid-app', note: 'research §3.4: Apr25HU plus a mandatory configuration step (dedicated Exchange hybrid application)' },
  'CVE-2023-21529': { name: null, exploitedInWild: false, exploitationStart: null, note: 'research §3.4 headline (Feb23SU)' },
  'CVE-2024-26198': { name: null, exploitedInWild: false, exploitationStart: null, note: 'research §3.4 headline (Mar24SU)' },
};

const configuration = {
  'extended-protection': {
    cves: ['CVE-2024-21410', 'CVE-2022-24516', 'CVE-2022-21979', 'CVE-2022-21980', 'CVE-2022-24477', 'CVE-2022-30134'],
    buildPrerequisite: 'Aug22SU',
    summary: 'Extended Protection (Windows authentication channel binding) must be enabled on the Exchange IIS virtual directories; the build only makes it possible (Aug22SU or later). Exchange 2019 CU14 and later enable it at setup unless told not to.',
    evidence: 'C:/Windows/System32/inetsrv/config/applicationHost.config with extendedProtection tokenChecking="Require" (or "Allow" where documented) on the Exchange virtual directories; HealthChecker output; Exchange setup logs showing CU14+ without /DoNotEnableEP.',
  },
  'hybrid-app': {
    cves: ['CVE-2025-53786'],
    buildPrerequisite: 'Apr25HU',
    summary: 'Hybrid deployments must move from the shared first-party service principal to a dedicated Exchange hybrid application in Entra ID and reset the old keyCredentials; the build (Apr25HU or later) only makes this possible.',
    evidence: 'Exchange organisation configuration (Get-AuthServer, the EnableExchangeHybrid3PAppFeature setting override), the output of ConfigureExchangeHybridApplication.ps1, and Entra ID sign-in/audit logs for the application; none of this appears in IIS or Exchange protocol logs.',
  },
};

const products = {
  2013: { name: 'Exchange 2013', major: '15.0', extendedSupportEnd: '2023-04-11', supportedCus: ['CU23'] },
  2016: { name: 'Exchange 2016', major: '15.1', extendedSupportEnd: '2025-10-14', supportedCus: ['CU23'] },
  2019: { name: 'Exchange 2019', major: '15.2', extendedSupportEnd: '2025-10-14', supportedCus: ['CU14', 'CU15'] },
  SE: { name: 'Exchange Server SE', major: '15.2', minBuild: 2562, extendedSupportEnd: '2035-12-31', supportedCus: ['RTM'] },
};

const catalogue = {
  description: 'Exchange Server build catalogue, security update -> CVE map and CVE metadata for exhunt exposure',
  generatedBy: 'scripts/gen-exchange-builds.mjs',
  sources: [
    'research/exchange.md §7 build table (MS Learn build-number page as parsed by righel/ms-exchange-version-nse, and the CSS-Exchange HealthChecker dictionary)',
    'research/exchange.md §3.5 HealthChecker SU->CVE map, with the additions listed per SU',
    'CVE names and exploitation dates: see each CVE note',
  ],
  notes: [
    'Exchange 2016 CU8 Mar21SU: CSS says 15.1.1415.8, MS Learn says 15.1.1415.10. Both rows are kept and both carry Mar21SU; the "patched for Mar21SU" threshold is the lower one (15.1.1415.8), which is what HealthChecker does.',
    'Exchange 2016 CU9 Mar21SU: CSS says 15.1.1466.13, MS Learn says 15.1.1466.16. Both kept; the threshold is 15.1.1466.13 (HealthChecker).',
    'Exchange 2019 CU9 has two MS Learn rows (15.2.858.2 "March 2021" and 15.2.858.5 "March 16, 2021", the CSS base). The CU base is the lowest (858.2) so both classify as CU9; HealthChecker only knows 858.5.',
    'Pre-2021 interim updates carry the SU name HealthChecker gives them ("CSS label"); MS Learn-only interim rows have no SU name and never count as an SU.',
    'Rows marked "CSS only" have no MS Learn release date (released: null). Rows after Feb26SU (Jun26SU, Jul26SU, Aug26SU, SE May26HU) come from MS Learn only and are not cross-checked; their CVE lists are MSRC data and not cross-checked either.',
    'ProxyShell CVE-2021-34473/-34523 were fixed by Apr21SU but disclosed in July 2021 (MSRC dates are publication dates); they are added to Apr21SU although the HealthChecker map leaves them out. ProxyToken CVE-2021-33766 is added to Jul21SU from MSRC data.',
    'CVE-2024-49040, CVE-2025-25005/-25006/-25007/-33051, CVE-2025-53782/-59248 are HealthChecker extra checks: open when the build lacks the SU, and also when a SettingOverride disables the fix (configuration not visible offline).',
    'Rows with a KB but no SU name (MS Learn-only interim updates from 2018-2020, mostly Exchange 2013) get the SU name of the same month when the SU->CVE map applies that SU to the product (suInferred: true). HealthChecker does not do this and would not report e.g. CVE-2020-0688 on Exchange 2013; we chose to report it.',
    'SU release dates: the earliest full date among the builds carrying the SU; for CSS-only SUs without a date, the month of the SU name (e.g. Mar18SU -> 2018-03). Some pre-2021 interim rows are dated by MS Learn later than their CSS SU name (e.g. Oct18SU builds dated December 2018).',
    'Exploitation start dates are approximate; those not in the research text are marked so in the CVE note.',
    'Extended support end dates and supported-CU flags are HealthChecker\'s (research §3.2).',
  ],
  products,
  builds,
  securityUpdates,
  cves,
  configuration,
};
const json = JSON.stringify(catalogue, null, 1) + '\n';
if (check) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing file: reported below
  }
  if (current !== json) {
    console.error(`${out} is out of date: run node scripts/gen-exchange-builds.mjs`);
    process.exit(1);
  }
  console.log(`${out} is up to date`);
  process.exit(0);
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, json);
console.log(`wrote ${out}: ${builds.length} builds, ${Object.keys(securityUpdates).length} security updates, ${Object.keys(cves).length} CVE notes`);
