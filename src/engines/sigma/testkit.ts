// Test helpers for the Sigma engine's unit tests: compile rule text in memory and build tiny events
// (W3C, Exchange, Windows) without touching the file system.
import type { Diagnostic } from '../../diagnostics.js';
import type { ExchangeEvent, HuntEvent, W3cEvent, WinEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import { compileRule, type CompiledRule } from './compile.js';
import { compileCorrelation, type CompiledCorrelation } from './correlation.js';
import { compileFilter } from './filters.js';
import { parseRuleFile } from './rule.js';
import { CompiledRuleSet, type CompiledFilter } from './ruleset.js';

export interface TextLoad {
  set: CompiledRuleSet;
  problems: Diagnostic[];
  inactive: string[];
}

/** Compile YAML texts (each may hold several documents) into a rule set. */
export function ruleSetFromText(texts: string[], placeholders: Record<string, string[]> = {}): TextLoad {
  const problems: Diagnostic[] = [];
  const rules: CompiledRule[] = [];
  const filters: CompiledFilter[] = [];
  const cors: CompiledCorrelation[] = [];
  const inactive: string[] = [];
  const ph = new Map(Object.entries(placeholders));
  texts.forEach((t, i) => {
    const parsed = parseRuleFile(t, `rule${i}.yml`);
    problems.push(...parsed.problems);
    for (const d of parsed.docs) {
      if (d.kind === 'rule') {
        const r = compileRule(d, { placeholders: ph, missing: new Set() }, problems);
        if (r && r.missingPlaceholders.length) inactive.push(r.meta.id);
        else if (r) rules.push(r);
      } else if (d.kind === 'filter') {
        const f = compileFilter(d, { placeholders: ph, missing: new Set() }, problems);
        if (f) filters.push(f);
      } else {
        const c = compileCorrelation(d, problems);
        if (c) cors.push(c);
      }
    }
  });
  return { set: new CompiledRuleSet(rules, filters, cors, () => {}, ph), problems, inactive };
}

/** A rule over an Exchange HttpProxy event with the given detection (YAML text, indented by 4). */
export function exchangeRule(detection: string, id = 'r1'): string {
  return `title: test ${id}\nid: ${id}\nauthor: tester\nlevel: high\ntags: [attack.t1190, cve.2021-26855]\nlogsource:\n    product: exchange\n    service: httpproxy\ndetection:\n${detection}\n`;
}

let line = 0;
export function exchangeEvent(fields: Record<string, string>, time: string | null = '2024-01-01T00:00:00Z'): ExchangeEvent {
  return { source: 'exchange', log: 'httpproxy', protocol: 'Ecp', version: null, time, host: 'EX1', ref: { path: 'x.log', line: ++line, kind: 'exchange-httpproxy' }, fields };
}
export function w3cEvent(fields: Record<string, string>): W3cEvent {
  return { source: 'w3c', site: 'W3SVC1', time: '2024-01-01T00:00:00Z', host: null, ref: { path: 'u.log', line: ++line, kind: 'iis-w3c' }, fields };
}
export function winEvent(channel: string, eventId: number, eventData: Record<string, unknown>, extra: Partial<WinEvent> = {}): WinEvent {
  return {
    source: 'json',
    channel,
    eventId,
    provider: null,
    time: '2024-01-01T00:00:00Z',
    host: 'H1',
    ref: { path: 'e.json', record: ++line, kind: 'json' },
    data: {
      Event: {
        System: {
          Provider: { '#attributes': { Name: extra.provider ?? 'Test-Provider' } },
          EventID: eventId,
          Channel: channel,
          Computer: 'H1',
          TimeCreated: { '#attributes': { SystemTime: '2024-01-01T00:00:00.000000Z' } },
        },
        EventData: eventData,
      },
    },
    ...extra,
  };
}

/** Rule ids that fire on each event, in order. */
export function firing(set: CompiledRuleSet, events: HuntEvent[]): string[][] {
  const run = set.createRun();
  return events.map((e) => run.match(e).map((f: Finding) => f.rule.id));
}

/** Does a single-rule set fire on this event? Throws if the rule did not compile. */
export function fires(ruleText: string, event: HuntEvent, placeholders: Record<string, string[]> = {}): boolean {
  const { set, problems } = ruleSetFromText([ruleText], placeholders);
  if (set.size !== 1) throw new Error(`rule did not compile: ${problems.map((p) => p.message).join('; ')}`);
  return firing(set, [event])[0]!.length > 0;
}
