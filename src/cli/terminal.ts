// The only code that draws on the terminal: a progress bar on stderr when it is a TTY (quiet when
// piped or under CI), colours only when allowed (NO_COLOR, FORCE_COLOR), and one-line diagnostics.
import cliProgress from 'cli-progress';
import type { Diagnostic } from '../diagnostics.js';
import { formatDiagnostic } from '../diagnostics.js';
import type { HuntProgress } from '../hunt.js';

export function colourAllowed(stream: NodeJS.WritableStream): boolean {
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0') return true;
  return (stream as NodeJS.WriteStream).isTTY === true;
}

function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export interface ProgressView {
  update(p: HuntProgress): void;
  stop(): void;
}

/** A progress bar for files and bytes with rate and ETA; a no-op when stderr is not a terminal. */
export function progressView(stderr: NodeJS.WritableStream): ProgressView {
  const tty = (stderr as NodeJS.WriteStream).isTTY === true && !process.env['CI'];
  if (!tty) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const colour = colourAllowed(stderr);
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr as NodeJS.WriteStream,
      format: `${colour ? '\u001b[36m' : ''}{bar}${colour ? '\u001b[0m' : ''} {percentage}% | {files} files | {done} of {total} | {rate}/s | ETA {eta_formatted} | {phase}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let startedBar = false;
  return {
    update(p) {
      const secs = Math.max(0.001, (Date.now() - started) / 1000);
      const payload = {
        files: `${p.filesDone}/${p.filesTotal}`,
        done: humanBytes(p.bytesDone),
        total: humanBytes(p.bytesTotal),
        rate: humanBytes(p.bytesDone / secs),
        phase: p.phase,
      };
      if (!startedBar) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        startedBar = true;
      } else {
        bar.setTotal(Math.max(1, p.bytesTotal));
        bar.update(p.bytesDone, payload);
      }
    },
    stop() {
      if (startedBar) bar.stop();
    },
  };
}

export function printDiagnostic(stderr: NodeJS.WritableStream, d: Diagnostic): void {
  const colour = colourAllowed(stderr);
  const line = formatDiagnostic(d);
  if (!colour) stderr.write(line + '\n');
  else {
    const c = d.severity === 'error' ? '\u001b[31m' : d.severity === 'warning' ? '\u001b[33m' : '\u001b[2m';
    stderr.write(`${c}${line}\u001b[0m\n`);
  }
}
