// Where a rule's logsource puts it, computed once per distinct logsource: the (channel|EventID) slots it
// fills with their guards and field mappings, and whether a meta-filter's logsource fits a rule's.
import { compileSearch, or, type Pred } from './detection.js';
import type { Logsource, Placement, WinTarget } from './logsource.js';

/** Does a filter's logsource fit a rule's (every key the filter sets is equal)? */
export function filterFits(f: Logsource, r: Logsource): boolean {
  for (const k of ['product', 'category', 'service'] as const) if (f[k] !== undefined && f[k]?.toLowerCase() !== r[k]?.toLowerCase()) return false;
  return true;
}

/** A placed logsource: for Windows, the (channel|EventID) keys it fills, each with the target whose field
 * mapping it uses and its guard (the target's extra conditions). */
export type Placed =
  | Exclude<Placement, { kind: 'windows' }>
  | { kind: 'windows'; targets: readonly WinTarget[]; slots: { key: string; target: number; guard: Pred | null }[] };

export function slotsOf(place: Placement, guardCache: Map<string, Pred>): Placed {
  if (place.kind !== 'windows') return place;
  // Several targets can share one channel+EventID (registry_delete: DeleteKey or DeleteValue): OR their guards;
  // the slot compiles with the first such target's field mapping.
  const perKey = new Map<string, { target: number; guards: (Pred | null)[] }>();
  place.targets.forEach((t, ti) => {
    let guard: Pred | null = null;
    if (Object.keys(t.conditions).length > 0) {
      const gk = JSON.stringify(t.conditions);
      guard = guardCache.get(gk) ?? compileSearch(t.conditions, { placeholders: new Map(), missing: new Set(), fieldMap: new Map(), regexes: [] }, []).p;
      guardCache.set(gk, guard);
    }
    for (const ch of t.channels ?? [null]) {
      for (const id of t.eventIds ?? [null]) {
        const key = ch === null ? '*' : `${ch}|${id ?? '*'}`;
        const slot = perKey.get(key) ?? perKey.set(key, { target: ti, guards: [] }).get(key)!;
        slot.guards.push(guard);
      }
    }
  });
  const slots = [...perKey].map(([key, s]) => ({ key, target: s.target, guard: s.guards.includes(null) ? null : or(s.guards as Pred[]) }));
  return { kind: 'windows', targets: place.targets, slots };
}

