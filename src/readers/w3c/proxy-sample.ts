// Proxy detection's evidence: the first requests of every IIS log that has a forwarded-client column, read
// before the scan proper so that every event (and so every finding, even streamed) names its real client.
import type { DiagnosticSink } from '../../diagnostics.js';
import type { Evidence } from '../../evidence/evidence.js';
import { FORWARDED_HEADERS, ProxyDetector, forwardedHeaders, type DetectedProxy } from '../../normalize/index.js';
import { readW3cBatches } from './w3c-reader.js';

/** Requests read per log: enough to see who sends the header on "most requests", cheap on large collections. */
export const SAMPLE_REQUESTS = 5000;

/** The proxies the IIS logs among `evidence` show (see ProxyDetector), from up to `perLog` requests of each. */
export async function detectProxies(evidence: readonly Evidence[], perLog = SAMPLE_REQUESTS): Promise<DetectedProxy[]> {
  const detector = new ProxyDetector();
  // Diagnostics come from the scan's own read of the same lines.
  const quiet: DiagnosticSink = () => {};
  for (const ev of evidence) {
    if (ev.kind !== 'iis-w3c') continue;
    let seen = 0;
    let hasColumn = false;
    for await (const batch of readW3cBatches(ev, quiet)) {
      for (const e of batch) {
        if (!hasColumn) hasColumn = FORWARDED_HEADERS.some((h) => h in e.fields);
        detector.observe(ev.path, e.fields['c-ip'] ?? null, forwardedHeaders(e.fields));
        if (++seen >= perLog) break;
      }
      // A log whose first block has no forwarded column is not read further (its #Fields rarely change).
      if (seen >= perLog || !hasColumn) break;
    }
  }
  return detector.verdict();
}
