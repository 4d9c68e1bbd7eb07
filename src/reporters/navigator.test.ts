// The ATT&CK Navigator layer validates against the layer format 4.5 rules (formats.md §1): required fields,
// types, technique IDs known to the declared ATT&CK version, gradient/legend/metadata shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../finding.js';
import { buildModel, navigatorLayer } from './index.js';
import { sampleFindings, sampleSummary, sampleTaken } from '../engines/story/testdata/sample-scan.js';

const TID = /^T\d{4}(\.\d{3})?$/;
const COLOUR = /^#[0-9a-f]{6}$/i;

/** Problems of a layer against the 4.5 format; empty when valid. */
function validateLayer(layer: Record<string, unknown>, knows: (id: string) => { tactics: string[] } | undefined, attackVersion: string): string[] {
  const p: string[] = [];
  const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
  if (!isStr(layer['name'])) p.push('name');
  if (layer['domain'] !== 'enterprise-attack') p.push('domain');
  const v = layer['versions'] as Record<string, unknown> | undefined;
  if (!v || v['layer'] !== '4.5' || !isStr(v['navigator']) || v['attack'] !== attackVersion) p.push('versions');
  for (const [k, t] of [['description', 'string'], ['sorting', 'number'], ['hideDisabled', 'boolean']] as const) if (layer[k] !== undefined && typeof layer[k] !== t) p.push(k);
  const g = layer['gradient'] as { colors: unknown[]; minValue: unknown; maxValue: unknown } | undefined;
  if (g && !(Array.isArray(g.colors) && g.colors.length >= 2 && g.colors.every((c) => typeof c === 'string' && COLOUR.test(c)) && typeof g.minValue === 'number' && typeof g.maxValue === 'number' && g.minValue < g.maxValue)) p.push('gradient');
  for (const li of (layer['legendItems'] as { label: unknown; color: unknown }[] | undefined) ?? []) if (!isStr(li.label) || typeof li.color !== 'string' || !COLOUR.test(li.color)) p.push('legendItems');
  const meta = (m: unknown): boolean => Array.isArray(m) && m.every((x: { name?: unknown; value?: unknown; divider?: unknown }) => x.divider === true || (isStr(x.name) && isStr(x.value)));
  const links = (l: unknown): boolean => Array.isArray(l) && l.every((x: { label?: unknown; url?: unknown }) => isStr(x.label) && typeof x.url === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(x.url));
  if (layer['metadata'] !== undefined && !meta(layer['metadata'])) p.push('metadata');
  if (layer['links'] !== undefined && !links(layer['links'])) p.push('links');
  const techs = layer['techniques'] as Record<string, unknown>[];
  if (!Array.isArray(techs)) return [...p, 'techniques'];
  for (const t of techs) {
    const id = t['techniqueID'];
    if (typeof id !== 'string' || !TID.test(id)) p.push(`techniqueID ${String(id)}`);
    else if (!knows(id)) p.push(`unknown to ATT&CK v${attackVersion}: ${id}`);
    if (t['tactic'] !== undefined && (typeof t['tactic'] !== 'string' || !knows(String(id))?.tactics.includes(t['tactic']))) p.push(`tactic of ${String(id)}`);
    if (t['score'] !== undefined && typeof t['score'] !== 'number') p.push(`score of ${String(id)}`);
    if (t['enabled'] !== undefined && typeof t['enabled'] !== 'boolean') p.push(`enabled of ${String(id)}`);
    if (t['color'] !== undefined && (typeof t['color'] !== 'string' || !COLOUR.test(t['color']))) p.push(`color of ${String(id)}`);
    if (t['comment'] !== undefined && typeof t['comment'] !== 'string') p.push(`comment of ${String(id)}`);
    if (t['metadata'] !== undefined && !meta(t['metadata'])) p.push(`metadata of ${String(id)}`);
    if (t['links'] !== undefined && !links(t['links'])) p.push(`links of ${String(id)}`);
  }
  return p;
}

test('layer follows the 4.5 format, scores by highest level, comments cite findings', () => {
  const f = sampleFindings();
  const model = buildModel(f, sampleSummary(f), sampleTaken());
  const layer = navigatorLayer(model);
  const json = JSON.parse(JSON.stringify(layer)) as Record<string, unknown>;
  assert.deepEqual(validateLayer(json, (id) => model.catalog.technique(id), model.catalog.version), []);
  const byId = new Map(layer.techniques.map((t) => [t.techniqueID, t]));
  assert.equal(byId.get('T1190')!.score, 5, 'critical = 5');
  assert.equal(byId.get('T1003.001')!.score, 4, 'high = 4');
  assert.match(byId.get('T1505.003')!.comment, /^7 findings, highest critical: /);
  assert.equal(byId.get('T1505')!.showSubtechniques, true, 'parent expands to show the sub-technique hit');
  assert.equal(byId.get('T1505')!.score, undefined);
  assert.deepEqual(layer.techniques.map((t) => t.techniqueID), [...layer.techniques.map((t) => t.techniqueID)].sort());
});

test('IDs unknown to the declared version are left out of techniques and named in the description', () => {
  const f: Finding[] = [{ ...sampleFindings()[0]!, attack: ['T1190', 'T9999'] }];
  const model = buildModel(f, sampleSummary(f), null);
  const layer = navigatorLayer(model);
  assert.deepEqual(layer.techniques.map((t) => t.techniqueID), ['T1190']);
  assert.match(layer.description, /T9999/);
  // the validator itself rejects what Navigator would drop
  const bad = { ...JSON.parse(JSON.stringify(layer)), techniques: [{ techniqueID: 'T9999', score: '3', tactic: 'impact' }] } as Record<string, unknown>;
  assert.deepEqual(validateLayer(bad, (id) => model.catalog.technique(id), model.catalog.version), ['unknown to ATT&CK v19: T9999', 'tactic of T9999', 'score of T9999']);
});

test('old technique IDs in findings are shown under their v19 successor', () => {
  const f: Finding[] = [{ ...sampleFindings()[0]!, attack: ['T1070.001'] }];
  const layer = navigatorLayer(buildModel(f, sampleSummary(f), null));
  assert.ok(layer.techniques.some((t) => t.techniqueID === 'T1685.005'));
});
