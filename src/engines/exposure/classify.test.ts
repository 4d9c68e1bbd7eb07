// Table tests for build parsing, classification (product, CU, SU, guesses) and HealthChecker's "patched for SU X"
// rule, including every headline row of research §3.4 (first fixing builds) and CUs that never got an SU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HuntError } from '../../diagnostics.js';
import { assessBuild, classifyBuild, isPatchedFor, parseBuild } from './index.js';

test('parseBuild: short, long (zero-padded) and 3-part forms', () => {
  assert.deepEqual(parseBuild('15.1.2176.2'), { major: 15, minor: 1, build: 2176, revision: 2 });
  assert.deepEqual(parseBuild('15.01.2176.002'), { major: 15, minor: 1, build: 2176, revision: 2 });
  assert.deepEqual(parseBuild(' 15.2.1544.9 '), { major: 15, minor: 2, build: 1544, revision: 9 });
  assert.deepEqual(parseBuild('15.1.2176'), { major: 15, minor: 1, build: 2176, revision: null });
});

test('parseBuild: bad input is EXPOSURE_BAD_BUILD with a reason', () => {
  const cases: [string, RegExp][] = [
    ['15.x', /3 or 4 dot-separated numbers/],
    ['banana', /not an Exchange build number/],
    ['15.1.-3.2', /part 3 \(-3\) is negative/],
    ['-15.1.2176.2', /part 1 .* negative/],
    ['15.1.2176.x', /part 4 .* not a number/],
    ['15.1.2176.2.1', /3 or 4/],
    ['', /empty/],
    ['15..2176.2', /part 2/],
  ];
  for (const [input, re] of cases) {
    assert.throws(
      () => parseBuild(input),
      (e: unknown) => e instanceof HuntError && e.code === 'EXPOSURE_BAD_BUILD' && re.test(e.message),
      input,
    );
  }
});

test('classification: product, CU, SU for known builds', () => {
  const rows: [string, string, string | null, string | null][] = [
    ['15.0.1497.2', 'Exchange 2013', 'CU23', null],
    ['15.0.847.32', 'Exchange 2013', 'CU4', null], // SP1 = CU4
    ['15.0.1497.12', 'Exchange 2013', 'CU23', 'Mar21SU'],
    ['15.1.2176.2', 'Exchange 2016', 'CU19', null],
    ['15.1.2176.9', 'Exchange 2016', 'CU19', 'Mar21SU'],
    ['15.1.1415.7', 'Exchange 2016', 'CU8', 'May18SU'], // CSS label on an interim update
    ['15.1.2507.44', 'Exchange 2016', 'CU23', 'Nov24SUv2'],
    ['15.2.221.12', 'Exchange 2019', 'RTM', null],
    ['15.2.858.2', 'Exchange 2019', 'CU9', null], // MS Learn-only first CU9 row
    ['15.2.858.5', 'Exchange 2019', 'CU9', null],
    ['15.2.1544.25', 'Exchange 2019', 'CU14', 'Apr25HU'],
    ['15.2.1748.10', 'Exchange 2019', 'CU15', null],
    ['15.2.2562.17', 'Exchange Server SE', 'RTM', null],
    ['15.2.2562.37', 'Exchange Server SE', 'RTM', 'Feb26SU'],
  ];
  for (const [b, product, cu, su] of rows) {
    const i = classifyBuild(parseBuild(b));
    assert.deepEqual([i.productName, i.cu, i.su, i.known, i.guessed], [product, cu, su, true, false], b);
  }
});

test('classification: 15.2 build >= 2562 is SE, below is 2019; other majors are unknown', () => {
  assert.equal(classifyBuild(parseBuild('15.2.2562.0')).product, 'SE');
  assert.equal(classifyBuild(parseBuild('15.2.2561.99')).product, '2019');
  assert.equal(classifyBuild(parseBuild('15.2.2561.99')).cu, 'CU15');
  assert.throws(() => classifyBuild(parseBuild('16.0.1.1')), (e: unknown) => e instanceof HuntError && e.code === 'EXPOSURE_UNKNOWN_BUILD');
  assert.throws(() => classifyBuild(parseBuild('15.3.100.1')), (e: unknown) => e instanceof HuntError && e.code === 'EXPOSURE_UNKNOWN_BUILD');
});

