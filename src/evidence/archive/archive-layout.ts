// Collection layouts inside an archive (research/formats.md §6): Velociraptor roots (uploads/ beside its metadata
// files) whose uploads/ components are percent-decoded, its results/ and metadata skipped, KAPE logs skipped.
import { ACCESSORS, decodeComponent, isVelociraptorRoot, metadataReason } from '../layout.js';

export interface ArchiveLayout {
  /** The member's components as cited: decoded under a Velociraptor uploads/ folder. */
  shown(parts: string[]): string[];
  /** Why the member is the collection's bookkeeping rather than evidence, or null. */
  metadata(parts: string[]): string | null;
}


/** `names`: every member name (zip), or null for a tar stream, whose roots are learnt from uploads/<accessor>/. */
export function archiveLayout(names: string[] | null): ArchiveLayout {
  const roots = new Set<string>();
  let secured = false;
  if (names !== null) {
    const byDir = new Map<string, Set<string>>();
    for (const n of names) {
      const parts = n.split('/').filter(Boolean);
      for (let i = 0; i < parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        let set = byDir.get(dir);
        if (!set) byDir.set(dir, (set = new Set()));
        set.add(parts[i]!);
      }
    }
    for (const [dir, set] of byDir) if (isVelociraptorRoot(set)) roots.add(dir);
    // A secured collection: the outer zip holds the encrypted data.zip and its metadata.json
    const top = byDir.get('');
    secured = top !== undefined && top.has('data.zip') && top.has('metadata.json');
  }
  /** The index of the uploads/ component under a known root, or -1. */
  const uploadsAt = (parts: string[]): number => {
    for (let i = 0; i < parts.length - 1; i++) {
      if (parts[i] !== 'uploads') continue;
      const dir = parts.slice(0, i).join('/');
      if (roots.has(dir)) return i;
      if (names === null && i + 2 < parts.length && ACCESSORS.has(parts[i + 1]!)) {
        roots.add(dir);
        return i;
      }
    }
    return -1;
  };
  return {
    shown(parts) {
      const u = uploadsAt(parts);
      return u < 0 ? parts : [...parts.slice(0, u + 1), ...parts.slice(u + 1).map(decodeComponent)];
    },
    metadata(parts) {
      if (secured && parts.length === 1 && parts[0] === 'metadata.json') return 'Velociraptor secured-collection metadata';
      const inUploads = uploadsAt(parts) >= 0;
      const dir = parts.slice(0, -1);
      for (let i = 0; i < dir.length; i++) {
        if (dir[i] === 'results' && roots.has(dir.slice(0, i).join('/'))) return 'Velociraptor artifact results (collection metadata, not host evidence)';
      }
      return metadataReason(dir.join('/'), parts[parts.length - 1]!, roots.has(dir.join('/')), inUploads);
    },
  };
}
