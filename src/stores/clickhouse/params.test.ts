// substituteParams: placeholders outside quotes become sqlLiteral's literals (CAST where the type is not plain);
// text inside quotes that looks like a placeholder stays as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { substituteParams } from './params.js';
import { HuntError } from '../../diagnostics.js';

test('placeholders become literals; values cannot end the literal', () => {
  assert.equal(
    substituteParams('SELECT 1 WHERE a = {v:String} AND n = {n:UInt64} AND has({xs:Array(String)}, a)', { v: "x'); DROP TABLE events; --", n: 5, xs: ['a\\', "b'"] }),
    "SELECT 1 WHERE a = 'x\\'); DROP TABLE events; --' AND n = 5 AND has(['a\\\\', 'b\\''], a)",
  );
  assert.equal(substituteParams('SELECT {t:DateTime}', { t: '2021-03-02 00:00:00' }), "SELECT CAST('2021-03-02 00:00:00' AS DateTime)");
});

test('braces inside quoted text and in values are left alone', () => {
  assert.equal(substituteParams("SELECT '{v:String}', \"{v:String}\", {v:String}", { v: '{v:String}' }), "SELECT '{v:String}', \"{v:String}\", '{v:String}'");
  assert.equal(substituteParams("SELECT 'it\\'s {v:String}' , {v:String}", { v: 'x' }), "SELECT 'it\\'s {v:String}' , 'x'");
});

test('a placeholder without a value is an error, not an empty literal', () => {
  assert.throws(() => substituteParams('SELECT {missing:String}', {}), (e: unknown) => e instanceof HuntError && /missing/.test(e.message));
});
