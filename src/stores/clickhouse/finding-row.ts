// Finding → its `findings` row: the findings.jsonl line kept whole, with the columns the fleet view aggregates on.
import type { Finding } from '../../finding.js';
import { timeParts } from './event-row.js';
import { findingIndicators } from './indicators.js';

export interface FindingRowContext {
  readonly scanId: string;
  readonly host: string;
  readonly collection: string;
  /** 'scan' for an ingest's own scan, 'hunt' for a retro-hunt's findings. */
  readonly origin?: string;
}

/** The `findings` row of one finding; `json` is its findings.jsonl line. */
export function findingRow(f: Finding, json: string, ctx: FindingRowContext): Record<string, unknown> {
  const { t, us, has } = timeParts(f.time);
  const ind = findingIndicators(f);
  return {
    scan_id: ctx.scanId,
    host: ctx.host,
    collection: ctx.collection,
    origin: ctx.origin ?? 'scan',
    engine: f.engine,
    level: f.level,
    rule_id: f.rule.id,
    rule_title: f.rule.title,
    t,
    us,
    has_time: has,
    path: f.evidence.path,
    line: f.evidence.line ?? 0,
    record: f.evidence.record ?? 0,
    kind: f.evidence.kind,
    cves: f.cves,
    attack: f.attack,
    ind_types: ind.types,
    ind_values: ind.values,
    message: f.message ?? '',
    json,
  };
}
