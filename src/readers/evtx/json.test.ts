// The evtx_dump JSON conventions on hand-built trees: Qualifiers, unnamed and named Data, `_N` suffixes,
// UserData, RenderingInfo, empty elements; and the XML rendering's escaping.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toEvtxJson } from './json.js';
import { toXml } from './xml.js';
import { NK, VT, type IrElement, type IrNode } from './ir.js';

const s = (v: string): IrNode => ({ t: VT.STRING, v });
const n = (v: number, t: number = VT.UINT16): IrNode => ({ t, v });
function el(name: string, children: IrNode[] = [], attrs: Record<string, IrNode[]> = {}): IrElement {
  return { t: 'e', name, attrs: Object.entries(attrs).map(([k, value]) => ({ name: k, value })), children };
}

test('System: numbers, Qualifiers object, empty element as null, attributes', () => {
  const ev = el('Event', [
    el('System', [
      el('EventID', [n(4624)], { Qualifiers: [n(0)] }),
      el('Level', [n(4, VT.UINT8)]),
      el('Keywords', [s('0x8020000000000000')]),
      el('Correlation', []),
      el('Execution', [], { ProcessID: [n(4, VT.UINT32)], ThreadID: [] }),
    ]),
  ], { xmlns: [s('http://schemas.microsoft.com/win/2004/08/events/event')] });
  assert.deepStrictEqual(toEvtxJson(ev), {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        EventID: { '#attributes': { Qualifiers: 0 }, '#text': 4624 },
        Level: 4,
        Keywords: '0x8020000000000000',
        Correlation: null,
        Execution: { '#attributes': { ProcessID: 4 } },
      },
    },
  });
});

test('EventData: named Data flatten (empty → ""), unnamed Data → #text (array when repeated)', () => {
  const named = el('Event', [el('EventData', [el('Data', [s('x')], { Name: [s('A')] }), el('Data', [], { Name: [s('B')] }), el('Data', [n(7, VT.INT32)], { Name: [s('C')] })])]);
  assert.deepStrictEqual(toEvtxJson(named), { Event: { EventData: { A: 'x', B: '', C: 7 } } });
  const one = el('Event', [el('EventData', [el('Data', [s('only')])])]);
  assert.deepStrictEqual(toEvtxJson(one), { Event: { EventData: { Data: { '#text': 'only' } } } });
  const many = el('Event', [el('EventData', [el('Data', [s('a')]), el('Data', []), el('Data', [s('c')]), el('Binary', [s('00FF')])])]);
  assert.deepStrictEqual(toEvtxJson(many), { Event: { EventData: { Data: { '#text': ['a', '', 'c'] }, Binary: '00FF' } } });
});

test('repeated siblings get _1, _2 …; UserData keeps its own element tree', () => {
  const ev = el('Event', [
    el('UserData', [el('Op', [el('User', [s('u')]), el('Id', [s('{0}')])], { xmlns: [s('urn:x')] })]),
    el('RenderingInfo', [el('Message', [s('m')]), el('Keywords', [el('Keyword', [s('a')]), el('Keyword', [s('b')]), el('Keyword', [s('c')])])], { Culture: [s('en-US')] }),
  ]);
  assert.deepStrictEqual(toEvtxJson(ev), {
    Event: {
      UserData: { Op: { '#attributes': { xmlns: 'urn:x' }, User: 'u', Id: '{0}' } },
      RenderingInfo: { '#attributes': { Culture: 'en-US' }, Message: 'm', Keywords: { Keyword: 'a', Keyword_1: 'b', Keyword_2: 'c' } },
    },
  });
});

test('text pieces concatenate; entity and character references stay as written; __proto__ is a plain key', () => {
  const ev = el('Event', [el('X', [s('a'), { t: NK.ENTITY, v: 'amp' }, s('b'), { t: NK.CHARREF, v: 65 }]), el('__proto__', [s('p')])]);
  const j = toEvtxJson(ev) as { Event: Record<string, unknown> };
  assert.equal(j.Event['X'], 'a&amp;b&#65;');
  assert.equal(Object.getPrototypeOf(j.Event), Object.prototype);
  assert.ok(Object.keys(j.Event).includes('__proto__'));
});

test('XML output escapes text and attributes and omits empty attributes', () => {
  const ev = el('Event', [el('Data', [s('a<b>&"c"')], { Name: [s('q"x')] }), el('Empty', [], { A: [] })]);
  assert.equal(toXml(ev), '<Event>\n  <Data Name="q&quot;x">a&lt;b&gt;&amp;"c"</Data>\n  <Empty/>\n</Event>');
});
