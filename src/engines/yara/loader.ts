// Lazy loading of the optional native YARA-X binding (@litko/yara-x), typed by the small surface we use.
// Without it exhunt still runs: the caller reports YARA_UNAVAILABLE once and switches the engine off.

/** One string match inside a rule match. */
export interface YaraXMatchData {
  offset: number;
  length: number;
  data: string;
  identifier: string;
}

export interface YaraXRuleMatch {
  ruleIdentifier: string;
  namespace: string;
  meta: Record<string, unknown>;
  tags: string[];
  matches: YaraXMatchData[];
}

export interface YaraXWarning {
  code: string;
  message: string;
}

/** A compiled rule set. */
export interface YaraXRules {
  scan(data: Buffer, variables?: Record<string, string | number>): YaraXRuleMatch[];
  getWarnings(): YaraXWarning[];
  setMaxMatchesPerPattern(max: number): void;
}

export interface YaraXCompileOptions {
  defineVariables?: Record<string, string>;
}

export interface YaraXModule {
  compile(source: string, options?: YaraXCompileOptions): YaraXRules;
}

/** The package name; tests pass another (missing) name to see the engine switch itself off. */
export const YARA_X_PACKAGE = '@litko/yara-x';

/**
 * How to add the binding, said once with YARA_UNAVAILABLE and by `exhunt --version`. The registry has its
 * native build for Linux x64 (glibc) only (@litko/yara-x 0.3.0; the macOS builds it names were never published).
 */
export const YARA_X_HINT =
  'it is an optional dependency with a native build for Linux x64 (glibc) only; add it with `npm install -g @litko/yara-x` ' +
  'beside a global exhunt, or `npm install @litko/yara-x` in the project that has exhunt';

/** Loads the binding, or returns the reason it cannot be loaded. */
export async function loadYaraX(spec: string = YARA_X_PACKAGE): Promise<YaraXModule | Error> {
  try {
    // A variable specifier keeps tsc from resolving the package's (incomplete) type file.
    const mod = (await import(spec)) as { default?: unknown; compile?: unknown };
    const api = (typeof mod.compile === 'function' ? mod : mod.default) as Partial<YaraXModule> | undefined;
    if (!api || typeof api.compile !== 'function') return new Error(`${spec} has no compile()`);
    return api as YaraXModule;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