test('unknown builds sit on the nearest lower known build, flagged as a guess', () => {
  const rows: [string, string | null, string | null, string | null][] = [
    ['15.1.2176.3', '15.1.2176.2', 'CU19', null],
    ['15.1.2176.10', '15.1.2176.9', 'CU19', 'Mar21SU'],
    ['15.2.2562.99', '15.2.2562.46', 'RTM', 'Aug26SU'],
    ['15.1.2176', '15.1.2176.2', 'CU19', null], // 3 parts: lowest known revision
    ['15.1.100.0', null, null, null], // older than every 2016 build
  ];
  for (const [b, nearest, cu, su] of rows) {
    const i = classifyBuild(parseBuild(b));
    assert.deepEqual([i.guessed, i.known, i.nearest, i.cu, i.su], [true, false, nearest, cu, su], b);
  }
  // The guess does not change the comparison: 15.1.2176.10 is above the Mar21SU build, so ProxyLogon is closed.
  assert.equal(open('15.1.2176.10', 'CVE-2021-26855'), null);
  assert.equal(open('15.1.2176.3', 'CVE-2021-26855'), '15.1.2176.9');
});

/** fixedIn build when `cve` is open on `build`, null when it is not open. */
function open(build: string, cve: string): string | null | 'open-without-fix' {
  const a = assessBuild(parseBuild(build), { asOf: '2026-01-01' });
  const c = a.openCves.find((x) => x.id === cve);
  if (!c) return null;
  return c.fixedIn?.build ?? 'open-without-fix';
}

