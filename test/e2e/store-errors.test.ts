// Store problems on the command line: a bad store spec, an unreachable server and a refused login (with
// EXHUNT_TEST_CLICKHOUSE) each give one line and exit 2, and the password is never printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { cli } from './store-fixtures.js';

const example = join(projectRoot, 'examples', 'exchange-2021');
const SERVER = process.env['EXHUNT_TEST_CLICKHOUSE'];

test('bad store specs, unreachable servers and refused logins: one line, exit 2, the password never shown', async () => {
  const secret = 'Tr0ub4dor-&-3';
  const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
    [['--store', 'ftp://h/'], {}, /STORE_SPEC/],
    [['--store', `http://u:${encodeURIComponent(secret)}@127.0.0.1:1/db`], {}, /STORE_SPEC.*no path/],
    [['--store', `http://u:${encodeURIComponent(secret)}@127.0.0.1:1/?database=x`], {}, /STORE_UNREACHABLE.*127\.0\.0\.1:1/],
    [['--store', 'http://u@127.0.0.1:1/?database=x'], { EXHUNT_CLICKHOUSE_PASSWORD: secret }, /STORE_UNREACHABLE/],
  ];
  if (SERVER) {
    const u = new URL(SERVER);
    u.username = 'default';
    u.password = encodeURIComponent(secret);
    cases.push([['--store', u.toString()], {}, /STORE_AUTH.*refused the login/]);
    u.password = '';
    cases.push([['--store', u.toString()], { EXHUNT_CLICKHOUSE_PASSWORD: secret }, /STORE_AUTH/]);
  }
  for (const [args, env, want] of cases) {
    for (const cmd of [['ingest', example, '-q'], ['store', 'stats']]) {
      const r = await cli([...cmd, ...args], env);
      assert.equal(r.code, 2, `${cmd.join(' ')} ${args.join(' ')}: ${r.err}`);
      assert.match(r.err, want);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.ok(!r.err.includes(secret) && !r.err.includes(encodeURIComponent(secret)) && !r.out.includes(secret), 'the password is never printed');
    }
  }
});
