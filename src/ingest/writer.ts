// Events of many files written in few, big inserts (ClickHouse wants few parts: 18.16 delays inserts past 150
// parts a partition and refuses them past 300), and each file's evidence row written only after the insert that
// holds its last events — the moment the file's attempt becomes visible.
import type { StoreClient } from '../stores/index.js';

/** Rows per events insert. */
export const INSERT_ROWS = 50_000;

export class EventWriter {
  private lines: string[] = [];
  private rows = 0;
  /** Evidence rows whose events are all in `lines` or already written. */
  private waiting: object[] = [];
  private inflight: Promise<void> = Promise.resolve();
  written = 0;

  constructor(private readonly store: StoreClient) {}

  /** Adds a chunk of JSON lines (count rows); writes when enough are buffered. */
  async add(lines: string, count: number): Promise<void> {
    this.lines.push(lines);
    this.rows += count;
    if (this.rows >= INSERT_ROWS) await this.flush(false);
  }

  /** A file's evidence row, written once its events are. */
  async fileDone(evidence: object): Promise<void> {
    this.waiting.push(evidence);
    // A file with no events (or a batch of them) need not wait long: many evidence rows make one insert.
    if (this.waiting.length >= 1000) await this.flush(false);
  }

  /**
   * Writes what is buffered: the events insert runs while the caller reads on (one in flight at a time); the
   * evidence rows follow their events. `wait`: return only once everything is written.
   */
  async flush(wait = true): Promise<void> {
    const body = this.lines.join('\n');
    const n = this.rows;
    const evidence = this.waiting;
    this.lines = [];
    this.rows = 0;
    this.waiting = [];
    const prev = this.inflight;
    this.inflight = (async () => {
      await prev;
      if (n > 0) await this.store.insertJsonLines('events', body);
      this.written += n;
      if (evidence.length) await this.store.insert('evidence', evidence);
    })();
    // A failed insert is thrown by the next flush (or this one); never an unhandled rejection meanwhile.
    this.inflight.catch(() => undefined);
    if (wait) await this.inflight;
    else await prev; // at most one insert in flight while the next rows are read
  }
}
