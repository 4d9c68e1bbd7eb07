// Private temporary folders that are removed whatever happens: after use, on error, at process exit and on
// Ctrl-C/SIGTERM (the signal is raised again once they are gone, so the exit status stays the signal's).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function removeAll(): void {
  for (const dir of live) rmSync(dir, { recursive: true, force: true });
  live.clear();
}
function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  unhook();
  // no other listener left means the default action (exit by the signal) was ours to take over
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}
function hook(): void {
  process.on('exit', removeAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}
function unhook(): void {
  process.off('exit', removeAll);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** A new folder only this user can read (mkdtemp: mode 0700), registered for removal. */
export function makeTempDir(prefix: string, parent: string = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  if (live.size === 0) hook();
  live.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  if (live.delete(dir) && live.size === 0) unhook();
}

/** Folders made and not yet removed (tests check that none is left). */
export function liveTempDirs(): string[] {
  return [...live];
}
