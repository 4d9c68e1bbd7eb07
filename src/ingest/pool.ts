// The ingest's event pass on worker threads: each worker reads one file at a time (readers, client marking,
// eventToRow, JSON) and hands its chunks to the main thread, which only writes them. Falls back to this thread
// where workers cannot load (run under tsx) or one is asked for.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HuntError } from '../diagnostics.js';
import { fileRows, type FileDone, type FileTask, type RowChunk } from './file-rows.js';

export type FileEvent = { file: number; chunk: RowChunk } | { file: number; done: FileDone };

function workerUrl(): URL | null {
  const url = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/** The files' chunks and completions, files interleaved across `n` workers; each file's chunks in order. */
export async function* readFiles(tasks: readonly FileTask[], n: number): AsyncGenerator<FileEvent> {
  const url = n > 1 ? workerUrl() : null;
  if (!url) {
    for (const [file, task] of tasks.entries()) {
      let done: FileDone | null = null;
      for await (const chunk of fileRows(task, (d) => (done = d))) yield { file, chunk };
      yield { file, done: done! };
    }
    return;
  }
  const queue: (FileEvent | { error: string; file: number })[] = [];
  let wake: (() => void) | null = null;
  let next = 0;
  let finished = 0;
  const workers = Array.from({ length: Math.min(n, tasks.length) }, () => new Worker(url));
  const current = new Map<Worker, number>();
  const give = (w: Worker): void => {
    if (next >= tasks.length) return;
    current.set(w, next);
    w.postMessage({ task: tasks[next++] });
  };
  for (const w of workers) {
    w.on('message', (m: { chunk: RowChunk } | { done: FileDone } | { error: string }) => {
      const file = current.get(w)!;
      if ('chunk' in m) queue.push({ file, chunk: m.chunk });
      else if ('done' in m) {
        queue.push({ file, done: m.done });
        give(w);
      } else queue.push({ file, error: m.error });
      wake?.();
    });
    w.on('error', (e) => {
      queue.push({ file: current.get(w) ?? -1, error: e.message });
      wake?.();
    });
    give(w);
  }
  try {
    while (finished < tasks.length) {
      while (queue.length === 0) await new Promise<void>((res) => (wake = res));
      wake = null;
      const m = queue.shift()!;
      if ('error' in m) throw new HuntError('IO_ERROR', `reading events for the store failed: ${m.error}`, m.file >= 0 ? { path: tasks[m.file]!.evidence.path } : undefined);
      if ('chunk' in m) {
        yield m;
        // The chunk is written (or buffered): its worker may read on.
        for (const [w, f] of current) if (f === m.file) w.postMessage({ ack: true });
      } else {
        finished++;
        yield m;
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
