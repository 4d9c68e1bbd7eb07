// The Reader for .evtx evidence: the file read-only in 16 MiB windows, records parsed in this thread and
// yielded as WinEvents in file order (readEvtxParallel is the multi-core path for many files).

import type { DiagnosticSink } from '../../diagnostics.js';
import type { HuntEvent } from '../../event.js';
import type { Evidence } from '../../evidence/evidence.js';
import type { Reader } from '../reader.js';
import { parseEvtxTrees, type EvtxTree } from './parse.js';
import { toWinEvent, treeToRecord } from './records.js';
import { readWindow, windowsOf } from './window.js';

/** Resolved record trees of a file on disk, window by window; a read failure is an IO_ERROR diagnostic. */
export async function* readEvtxTrees(absPath: string, path: string, size: number, sink: DiagnosticSink): AsyncGenerator<EvtxTree> {
  for (const w of windowsOf(size)) {
    let buf: Uint8Array;
    try {
      buf = await readWindow(absPath, size, w);
    } catch (e) {
      sink({ code: 'IO_ERROR', severity: 'error', message: `cannot read: ${e instanceof Error ? e.message : String(e)}`, location: { path } });
      return;
    }
    yield* parseEvtxTrees(buf, path, sink, { firstSlot: w.firstSlot, quietHeader: w.firstSlot > 0, fileSize: size });
  }
}

async function* read(evidence: Evidence, sink: DiagnosticSink): AsyncGenerator<HuntEvent> {
  for await (const t of readEvtxTrees(evidence.absPath, evidence.path, evidence.size, sink)) {
    yield toWinEvent(treeToRecord(t), evidence.path);
  }
}

export const evtxReader: Reader = { kind: 'evtx', read };
