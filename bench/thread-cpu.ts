// CPU seconds per thread of this process, read from Linux /proc (what the busiest thread of a multi-threaded
// pass spent: wall time on a shared machine hides what threads buy). Shared by bench:evtx and bench:scale.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds per thread, by thread id; empty where /proc is missing. */
export function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      out.set(t, (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in clock ticks (100 Hz)
    }
  } catch {
    out.clear();
  }
  return out;
}
