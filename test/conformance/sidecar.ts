// Reads SigmaHQ regression JSON sidecars (evtx_dump objects, pretty-printed and concatenated without
// an array) into WinEvents, so conformance tests can drive the Sigma engine without the EVTX reader.
import { readFileSync } from 'node:fs';
import type { WinEvent } from '../../src/event.js';

/** Split concatenated JSON values (`{...}{...}` with any whitespace between). */
export function splitConcatenatedJson(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Build a WinEvent from one evtx_dump object (channel, EventID, provider, time, host from System). */
export function winEventFromJson(data: Record<string, unknown>, path: string, record: number): WinEvent {
  const ev = isObj(data['Event']) ? data['Event'] : {};
  const sys = isObj(ev['System']) ? ev['System'] : {};
  const text = (v: unknown): unknown => (isObj(v) && '#text' in v ? v['#text'] : v);
  const attr = (v: unknown, a: string): unknown => (isObj(v) && isObj(v['#attributes']) ? v['#attributes'][a] : undefined);
  const id = Number(text(sys['EventID']));
  const time = attr(sys['TimeCreated'], 'SystemTime');
  return {
    source: 'json',
    channel: typeof sys['Channel'] === 'string' ? sys['Channel'] : null,
    eventId: Number.isInteger(id) ? id : null,
    provider: typeof attr(sys['Provider'], 'Name') === 'string' ? (attr(sys['Provider'], 'Name') as string) : null,
    time: typeof time === 'string' ? time : null,
    host: typeof sys['Computer'] === 'string' ? sys['Computer'] : null,
    ref: { path, record, kind: 'json' },
    data,
  };
}

export function readSidecar(file: string, label = file): WinEvent[] {
  return splitConcatenatedJson(readFileSync(file, 'utf8')).map((o, i) => winEventFromJson(o as Record<string, unknown>, label, i + 1));
}