// research §3.4: [CVE, build just below the fix, first fixing build] per product; the fixing build itself is not open.
const HEADLINE: [string, string, string][] = [
  // ProxyLogon (Mar21SU)
  ['CVE-2021-26855', '15.0.1497.10', '15.0.1497.12'],
  ['CVE-2021-26855', '15.0.1395.10', '15.0.1395.12'],
  ['CVE-2021-26855', '15.0.1473.5', '15.0.1473.6'],
  ['CVE-2021-26855', '15.0.847.62', '15.0.847.64'],
  ['CVE-2021-26857', '15.1.2176.4', '15.1.2176.9'],
  ['CVE-2021-26858', '15.1.2106.8', '15.1.2106.13'],
  ['CVE-2021-27065', '15.2.792.5', '15.2.792.10'],
  ['CVE-2021-26855', '15.2.721.8', '15.2.721.13'],
  ['CVE-2021-26855', '15.2.221.17', '15.2.221.18'],
  // ProxyShell (Apr21SU, May21SU)
  ['CVE-2021-34473', '15.0.1497.12', '15.0.1497.15'],
  ['CVE-2021-34523', '15.1.2176.9', '15.1.2176.12'],
  ['CVE-2021-34473', '15.1.2242.4', '15.1.2242.8'],
  ['CVE-2021-34473', '15.2.792.10', '15.2.792.13'],
  ['CVE-2021-34523', '15.2.858.5', '15.2.858.10'],
  ['CVE-2021-31207', '15.0.1497.15', '15.0.1497.18'],
  ['CVE-2021-31207', '15.1.2176.12', '15.1.2176.14'],
  ['CVE-2021-31207', '15.1.2242.8', '15.1.2242.10'],
  ['CVE-2021-31207', '15.2.792.13', '15.2.792.15'],
  ['CVE-2021-31207', '15.2.858.10', '15.2.858.12'],
  // ProxyToken (Jul21SU)
  ['CVE-2021-33766', '15.0.1497.18', '15.0.1497.23'],
  ['CVE-2021-33766', '15.1.2242.10', '15.1.2242.12'],
  ['CVE-2021-33766', '15.2.858.12', '15.2.858.15'],
  // ProxyNotShell / OWASSRF (Nov22SU)
  ['CVE-2022-41040', '15.0.1497.42', '15.0.1497.44'],
  ['CVE-2022-41082', '15.1.2375.32', '15.1.2375.37'],
  ['CVE-2022-41080', '15.1.2507.13', '15.1.2507.16'],
  ['CVE-2022-41040', '15.2.986.30', '15.2.986.36'],
  ['CVE-2022-41082', '15.2.1118.15', '15.2.1118.20'],
  // CVE-2023-21529 (Feb23SU)
  ['CVE-2023-21529', '15.0.1497.45', '15.0.1497.47'],
  ['CVE-2023-21529', '15.1.2507.17', '15.1.2507.21'],
  ['CVE-2023-21529', '15.2.986.37', '15.2.986.41'],
  ['CVE-2023-21529', '15.2.1118.21', '15.2.1118.25'],
  // CVE-2024-26198 (Mar24SU)
  ['CVE-2024-26198', '15.1.2507.35', '15.1.2507.37'],
  ['CVE-2024-26198', '15.2.1258.28', '15.2.1258.32'],
  ['CVE-2024-26198', '15.2.1544.4', '15.2.1544.9'],
  // CVE-2025-53786 (Apr25HU; plus configuration)
  ['CVE-2025-53786', '15.1.2507.44', '15.1.2507.55'],
  ['CVE-2025-53786', '15.2.1544.14', '15.2.1544.25'],
  ['CVE-2025-53786', '15.2.1748.10', '15.2.1748.24'],
  // CVE-2025-59249 (Oct25SU)
  ['CVE-2025-59249', '15.1.2507.59', '15.1.2507.61'],
  ['CVE-2025-59249', '15.2.1544.34', '15.2.1544.36'],
  ['CVE-2025-59249', '15.2.1748.37', '15.2.1748.39'],
  ['CVE-2025-59249', '15.2.2562.27', '15.2.2562.29'],
  // CVE-2025-64666/-64667 (Dec25SU)
  ['CVE-2025-64666', '15.1.2507.61', '15.1.2507.63'],
  ['CVE-2025-64667', '15.2.1544.36', '15.2.1544.37'],
  ['CVE-2025-64666', '15.2.1748.39', '15.2.1748.42'],
  ['CVE-2025-64667', '15.2.2562.29', '15.2.2562.35'],
  // CVE-2026-21527 (Feb26SU)
  ['CVE-2026-21527', '15.1.2507.63', '15.1.2507.66'],
  ['CVE-2026-21527', '15.2.1544.37', '15.2.1544.39'],
  ['CVE-2026-21527', '15.2.1748.42', '15.2.1748.43'],
  ['CVE-2026-21527', '15.2.2562.35', '15.2.2562.37'],
  // CVE-2026-42897 (Jun26SU; SE May26HU does not fix it)
  ['CVE-2026-42897', '15.1.2507.66', '15.1.2507.69'],
  ['CVE-2026-42897', '15.2.1544.39', '15.2.1544.41'],
  ['CVE-2026-42897', '15.2.1748.43', '15.2.1748.46'],
  ['CVE-2026-42897', '15.2.2562.41', '15.2.2562.43'],
];

test('research §3.4 headline CVEs: open just below the first fixing build, closed at it', () => {
  for (const [cve, below, fix] of HEADLINE) {
    assert.equal(open(below, cve), fix, `${cve} on ${below}`);
    assert.equal(open(fix, cve), null, `${cve} on ${fix}`);
  }
});

