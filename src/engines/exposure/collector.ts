// The stateful exposure collector a scan feeds: every event (build sightings, evidence time range) and every
// file (ExSetup.exe, .reg, web.config), then finish() -> the exposure summary and its findings. Memory stays flat.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { HuntEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import type { ExposureSummary, MitigationSighting } from '../../summary.js';
import { defaultCatalogue, type Catalogue } from './catalogue.js';
import { exposureFindings, TraceTally, type TracePart } from './findings.js';
import { observeBuild } from './observe-event.js';
import { observeFile } from './observe-file.js';
import { exposureFromTallies, mergeTallies, talliesPart, tallyObservation, type BuildTally, type TallyPart } from './timeline.js';

/** What observeEvent gathered, as plain data (sent back by a worker thread). */
export interface ExposureEventPart {
  first: string | null;
  last: string | null;
  tallies: TallyPart;
}

export interface ExposureCollector {
  observeEvent(e: HuntEvent): void;
  /** What observeEvent gathered since the collector was made (to merge into another collector). */
  eventPart(): ExposureEventPart;
  /** Folds in another collector's eventPart(); merged in scan order, the result equals one collector's. */
  mergeEvents(part: ExposureEventPart): void;
  observeFile(ev: Evidence, sink?: DiagnosticSink): Promise<void>;
  /** Every other engine's finding, as it is made: those tagged with a CVE are traces (kept bounded). */
  observeFinding(f: Finding): void;
  /** Folds in the traces another TraceTally gathered from findings made elsewhere (a worker's). */
  mergeTraces(part: TracePart): void;
  /** The summary and its findings; `otherFindings` are traces too (for callers that hold them). */
  finish(otherFindings?: readonly Finding[]): { summary: ExposureSummary; findings: Finding[] };
}

export function createExposureCollector(opts: { catalogue?: Catalogue } = {}): ExposureCollector {
  const tallies = new Map<string, BuildTally>();
  const mitigations: MitigationSighting[] = [];
  let first: string | null = null;
  let last: string | null = null;
  const traces = new TraceTally();
  return {
    observeFinding(f) {
      traces.add(f);
    },
    mergeTraces(part) {
      traces.merge(part);
    },
    observeEvent(e) {
      const t = e.time;
      if (t !== null) {
        if (first === null || t < first) first = t;
        if (last === null || t > last) last = t;
      }
      const o = observeBuild(e);
      if (o) tallyObservation(tallies, o);
    },
    eventPart() {
      return { first, last, tallies: talliesPart(tallies) };
    },
    mergeEvents(part) {
      if (part.first !== null && (first === null || part.first < first)) first = part.first;
      if (part.last !== null && (last === null || part.last > last)) last = part.last;
      mergeTallies(tallies, part.tallies);
    },
    async observeFile(ev, sink) {
      const r = await observeFile(ev, sink, opts.catalogue ?? defaultCatalogue());
      for (const o of r.builds) tallyObservation(tallies, o);
      mitigations.push(...r.mitigations);
    },
    finish(otherFindings = []) {
      for (const f of otherFindings) traces.add(f);
      const summary = exposureFromTallies(tallies.values(), mitigations, first, last, opts.catalogue ?? defaultCatalogue());
      return { summary, findings: exposureFindings(summary, traces) };
    },
  };
}
