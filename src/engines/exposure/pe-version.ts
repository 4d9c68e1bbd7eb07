// The version resource (VS_VERSIONINFO) of a PE file such as ExSetup.exe, read with the maintained
// `resedit` package (pure JS). Returns null when the bytes are not a PE or carry no version resource.
import { NtExecutable, NtExecutableResource, Resource } from 'resedit';

export interface PeVersion {
  /** From VS_FIXEDFILEINFO, e.g. "15.1.2176.2"; null when zero. */
  fixed: string | null;
  /** The FileVersion string, e.g. "15.01.2176.002". */
  fileVersion: string | null;
  productVersion: string | null;
}

export function readPeVersion(bytes: Uint8Array): PeVersion | null {
  let infos: Resource.VersionInfo[];
  try {
    const exe = NtExecutable.from(bytes, { ignoreCert: true });
    const res = NtExecutableResource.from(exe);
    infos = Resource.VersionInfo.fromEntries(res.entries);
  } catch {
    return null;
  }
  const vi = infos[0];
  if (!vi) return null;
  const f = vi.fixedInfo;
  const parts = [f.fileVersionMS >>> 16, f.fileVersionMS & 0xffff, f.fileVersionLS >>> 16, f.fileVersionLS & 0xffff];
  const fixed = parts.some((n) => n !== 0) ? parts.join('.') : null;
  let fileVersion: string | null = null;
  let productVersion: string | null = null;
  for (const lang of vi.getAllLanguagesForStringValues()) {
    const values = vi.getStringValues(lang);
    fileVersion ??= values['FileVersion'] ?? null;
    productVersion ??= values['ProductVersion'] ?? null;
  }
  return { fixed, fileVersion, productVersion };
}
