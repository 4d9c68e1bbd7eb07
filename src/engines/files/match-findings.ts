// Findings from YARA and IOC matches: level from meta.level or the LOKI score, ATT&CK from meta or from
// the rule family (signature-base carries no ATT&CK tags), CVEs from the rule name, the author kept (DRL).
import { basename } from 'node:path';
import { isLevel, type Finding, type Level } from '../../finding.js';
import type { FilenameIoc, HashIoc } from '../ioc/index.js';
import type { YaraHit } from '../yara/index.js';
import { fileFinding, levelFromScore, type FileContext } from './file-finding.js';

/** ATT&CK by rule family, for rules without meta.mitre_attack (research/attack-yara.md §7). */
const FAMILIES: [RegExp, string[]][] = [
  [/^(?:EXPL_)?LOG_|_LOG_|^EXPL_Exchange_|Forensic_Artefacts_(?:Mar21|CleanUp)|^LOG_EXPL_/i, ['T1190']],
  [/IIS_Config/i, ['T1505.003']],
  [/WEBSHELL|Web_?Shell|Chopper|ASPX|_ASP_|ASPXSpy|reGeorg|Tunn?eller|reDuh|Laudanum|^aspx?_|_aspx|_asp$|_jsp|_php|Txt_asp/i, ['T1505.003']],
  [/PowerCat|Nishang|_PS1_/i, ['T1059.001']],
  [/WER_|Cab_Recon/i, ['T1560.001']],
  [/RANSOM|DearCry/i, ['T1486']],
  [/CobaltStrike/i, ['T1071.001']],
];

export function attackForRule(name: string): string[] {
  for (const [re, ids] of FAMILIES) if (re.test(name)) return ids;
  return [];
}

export function cvesOf(...texts: (string | null)[]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    if (!t) continue;
    for (const m of t.matchAll(/CVE[-_](\d{4})[-_](\d{4,7})/gi)) out.add(`CVE-${m[1]}-${m[2]}`);
  }
  return [...out];
}

function lineAt(data: Buffer | null, offset: number): number | undefined {
  if (data === null || offset < 0 || offset > data.length) return undefined;
  let line = 1;
  let i = -1;
  while ((i = data.indexOf(10, i + 1)) !== -1 && i < offset) line++;
  return line;
}

export function yaraFinding(ctx: FileContext, hit: YaraHit): Finding {
  const attack = hit.attack.length > 0 ? hit.attack : attackForRule(hit.rule);
  const isShell = attack.includes('T1505.003');
  let level: Level = hit.level !== null && isLevel(hit.level) ? hit.level : levelFromScore(hit.score ?? 70);
  // a web shell signature inside an Exchange web folder is at least high, whatever its generic score
  if (isShell && ctx.place === 'web' && (level === 'medium' || level === 'low')) level = 'high';
  const first = hit.strings[0];
  const line = hit.target === 'log' && first ? lineAt(ctx.read.data, first.offset) : undefined;
  return fileFinding(ctx, {
    engine: 'yara',
    level,
    rule: {
      id: hit.rule,
      title: hit.description ?? hit.rule,
      author: hit.author,
      source: hit.source,
      tags: hit.tags,
      ...(hit.reference ? { references: [hit.reference] } : {}),
    },
    attack,
    cves: cvesOf(hit.rule, hit.description),
    kind: isShell && hit.target === 'file' ? 'webshell' : hit.target === 'log' ? 'yara-log-match' : 'yara-match',
    message: `YARA ${hit.rule}${hit.author ? ` by ${hit.author}` : ''}${hit.description ? `: ${hit.description}` : ''}`,
    fields: { yaraScore: hit.score, yaraStrings: hit.strings },
    ...(line !== undefined ? { line } : {}),
  });
}

export function filenameIocFinding(ctx: FileContext, ioc: FilenameIoc): Finding {
  return fileFinding(ctx, {
    engine: 'ioc',
    level: levelFromScore(ioc.score),
    rule: { id: `ioc-filename:${basename(ioc.source)}:${ioc.line}`, title: ioc.description ?? `file-name IOC ${ioc.regex}`, author: null, source: ioc.source },
    attack: ctx.place === 'web' && /\.as[hmp]x?$|\.asp$/i.test(ctx.windowsPath) ? ['T1505.003'] : [],
    cves: cvesOf(ioc.description),
    kind: 'ioc-filename',
    message: `file name matches IOC ${ioc.regex} (score ${ioc.score})${ioc.description ? `: ${ioc.description}` : ''}`,
    fields: { iocRegex: ioc.regex, iocScore: ioc.score, iocLine: ioc.line },
  });
}

export function hashIocFinding(ctx: FileContext, ioc: HashIoc): Finding {
  return fileFinding(ctx, {
    engine: 'ioc',
    level: levelFromScore(ioc.score),
    rule: { id: `ioc-hash:${basename(ioc.source)}:${ioc.line}`, title: ioc.comment || `${ioc.kind.toUpperCase()} IOC`, author: null, source: ioc.source },
    attack: ctx.place === 'web' ? ['T1505.003'] : [],
    cves: cvesOf(ioc.comment),
    kind: 'ioc-hash',
    message: `${ioc.kind.toUpperCase()} ${ioc.hash} is a known-bad hash (score ${ioc.score})${ioc.comment ? `: ${ioc.comment}` : ''}`,
    fields: { iocHash: ioc.hash, iocHashKind: ioc.kind, iocScore: ioc.score, iocLine: ioc.line },
  });
}
