// The STIX 2.1 bundle against the rules that matter (formats.md §4): id and type shapes, required common
// properties, timestamps, references that resolve to allowed types, patterns, non-empty lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, stixBundle } from './index.js';
import { patternString, uuidV5 } from './stix.js';
import { ATTACKER, hostileFindings, sampleFindings, sampleSummary, sampleTaken } from '../engines/story/testdata/sample-scan.js';

type Obj = Record<string, unknown> & { type: string; id: string };
const ID = /^([a-z][a-z0-9-]+)--[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,}Z$/;
const PROP = /^[a-z][a-z0-9_]{2,249}$/;
const RESERVED = new Set(['severity', 'action', 'username', 'phone_numbers']);
const REF_TARGETS: Record<string, string[]> = {
  created_by_ref: ['identity'],
  sighting_of_ref: ['indicator', 'attack-pattern', 'malware', 'tool', 'campaign', 'intrusion-set', 'infrastructure'],
  where_sighted_refs: ['identity', 'location'],
  source_ref: ['indicator', 'attack-pattern', 'malware', 'tool', 'identity'],
  target_ref: ['attack-pattern', 'malware', 'tool', 'indicator', 'identity'],
};

function validateBundle(b: Record<string, unknown>): string[] {
  const p: string[] = [];
  if (b['type'] !== 'bundle' || typeof b['id'] !== 'string' || ID.exec(b['id'])?.[1] !== 'bundle') p.push('bundle id/type');
  if ('spec_version' in b) p.push('bundle has spec_version');
  const objs = b['objects'] as Obj[];
  if (!Array.isArray(objs) || objs.length === 0) return [...p, 'objects'];
  const byId = new Map<string, Obj>();
  for (const o of objs) {
    if (byId.has(o.id)) p.push(`duplicate ${o.id}`);
    byId.set(o.id, o);
  }
  for (const o of objs) {
    const m = ID.exec(o.id);
    if (!m || m[1] !== o.type) p.push(`id/type ${o.id}`);
    if (o['spec_version'] !== '2.1') p.push(`spec_version ${o.id}`);
    for (const k of ['created', 'modified']) if (typeof o[k] !== 'string' || !TS.test(o[k] as string)) p.push(`${k} ${o.id}`);
    if ((o['modified'] as string) < (o['created'] as string)) p.push(`modified<created ${o.id}`);
    for (const [k, v] of Object.entries(o)) {
      if (!PROP.test(k) && k !== 'id') p.push(`property name ${k}`);
      if (RESERVED.has(k)) p.push(`reserved ${k}`);
      if (Array.isArray(v) && v.length === 0) p.push(`empty list ${k} in ${o.id}`);
      if (k.endsWith('_ref') || k.endsWith('_refs')) {
        for (const r of Array.isArray(v) ? v : [v]) {
          const target = byId.get(String(r));
          if (!target) p.push(`dangling ${k} ${String(r)} in ${o.id}`);
          else if (REF_TARGETS[k] && !REF_TARGETS[k]!.includes(target.type)) p.push(`${k} to ${target.type} in ${o.id}`);
        }
      }
    }
    switch (o.type) {
      case 'indicator':
        if (typeof o['pattern'] !== 'string' || !/^\[/.test(o['pattern']) || o['pattern_type'] !== 'stix' || !TS.test(String(o['valid_from']))) p.push(`indicator ${o.id}`);
        for (const h of String(o['pattern']).matchAll(/hashes\.(?:'SHA-256'|'SHA-1'|MD5) = '([0-9a-f]*)'/g)) if (![32, 40, 64].includes(h[1]!.length)) p.push(`hash length ${o.id}`);
        break;
      case 'sighting':
        if (typeof o['count'] !== 'number' || !Number.isInteger(o['count']) || (o['count'] as number) < 0 || (o['count'] as number) > 999_999_999) p.push(`count ${o.id}`);
        if (!TS.test(String(o['first_seen'])) || !TS.test(String(o['last_seen'])) || String(o['last_seen']) < String(o['first_seen'])) p.push(`seen ${o.id}`);
        break;
      case 'identity':
      case 'attack-pattern':
        if (typeof o['name'] !== 'string') p.push(`name ${o.id}`);
        break;
      case 'relationship':
        if (!/^[a-z0-9-]+$/.test(String(o['relationship_type']))) p.push(`relationship_type ${o.id}`);
        break;
      case 'grouping':
        if (typeof o['context'] !== 'string') p.push(`context ${o.id}`);
        break;
    }
  }
  return p;
}

test('uuidV5 matches RFC 4122 test vector', () => {
  // python: uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org') == 886313e1-3b8a-5372-9b90-0c9aee199e5d
  assert.equal(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'), '886313e1-3b8a-5372-9b90-0c9aee199e5d');
});

test('pattern strings escape quotes and backslashes only', () => {
  assert.equal(patternString("C:\\a'b"), "'C:\\\\a\\'b'");
});

test('bundle is valid STIX 2.1 with IP, hash and URL indicators and sightings', () => {
  const f = sampleFindings();
  const b = stixBundle(buildModel(f, sampleSummary(f), sampleTaken()));
  const json = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
  assert.deepEqual(validateBundle(json), []);
  const objs = b.objects;
  const patterns = objs.filter((o) => o.type === 'indicator').map((o) => o['pattern']);
  assert.ok(patterns.includes(`[ipv4-addr:value = '${ATTACKER}']`));
  assert.ok(patterns.includes(`[file:hashes.'SHA-256' = '${'a'.repeat(64)}' OR file:hashes.MD5 = '${'b'.repeat(32)}']`));
  assert.ok(patterns.includes(`[url:value = 'https://ex01/aspnet_client/shell.aspx']`));
  const ipInd = objs.find((o) => o['pattern'] === `[ipv4-addr:value = '${ATTACKER}']`)!;
  const sighting = objs.find((o) => o.type === 'sighting' && o['sighting_of_ref'] === ipInd.id)!;
  assert.equal(sighting['count'], 9);
  assert.equal(sighting['first_seen'], '2021-03-03T01:05:00.000Z');
  assert.equal(sighting['last_seen'], '2021-03-03T02:04:30.000Z');
  assert.ok(objs.some((o) => o.type === 'relationship' && o['source_ref'] === ipInd.id));
  // deterministic: the same scan gives the same ids
  assert.deepEqual(stixBundle(buildModel(f, sampleSummary(f), null)).objects.map((o) => o.id), objs.map((o) => o.id));
});

test('hostile values stay valid STIX (escaped in patterns, bad URLs left out)', () => {
  const f = hostileFindings();
  const b = stixBundle(buildModel(f, sampleSummary(f), null));
  assert.deepEqual(validateBundle(JSON.parse(JSON.stringify(b)) as Record<string, unknown>), []);
  assert.ok(!b.objects.some((o) => typeof o['pattern'] === 'string' && (o['pattern'] as string).includes('<script>')));
});

test('the validator catches what it claims to', () => {
  const f = sampleFindings();
  const b = JSON.parse(JSON.stringify(stixBundle(buildModel(f, sampleSummary(f), null)))) as { objects: Obj[] } & Record<string, unknown>;
  const s = b.objects.find((o) => o.type === 'sighting')!;
  s['sighting_of_ref'] = 'indicator--00000000-0000-4000-8000-000000000000';
  s['created'] = '2021-03-03T01:05:00Z';
  assert.deepEqual(validateBundle(b).sort(), [`created ${s.id}`, `dangling sighting_of_ref indicator--00000000-0000-4000-8000-000000000000 in ${s.id}`].sort());
});
