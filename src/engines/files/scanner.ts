// The file scanner the hunt calls for every evidence file: one safe read, three hashes, exhunt's Exchange
// checks, IOC lists and YARA (file rules on files, log signatures on logs), never exhunt's own rules.
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DiagnosticSink } from '../../diagnostics.js';
import { windowsPath as layoutWindowsPath, type Evidence } from '../../evidence/index.js';
import type { HuntEvent } from '../../event.js';
import type { Finding } from '../../finding.js';
import { rulesDir } from '../../paths.js';
import { createIocSet, loadIocFiles, type IocSet } from '../ioc/index.js';
import { createYaraEngine, externalVariables, fileTypeOf, type RuleTarget, type YaraEngine } from '../yara/index.js';
import { runFileChecks } from './checks.js';
import type { FileContext } from './file-finding.js';
import { isLogPath, placeOf, urlPathOf, windowsPathOf } from './locate.js';
import { filenameIocFinding, hashIocFinding, yaraFinding } from './match-findings.js';
import { isInside, readEvidence } from './read.js';
import { webShellUsage } from './web-usage.js';

export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

const SCRIPT_PAGE = /\.(aspx|ashx|asmx|asp|asa|asax|cer|cshtml|php|jsp|jspx)$/i;

export interface FileScanOptions {
  /** YARA rule files or folders (--yara, repeatable). */
  yara: string[];
  /** LOKI-format IOC files (--iocs, repeatable). */
  iocs: string[];
  /** Include exhunt's built-in YARA pack (rules/yara). */
  builtin: boolean;
  /** Bytes; larger files get header checks only and a FILE_TOO_LARGE diagnostic. Default 64 MiB. */
  maxFileSize?: number;
  /** YARA-X package name (tests); default '@litko/yara-x'. */
  yaraPackage?: string;
}

export interface FileScanStats {
  /** Files read and checked. */
  files: number;
  bytes: number;
  /** Files not checked: exhunt's own rule/IOC files, links out of the collection, unreadable. */
  skipped: number;
  /** Files over maxFileSize (header checks only). */
  tooLarge: number;
  /** Files scanned with YARA, by rule target. */
  yaraScanned: Record<RuleTarget, number>;
  yaraAvailable: boolean;
  yaraRules: Record<RuleTarget, number>;
  filenameIocs: number;
  hashIocs: number;
  findings: number;
  /** For ScanSummary.rules.yara: rules in use (both targets); null when no YARA rules were asked for. */
  yara: { loaded: number; available: boolean } | null;
  /** For ScanSummary.rules.iocs: IOC entries in use; null when no IOC list was given. */
  iocs: { loaded: number } | null;
}

export interface FileScanner {
  scan(evidence: Evidence): Promise<Finding[]>;
  readonly stats: FileScanStats;
  /** See web-usage.ts: IIS/HttpProxy requests to found shells (and to unknown pages in shell folders). */
  webShellUsage(shellFindings: Finding[]): (event: HuntEvent) => Finding | null;
}

function safeReal(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Which YARA rules a file gets: log signatures for logs, file rules for everything else but EVTX/JSON. */
function yaraTarget(ev: Evidence, windowsPath: string): RuleTarget | null {
  // a page is judged as a page whatever its content was sniffed as (a shell can start like a log)
  if (SCRIPT_PAGE.test(windowsPath)) return 'file';
  switch (ev.kind) {
    case 'iis-w3c':
    case 'exchange-csv':
      return 'log';
    case 'evtx':
    case 'json':
      return null;
    case 'file':
      return isLogPath(windowsPath) ? 'log' : 'file';
  }
}

export async function createFileScanner(opts: FileScanOptions, sink: DiagnosticSink): Promise<FileScanner> {
  const maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const yara: YaraEngine | null = await createYaraEngine(
    { paths: opts.yara, builtinDir: opts.builtin ? join(rulesDir, 'yara') : null, ...(opts.yaraPackage ? { yaraPackage: opts.yaraPackage } : {}) },
    sink,
  );
  const iocs: IocSet = opts.iocs.length > 0 ? loadIocFiles(opts.iocs, sink) : createIocSet([], []);
  // never scan exhunt's own rules, nor the rule and IOC files of this run (they match themselves)
  const excluded = [safeReal(rulesDir), ...(yara?.ruleFiles ?? []), ...opts.yara.map(safeReal), ...opts.iocs.map(safeReal)];
  const realRoots = new Map<string, string>();
  const stats: FileScanStats = {
    files: 0,
    bytes: 0,
    skipped: 0,
    tooLarge: 0,
    yaraScanned: { file: 0, log: 0 },
    yaraAvailable: yara !== null,
    yaraRules: yara?.ruleCount ?? { file: 0, log: 0 },
    filenameIocs: iocs.filenameIocs.length,
    hashIocs: iocs.hashIocs.size,
    findings: 0,
    yara: yara !== null
      ? { loaded: yara.ruleCount.file + yara.ruleCount.log, available: true }
      : opts.builtin || opts.yara.length > 0
        ? { loaded: 0, available: false }
        : null,
    iocs: opts.iocs.length > 0 ? { loaded: iocs.filenameIocs.length + iocs.hashIocs.size } : null,
  };

  async function scan(ev: Evidence): Promise<Finding[]> {
    let realRoot = realRoots.get(ev.root);
    if (realRoot === undefined) {
      realRoot = safeReal(ev.root);
      realRoots.set(ev.root, realRoot);
    }
    const real = await realpath(ev.absPath).catch(() => resolve(ev.absPath));
    if (excluded.some((x) => isInside(x, real))) {
      stats.skipped++;
      return [];
    }
    // the collection layout's own mapping (KAPE, Velociraptor) first; our heuristics for partial copies
    const windowsPath = layoutWindowsPath(ev.path) ?? windowsPathOf(ev.root, ev.path);
    const target = yaraTarget(ev, windowsPath);
    // files are read whole (checks, hashes, YARA); logs only when log signatures will run; EVTX/JSON never
    const headerOnly = target === null || (target === 'log' && (yara?.ruleCount.log ?? 0) === 0);
    const read = await readEvidence(ev, maxFileSize, realRoot, sink, headerOnly);
    if (read === null) {
      stats.skipped++;
      return [];
    }
    stats.files++;
    stats.bytes += read.size;
    if (read.data === null && !headerOnly) stats.tooLarge++;
    const type = fileTypeOf(read.header);
    const ctx: FileContext = { ev, read, windowsPath, urlPath: urlPathOf(windowsPath), place: placeOf(windowsPath), type };
    const findings: Finding[] = [];
    findings.push(...runFileChecks(ctx));
    for (const ioc of iocs.matchPath(windowsPath)) findings.push(filenameIocFinding(ctx, ioc));
    if (read.md5 !== null && read.sha1 !== null && read.sha256 !== null && iocs.hashIocs.size > 0) {
      for (const ioc of iocs.matchDigests({ md5: read.md5, sha1: read.sha1, sha256: read.sha256 })) findings.push(hashIocFinding(ctx, ioc));
    }
    if (yara !== null && target !== null && read.data !== null) {
      stats.yaraScanned[target]++;
      try {
        const vars = externalVariables(windowsPath, type?.type ?? '', read.md5 ?? '');
        for (const hit of yara.scan(read.data, target, vars)) findings.push(yaraFinding(ctx, hit));
      } catch (err) {
        sink({ code: 'YARA_SCAN', severity: 'warning', message: `YARA scan failed: ${(err as Error).message}`, location: { path: ev.path } });
      }
    }
    stats.findings += findings.length;
    return findings;
  }

  return { scan, stats, webShellUsage };
}
