// report.html without a browser: every evidence value escaped, no script or remote resource, the CSP pins
// the one stylesheet, and the sections a responder needs are present. (Rendering is checked in test/browser.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { buildModel, reportHtml } from './index.js';
import { escapeHtml, html } from './html/index.js';
import { HOSTILE, hostileFindings, hostileTaken, sampleFindings, sampleSummary, sampleTaken } from '../engines/story/testdata/sample-scan.js';

test('escapeHtml and the html template escape interpolations, not the template', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&\``), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&#96;');
  assert.equal(html`<b>${'<i>'}</b>${['<u>', html`<br>`]}`.value, '<b>&lt;i&gt;</b>&lt;u&gt;<br>');
  assert.equal(escapeHtml('a\u0000b\u001bc'), 'a\\x00b\\x1bc');
});

test('hostile payloads in every field come out as text', () => {
  const f = hostileFindings();
  const page = reportHtml(buildModel(f, sampleSummary(f), hostileTaken()));
  assert.ok(!page.includes(HOSTILE), 'raw payload never appears');
  assert.ok(!page.includes('<script'), 'no script element at all');
  assert.ok(!/<img|<iframe|<object|<embed|<link|<base/i.test(page));
  // escaped text cannot contain '<', so every '<tag ...>' below is real markup written by the reporter
  for (const tag of page.matchAll(/<[a-z][^>]*>/gi)) assert.ok(!/\son[a-z]+\s*=/i.test(tag[0].replace(/"[^"]*"/g, "\"\"")), `event handler in ${tag[0].slice(0, 80)}`);
  assert.ok(page.includes('onerror='), 'the payload text is there (as text), so the check above is meaningful');
  assert.ok(page.includes(escapeHtml(HOSTILE)), 'payload shown escaped');
  assert.ok(!page.includes('<style>body{display:none}'));
  for (const m of page.matchAll(/\s(?:href|src|action|xlink:href)\s*=\s*"([^"]*)"/g)) assert.match(m[1]!, /^#[a-z]+$/, `local anchors only: ${m[1]}`);
});

test('strict CSP pins the inline stylesheet by hash and forbids everything else', () => {
  const f = sampleFindings();
  const page = reportHtml(buildModel(f, sampleSummary(f), sampleTaken()));
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'none'/);
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
  assert.equal(styles.length, 1);
  const hash = createHash('sha256').update(styles[0]!, 'utf8').digest('base64');
  assert.ok(csp.includes(`'sha256-${hash}'`));
  assert.ok(!/\sstyle="/.test(page), 'no style attributes (the CSP would block them)');
  assert.ok(page.indexOf('Content-Security-Policy') < page.indexOf('<style>'), 'CSP comes before the stylesheet');
});

test('sections and facts a responder needs are there', () => {
  const f = sampleFindings();
  const page = reportHtml(buildModel(f, sampleSummary(f), sampleTaken()));
  for (const id of ['verdict', 'story', 'taken', 'exposure', 'attack', 'actors', 'activity', 'remediation', 'findings', 'coverage', 'scan']) assert.ok(page.includes(`id="${id}"`), id);
  assert.match(page, /Compromised: the evidence shows/);
  assert.match(page, /Overlap is not attribution/);
  assert.match(page, /Florian Roth \(Nextron Systems\)/, 'rule author credited (DRL)');
  assert.match(page, /W3SVC1\/u_ex210303\.log:120/, 'evidence cited');
  assert.match(page, /ceo@corp\.example/);
  assert.match(page, /Install build 15\.1\.2308\.14 or later/);
  assert.match(page, /<svg/);
});
