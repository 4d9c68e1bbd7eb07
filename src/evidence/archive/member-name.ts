// Member names of an archive, judged before anything is written: traversal ('..'), absolute and drive-letter
// names are refused; the rest split into clean '/' components (a member is never written under its own name).

export type NameVerdict = { ok: true; parts: string[] } | { ok: false; reason: string };

/** The components of a member name, or why the name is refused. Backslashes count as separators (Windows tools). */
export function judgeMemberName(name: string): NameVerdict {
  if (name.includes('\0')) return { ok: false, reason: 'name holds a NUL character' };
  if (/^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) return { ok: false, reason: 'absolute name' };
  const parts = name.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { ok: false, reason: "name climbs out of the archive ('..')" };
  if (parts.length === 0) return { ok: false, reason: 'empty name' };
  return { ok: true, parts };
}
