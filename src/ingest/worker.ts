// Worker-thread entry of the ingest's event pass: takes {task} (one file), posts its rows in chunks {chunk} and
// waits for {ack} after each (at most one chunk per worker waits in the main thread), then posts {done}.
import { parentPort } from 'node:worker_threads';
import { fileRows, type FileDone, type FileTask } from './file-rows.js';

let acked: (() => void) | null = null;

parentPort?.on('message', (msg: { task: FileTask } | { ack: true }) => {
  if ('ack' in msg) {
    const f = acked;
    acked = null;
    f?.();
    return;
  }
  void (async () => {
    try {
      let done: FileDone | null = null;
      for await (const chunk of fileRows(msg.task, (d) => (done = d))) {
        const wait = new Promise<void>((res) => (acked = res));
        parentPort!.postMessage({ chunk });
        await wait;
      }
      parentPort!.postMessage({ done });
    } catch (e) {
      parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  })();
});
