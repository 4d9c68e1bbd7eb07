// Build -> product, CU, SU (CSS-Exchange HealthChecker's algorithm), and "is this build patched for SU X"
// (Test-ExchangeBuildGreaterOrEqualThanSecurityPatch). Unknown builds sit on the nearest lower known build, flagged as a guess.
import { HuntError } from '../../diagnostics.js';
import { compareBuild, formatBuild, type Build } from './build.js';
import { defaultCatalogue, type Catalogue, type IndexedBuild, type ProductId } from './catalogue.js';

export interface BuildInfo {
  /** The build as given ("15.1.2176" when only three parts were seen). */
  build: string;
  product: ProductId;
  productName: string;
  cu: string | null;
  cuReleased: string | null;
  su: string | null;
  /** Catalogue name of the (nearest) build, e.g. "CU19 Mar21SU". */
  label: string | null;
  released: string | null;
  /** The build is in the catalogue as given. */
  known: boolean;
  /** Not in the catalogue: placed on `nearest`, the nearest lower known build (or the lowest build of a 3-part version). */
  guessed: boolean;
  nearest: string | null;
  /** The build used for comparisons (the given one, or for a 3-part version the lowest known build with those parts). */
  effective: Build;
}

/** 15.0 = 2013, 15.1 = 2016, 15.2 = 2019 unless the build part is >= 2562 (Exchange Server SE). */
export function productOf(b: Build): ProductId {
  if (b.major === 15 && b.minor === 0) return '2013';
  if (b.major === 15 && b.minor === 1) return '2016';
  if (b.major === 15 && b.minor === 2) return b.build >= 2562 ? 'SE' : '2019';
  throw new HuntError(
    'EXPOSURE_UNKNOWN_BUILD',
    `${formatBuild(b)} is not an Exchange 2013/2016/2019/SE build (those start with 15.0, 15.1 or 15.2)`,
  );
}

function lastAtOrBelow<T>(list: readonly T[], key: (t: T) => Build, b: Build): T | null {
  let found: T | null = null;
  for (const t of list) {
    if (compareBuild(key(t), b) <= 0) found = t;
    else break;
  }
  return found;
}

export function classifyBuild(b: Build, cat: Catalogue = defaultCatalogue()): BuildInfo {
  const product = productOf(b);
  const builds = cat.builds.get(product) ?? [];
  let effective = b;
  let exact: IndexedBuild | undefined;
  if (b.revision === null) {
    // "15.1.2176" from an OWA path: assume the lowest known revision (the most exposed choice).
    exact = undefined;
    const first = builds.find((ib) => ib.build.build === b.build && ib.build.minor === b.minor && ib.build.major === b.major);
    effective = first ? first.build : { ...b, revision: 0 };
  } else {
    exact = cat.byText.get(formatBuild(b));
  }
  const nearest = exact ?? lastAtOrBelow(builds, (ib) => ib.build, effective);
  const cuBase = lastAtOrBelow(cat.cuBases.get(product) ?? [], (c) => c.base, effective);
  const productName = cat.file.products[product]?.name ?? `Exchange ${product}`;
  const sameCu = nearest && cuBase && nearest.row.cu === cuBase.cu ? nearest : null;
  return {
    build: formatBuild(b),
    product,
    productName,
    cu: cuBase?.cu ?? null,
    cuReleased: cuBase?.row.released ?? null,
    su: sameCu?.row.su ?? null,
    label: sameCu?.row.label ?? null,
    released: sameCu?.row.released ?? null,
    known: exact !== undefined,
    guessed: exact === undefined,
    nearest: nearest ? nearest.row.build : null,
    effective,
  };
}

/**
 * HealthChecker's rule: the product never got SU X -> not vulnerable (true); version >= the SU-X build of the
 * newest CU that got X -> patched; else patched only if the server's own CU got X and version >= that build.
 */
export function isPatchedFor(b: Build, product: ProductId, su: string, cat: Catalogue = defaultCatalogue()): boolean {
  const list = cat.suBuilds.get(su)?.get(product);
  if (!list || list.length === 0) return true;
  const newestCu = list[list.length - 1]!.row.cu;
  const newestCuFirst = list.find((ib) => ib.row.cu === newestCu)!;
  if (compareBuild(b, newestCuFirst.build) >= 0) return true;
  const cu = lastAtOrBelow(cat.cuBases.get(product) ?? [], (c) => c.base, b)?.cu;
  const own = list.find((ib) => ib.row.cu === cu);
  return own !== undefined && compareBuild(b, own.build) >= 0;
}

/** The first build carrying SU X above `b` on the same product: the server's own CU's SU build or a later CU's. */
export function firstFixFor(b: Build, product: ProductId, su: string, cat: Catalogue = defaultCatalogue()): IndexedBuild | null {
  const list = cat.suBuilds.get(su)?.get(product) ?? [];
  return list.find((ib) => compareBuild(ib.build, b) > 0) ?? null;
}
