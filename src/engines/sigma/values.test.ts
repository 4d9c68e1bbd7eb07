// Sigma string semantics from spec §2.2: wildcards, backslash escapes, case-insensitive matching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileString, ONE, parseSigmaString, STAR } from './values.js';

const m = (pattern: string, value: string, fold = true): boolean => compileString(parseSigmaString(pattern), fold).test(fold ? value.toLowerCase() : value);

test('plain values are whole-value, case-insensitive matches', () => {
  assert.equal(m('cmd.exe', 'CMD.EXE'), true);
  assert.equal(m('cmd.exe', 'xcmd.exe'), false);
  assert.equal(m('cmd.exe', 'cmd.exe ', true), false);
});

test('* matches any run (including none), ? exactly one character', () => {
  assert.equal(m('a*c', 'ac'), true);
  assert.equal(m('a*c', 'abbbc'), true);
  assert.equal(m('a*c', 'abbbd'), false);
  assert.equal(m('a?c', 'abc'), true);
  assert.equal(m('a?c', 'ac'), false);
  assert.equal(m('a?c', 'abbc'), false);
  assert.equal(m('*\\evil*.dll', 'C:\\x\\EVIL-1.dll'), true);
  assert.equal(m('*a*b*a*', 'xxaxxbxxa'), true);
  assert.equal(m('*a*b*a*', 'xxaxxbxx'), false);
  assert.equal(m('a*b?d', 'aXXbcd'), true);
  assert.equal(m('a*b?d', 'aXXbd'), false);
});

test('escapes: \\* and \\? are literal, \\\\* is a backslash then a wildcard', () => {
  assert.deepEqual(parseSigmaString('a\\*b').parts, ['a*b']);
  assert.deepEqual(parseSigmaString('a\\?b').parts, ['a?b']);
  assert.deepEqual(parseSigmaString('a\\\\*').parts, ['a\\', STAR]);
  assert.deepEqual(parseSigmaString('a\\\\\\*').parts, ['a\\*']);
  assert.deepEqual(parseSigmaString('a?').parts, ['a', ONE]);
  assert.equal(m('what\\?', 'what?'), true);
  assert.equal(m('what\\?', 'whatx'), false);
  assert.equal(m('\\*', '*'), true);
  assert.equal(m('\\*', 'abc'), false);
});

test('a lone backslash before another character is literal; doubled it is one backslash', () => {
  assert.deepEqual(parseSigmaString('C:\\Windows\\System32').parts, ['C:\\Windows\\System32']);
  assert.deepEqual(parseSigmaString('\\\\server').parts, ['\\server']);
  // three or four backslashes not before a wildcard: two literal backslashes
  assert.deepEqual(parseSigmaString('\\\\\\x').parts, ['\\\\x']);
  assert.deepEqual(parseSigmaString('\\\\\\\\x').parts, ['\\\\x']);
});

test('cased matching keeps case', () => {
  assert.equal(m('Cmd.exe', 'cmd.exe', false), false);
  assert.equal(m('Cmd.exe', 'Cmd.exe', false), true);
});

test('empty value matches only the empty string', () => {
  assert.equal(m('', ''), true);
  assert.equal(m('', 'x'), false);
});