test('later CUs contain earlier fixes (HealthChecker: at or above the newest CU that got the SU)', () => {
  assert.equal(open('15.1.2242.4', 'CVE-2021-26855'), null); // 2016 CU20 contains Mar21SU
  assert.equal(open('15.2.858.5', 'CVE-2021-26855'), null); // 2019 CU9 contains Mar21SU
  assert.equal(open('15.2.858.2', 'CVE-2021-26855'), null);
  assert.equal(open('15.1.2308.8', 'CVE-2021-34473'), null); // 2016 CU21 contains Apr21SU
  assert.equal(open('15.2.922.7', 'CVE-2021-31207'), null); // 2019 CU10 contains May21SU
  assert.equal(open('15.2.1258.12', 'CVE-2022-41040'), null); // 2019 CU13 contains Nov22SU
  // ProxyToken: MSRC lists 2016 CU21 / 2019 CU10 as not affected although they later got a Jul21SU build.
  assert.equal(open('15.1.2308.8', 'CVE-2021-33766'), null);
  assert.equal(open('15.2.922.7', 'CVE-2021-33766'), null);
});

test('a CU that never got the SU stays vulnerable; the fix is the next CU that got it', () => {
  // 2016 CU7 got no Mar21SU build: open, first fix on 2016 CU8 (CSS build, the lower of the two sources).
  assert.equal(open('15.1.1261.35', 'CVE-2021-26855'), '15.1.1415.8');
  assert.equal(open('15.1.1261.39', 'CVE-2021-26855'), '15.1.1415.8');
  // 2016 CU19 got no Jul21SU build: fix on CU20.
  assert.equal(open('15.1.2176.14', 'CVE-2021-33766'), '15.1.2242.12');
  // 2019 CU13 never got Apr25HU: the fix is CU14's Apr25HU build.
  assert.equal(open('15.2.1258.39', 'CVE-2025-53786'), '15.2.1544.25');
  assert.equal(isPatchedFor(parseBuild('15.1.1261.39'), '2016', 'Mar21SU'), false);
  assert.equal(isPatchedFor(parseBuild('15.1.1415.8'), '2016', 'Mar21SU'), true);
  assert.equal(isPatchedFor(parseBuild('15.1.1415.7'), '2016', 'Mar21SU'), false);
});

test('a product that never got the SU is not vulnerable to it (Exchange 2013 and 2023+ SUs, SE and older SUs)', () => {
  assert.equal(isPatchedFor(parseBuild('15.0.1497.48'), '2013', 'Mar24SU'), true);
  assert.equal(open('15.0.1497.2', 'CVE-2024-26198'), null);
  assert.equal(isPatchedFor(parseBuild('15.2.2562.17'), 'SE', 'Mar21SU'), true);
  assert.equal(open('15.2.2562.17', 'CVE-2025-53786'), null); // SE RTM postdates Apr25HU
  // CVE-2021-41350 is mapped to 2016/2019 only: never reported for 2013.
  assert.equal(open('15.0.1497.2', 'CVE-2021-41350'), null);
  assert.equal(open('15.1.2308.8', 'CVE-2021-41350'), '15.1.2308.15');
});

test('SE builds: SUs from Aug25SU on', () => {
  const a = assessBuild(parseBuild('15.2.2562.17'), { asOf: '2026-01-01' });
  assert.equal(a.info.productName, 'Exchange Server SE');
  assert.equal(a.support.status, 'supported');
  assert.deepEqual(a.missingSus.slice(0, 3).map((s) => s.su), ['Aug25SU', 'Sep25HU', 'Oct25SU']);
  assert.ok(a.openCves.some((c) => c.id === 'CVE-2025-59249'));
  assert.ok(!a.openCves.some((c) => c.id.startsWith('CVE-2021')));
  const latest = assessBuild(parseBuild('15.2.2562.46'), { asOf: '2026-09-01' });
  assert.equal(latest.missingSus.length, 0);
  assert.equal(latest.openCves.length, 0);
});

