// Exchange build numbers: parsing ("15.1.2176.2", long form "15.01.2176.002", 3-part "15.1.2176"),
// comparison and formatting. Bad text is a HuntError EXPOSURE_BAD_BUILD with a message saying why.
import { HuntError } from '../../diagnostics.js';

export interface Build {
  major: number;
  minor: number;
  build: number;
  /** null when only three parts were seen (OWA resource paths): the revision is unknown. */
  revision: number | null;
}

const PART = /^\d{1,6}$/;

/** Parse a build number; throws HuntError('EXPOSURE_BAD_BUILD') with a reason people can act on. */
export function parseBuild(text: string): Build {
  const s = text.trim();
  const show = JSON.stringify(text.length > 60 ? text.slice(0, 60) + '…' : text);
  if (s === '') throw new HuntError('EXPOSURE_BAD_BUILD', 'empty build number (expected e.g. 15.1.2176.2)');
  const parts = s.split('.');
  if (parts.length < 3 || parts.length > 4) {
    throw new HuntError('EXPOSURE_BAD_BUILD', `${show} is not an Exchange build number: expected 3 or 4 dot-separated numbers such as 15.1.2176.2`);
  }
  const nums: number[] = [];
  for (const [i, p] of parts.entries()) {
    if (p.startsWith('-')) throw new HuntError('EXPOSURE_BAD_BUILD', `${show}: part ${i + 1} (${p}) is negative; build parts are non-negative numbers`);
    if (!PART.test(p)) throw new HuntError('EXPOSURE_BAD_BUILD', `${show}: part ${i + 1} (${JSON.stringify(p)}) is not a number; expected e.g. 15.1.2176.2`);
    nums.push(Number(p));
  }
  const [major, minor, build, revision] = nums as [number, number, number, number | undefined];
  return { major, minor, build, revision: revision ?? null };
}

/** Like parseBuild but returns null instead of throwing (for evidence fields that may hold anything). */
export function tryParseBuild(text: string | null | undefined): Build | null {
  if (!text) return null;
  try {
    return parseBuild(text);
  } catch {
    return null;
  }
}

/** Short form "15.1.2176.2" (or "15.1.2176" when the revision is unknown). */
export function formatBuild(b: Build): string {
  const head = `${b.major}.${b.minor}.${b.build}`;
  return b.revision === null ? head : `${head}.${b.revision}`;
}

/** Compare builds; an unknown revision compares as 0. */
export function compareBuild(a: Build, b: Build): number {
  return a.major - b.major || a.minor - b.minor || a.build - b.build || (a.revision ?? 0) - (b.revision ?? 0);
}

export function sameBuild(a: Build, b: Build): boolean {
  return compareBuild(a, b) === 0 && (a.revision === null) === (b.revision === null);
}
