// Differential test: on-demand field resolution (EventFields) must agree with the flattened view
// (flattenWinEvent) for every field of every regression event — and both must have run.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasShared, sharedDir } from '../../paths.js';
import { readSidecar } from '../../../test/conformance/sidecar.js';
import { EventFields, flattenWinEvent } from './fields.js';
import { winEvent } from './testkit.js';

function text(v: unknown): unknown {
  if (v === null) return '';
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && '#text' in v) return text((v as Record<string, unknown>)['#text']);
  if (Array.isArray(v)) return v.map((x) => String(text(x)));
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function agree(data: Record<string, unknown>): number {
  const flat = flattenWinEvent(data);
  const lazy = new EventFields({ ...winEvent('X', 1, {}), data });
  let n = 0;
  for (const [k, v] of Object.entries(flat)) {
    assert.deepEqual(lazy.str(k), text(v), k);
    n++;
  }
  assert.equal(lazy.str('NoSuchField'), undefined);
  return n;
}

test('lazy resolution agrees with the flattened view (synthetic: UserData, spaces, Qualifiers)', () => {
  const n = agree({
    Event: {
      System: { Provider: { '#attributes': { Name: 'P' } }, EventID: { '#attributes': { Qualifiers: 0 }, '#text': 7 }, Correlation: null, Channel: 'C' },
      UserData: { Child: { A: 'a', 'Threat Name': 'T', Empty: null } },
    },
  });
  assert.ok(n >= 7);
});

test('lazy resolution agrees with the flattened view on every regression event', { skip: !hasShared && 'needs ../shared' }, () => {
  let events = 0;
  let fields = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) for (const ev of readSidecar(p)) {
        fields += agree(ev.data);
        events++;
      }
    }
  };
  walk(join(sharedDir, 'sigma', 'regression_data'));
  assert.equal(events, 238);
  assert.ok(fields > 238 * 10);
});