test('support status follows the product end date and the supported CUs', () => {
  assert.equal(assessBuild(parseBuild('15.1.2507.6'), { asOf: '2024-01-01' }).support.status, 'supported');
  assert.equal(assessBuild(parseBuild('15.1.2176.2'), { asOf: '2024-01-01' }).support.status, 'unsupported-cu');
  assert.equal(assessBuild(parseBuild('15.1.2507.6'), { asOf: '2025-10-15' }).support.status, 'end-of-support');
  assert.equal(assessBuild(parseBuild('15.0.1497.2'), { asOf: '2023-04-12' }).support.status, 'end-of-support');
  // Before today's supported CU existed, the two newest CUs released by then were the supported ones.
  const then = assessBuild(parseBuild('15.1.2176.2'), { asOf: '2021-03-10' }).support;
  assert.deepEqual([then.status, then.supportedCus], ['supported', ['CU18', 'CU19']]);
  assert.equal(assessBuild(parseBuild('15.1.2044.4'), { asOf: '2021-03-10' }).support.status, 'unsupported-cu'); // CU17
  assert.deepEqual(assessBuild(parseBuild('15.2.1258.12'), { asOf: '2024-06-01' }).support.supportedCus, ['CU13', 'CU14']);
});

test('configuration-only CVEs are stated as configuration with their build prerequisite', () => {
  const ep = (b: string) => assessBuild(parseBuild(b), { asOf: '2024-06-01' }).configuration.find((c) => c.key === 'extended-protection')!;
  assert.ok(ep('15.2.1544.4').cves.includes('CVE-2024-21410'));
  assert.equal(ep('15.2.1544.4').buildReady, true);
  assert.equal(ep('15.1.2375.28').buildReady, false); // before Aug22SU
  assert.equal(ep('15.1.2375.31').buildReady, true);
  assert.match(ep('15.1.2375.31').evidence, /applicationHost\.config/);
  assert.deepEqual(ep('15.1.2375.31').exploited, [{ cve: 'CVE-2024-21410', since: '2024-02-13' }]);
  const hy = assessBuild(parseBuild('15.1.2507.55'), { asOf: '2025-09-01' }).configuration.find((c) => c.key === 'hybrid-app')!;
  assert.deepEqual([hy.cves, hy.buildReady], [['CVE-2025-53786'], true]);
  // No build closes CVE-2024-21410 on its own: it is never among the build CVEs.
  assert.equal(open('15.1.2176.2', 'CVE-2024-21410'), null);
});

test('MS Learn-only interim updates get the SU of their month: Exchange 2013 and CVE-2020-0688 (Feb20SU)', () => {
  assert.equal(open('15.0.1497.4', 'CVE-2020-0688'), '15.0.1497.6');
  assert.equal(open('15.0.1497.6', 'CVE-2020-0688'), null);
  assert.equal(classifyBuild(parseBuild('15.0.1497.6')).su, 'Feb20SU');
  // KB581424 shipped twice (Oct20SU, Nov20SU): each build keeps its own month.
  assert.deepEqual(['15.0.1497.7', '15.0.1497.8'].map((b) => classifyBuild(parseBuild(b)).su), ['Oct20SU', 'Nov20SU']);
});

test('March 2021 SU on an out-of-support CU: earlier SUs may be missing (research §3.3 "March 2021 special")', () => {
  assert.match(assessBuild(parseBuild('15.1.1847.12')).notes.join(' '), /fixed only the ProxyLogon set/); // 2016 CU14 Mar21SU
  assert.match(assessBuild(parseBuild('15.2.221.18')).notes.join(' '), /Exchange 2019 RTM/);
  assert.deepEqual(assessBuild(parseBuild('15.1.2176.9')).notes, []); // CU19 was supported then
  assert.deepEqual(assessBuild(parseBuild('15.1.1847.7')).notes, []);
});

test('a CVE named by two SUs is fixed by the later one (CVE-2023-21707: Feb23SU and Mar23SU)', () => {
  assert.equal(open('15.1.2507.17', 'CVE-2023-21707'), '15.1.2507.23');
  assert.equal(open('15.1.2507.21', 'CVE-2023-21707'), '15.1.2507.23');
  assert.equal(open('15.1.2507.23', 'CVE-2023-21707'), null);
});
