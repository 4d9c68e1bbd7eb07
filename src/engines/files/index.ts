// File scan door: createFileScanner (Exchange file checks + IOC lists + YARA over every evidence file)
// and webShellUsage (log requests to the shells found); what src/hunt.ts calls.
export { createFileScanner, DEFAULT_MAX_FILE_SIZE } from './scanner.js';
export type { FileScanner, FileScanOptions, FileScanStats } from './scanner.js';
export { webShellUsage } from './web-usage.js';
export { windowsPathOf, urlPathOf, placeOf, isLogPath } from './locate.js';
export type { PlaceKind } from './locate.js';
export { judgePath, judgeUrl, loadBaseline } from './baseline.js';
export type { Baseline, BaselineFolder, Judgement } from './baseline.js';
export { levelFromScore } from './file-finding.js';
