// Per-file diagnostic limiter: a damaged 1 GB log must not emit a million diagnostics. The first
// few of each code are passed on with their location; the rest are counted and summarised once.
import type { DiagnosticCode, DiagnosticSink, Location, Severity } from '../../diagnostics.js';

export class DiagnosticLimiter {
  private readonly seen = new Map<DiagnosticCode, number>();
  private readonly severityOf = new Map<DiagnosticCode, Severity>();
  constructor(
    private readonly sink: DiagnosticSink,
    private readonly path: string,
    private readonly perCode = 20,
  ) {}

  /** While true, reports are dropped uncounted (a parser replaying header lines it has already read elsewhere). */
  muted = false;

  report(code: DiagnosticCode, severity: Severity, message: string, where: Omit<Location, 'path'> = {}): void {
    if (this.muted) return;
    const n = (this.seen.get(code) ?? 0) + 1;
    this.seen.set(code, n);
    this.severityOf.set(code, severity);
    if (n <= this.perCode) this.sink({ code, severity, message, location: { path: this.path, ...where } });
  }

  /** How many times `code` was reported (including suppressed ones). */
  count(code: DiagnosticCode): number {
    return this.seen.get(code) ?? 0;
  }

  /** Counts `n` reports of `code` that were made (and limited) elsewhere, without passing any on. */
  tally(code: DiagnosticCode, severity: Severity, n: number): void {
    if (n <= 0) return;
    this.seen.set(code, (this.seen.get(code) ?? 0) + n);
    this.severityOf.set(code, severity);
  }

  /** Every code reported so far, with its count (suppressed reports included) and severity. */
  counts(): { code: DiagnosticCode; severity: Severity; count: number }[] {
    return [...this.seen].map(([code, count]) => ({ code, severity: this.severityOf.get(code) ?? 'warning', count }));
  }

  /** Emits one summary diagnostic per code whose reports were suppressed. Call once at end of file. */
  flush(): void {
    for (const [code, n] of this.seen) {
      if (n > this.perCode) {
        this.sink({
          code,
          severity: this.severityOf.get(code) ?? 'warning',
          message: `${n - this.perCode} more ${code} problems in this file not listed (${n} in total)`,
          location: { path: this.path },
        });
      }
    }
    this.seen.clear();
  }
}
