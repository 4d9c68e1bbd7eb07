// exhunt's own Exchange file checks: unexpected script pages in web folders (against the clean-install
// baseline), process dumps by MDMP header, archives by magic bytes, IIS virtual directories pointing into
// ProgramData, and Temporary ASP.NET Files *.compiled leftovers of pages a clean install does not have.
import type { Finding, Level } from '../../finding.js';
import { judgePath, judgeUrl } from './baseline.js';
import { builtinRule, fileFinding, type FileContext } from './file-finding.js';

const RULES = {
  unexpectedScript: builtinRule('exhunt-file-unexpected-script', 'Script page not in a clean Exchange install', ['attack.persistence', 'attack.t1505.003']),
  processDump: builtinRule('exhunt-file-process-dump', 'Process memory dump (MDMP header)', ['attack.credential-access', 'attack.t1003.001']),
  lsassName: builtinRule('exhunt-file-lsass-dump-name', 'File named like an LSASS dump', ['attack.credential-access', 'attack.t1003.001']),
  archive: builtinRule('exhunt-file-staging-archive', 'Archive in ProgramData, a staging folder or a web folder', ['attack.collection', 'attack.t1560.001']),
  iisVdir: builtinRule('exhunt-file-iis-vdir-programdata', 'IIS virtual directory pointing into ProgramData or a user folder', ['attack.persistence', 'attack.t1505.003']),
  compiled: builtinRule('exhunt-file-compiled-leftover', 'Compiled ASP.NET page of a script a clean install does not have', ['attack.persistence', 'attack.t1505.003']),
};

const ARCHIVE_EXTENSIONS = /\.(zip|7z|rar|cab|gz|tgz|bz2|xz|tar)$/i;
// containers that are ZIP inside but are not archives an operator would stage data in
const ZIP_CONTAINERS = /\.(docx|docm|xlsx|xlsm|pptx|pptm|jar|war|nupkg|vsix|xpi|apk|odt|ods|odp|msix|appx|appxbundle|epub|whl|xap)$/i;

function nameOf(ctx: FileContext): string {
  return ctx.windowsPath.split('\\').pop() ?? ctx.ev.path;
}

export function checkUnexpectedScript(ctx: FileContext): Finding[] {
  const j = judgePath(ctx.windowsPath);
  if (!j || j.verdict === 'expected') return [];
  const level: Level = j.executable ? 'high' : 'medium';
  return [
    fileFinding(ctx, {
      engine: 'file',
      level,
      rule: RULES.unexpectedScript,
      attack: ['T1505.003'],
      kind: 'webshell',
      message: j.executable
        ? `unexpected ${j.extension} page in ${j.folder.id} (not in a clean Exchange install): possible web shell`
        : `file with a ${j.extension} inner extension in ${j.folder.id}: a web shell drop attempt (e.g. certificate request or mailbox export)`,
      fields: { baselineFolder: j.folder.id },
    }),
  ];
}

export function checkProcessDump(ctx: FileContext): Finding[] {
  const name = nameOf(ctx).toLowerCase();
  const lsassNamed = /lsass.*dmp|lsass.*\.dump/.test(name);
  if (ctx.type?.family !== 'dump') {
    if (!lsassNamed) return [];
    return [
      fileFinding(ctx, {
        engine: 'file',
        level: 'medium',
        rule: RULES.lsassName,
        attack: ['T1003.001'],
        kind: 'process-dump',
        message: 'file named like an LSASS dump, but without a minidump header',
      }),
    ];
  }
  // minidumps list their modules in UTF-16; the LSASS image name betrays a credential dump
  const lsassInside = ctx.read.data !== null && ctx.read.data.includes(Buffer.from('lsass.exe', 'utf16le'));
  const isLsass = lsassNamed || lsassInside;
  let level: Level;
  switch (ctx.place) {
    case 'crash-dumps':
      level = isLsass ? 'high' : 'informational';
      break;
    case 'staging':
    case 'web':
    case 'programdata':
      level = isLsass ? 'critical' : 'high';
      break;
    default:
      level = isLsass ? 'high' : 'medium';
  }
  return [
    fileFinding(ctx, {
      engine: 'file',
      level,
      rule: RULES.processDump,
      attack: ['T1003.001'],
      kind: 'process-dump',
      message: `${isLsass ? 'LSASS ' : ''}process memory dump (${ctx.type.type}) in ${ctx.place === 'other' ? 'an unusual' : `a ${ctx.place}`} folder`,
      fields: { lsass: isLsass, place: ctx.place },
    }),
  ];
}

export function checkArchive(ctx: FileContext): Finding[] {
  if (ctx.type?.family !== 'archive') return [];
  const name = nameOf(ctx);
  if (ZIP_CONTAINERS.test(name) || ctx.type.type === 'Office') return [];
  const disguised = !ARCHIVE_EXTENSIONS.test(name);
  const lower = ctx.windowsPath.toLowerCase();
  let level: Level;
  switch (ctx.place) {
    case 'web':
      level = 'high';
      break;
    case 'staging':
      level = 'medium';
      break;
    case 'programdata':
      // Windows and installers keep archives under ProgramData\Microsoft and Package Cache
      level = /\\programdata\\(microsoft|package cache)\\/.test(lower) ? 'low' : 'medium';
      break;
    default:
      return [];
  }
  if (disguised && level !== 'high') level = 'high';
  return [
    fileFinding(ctx, {
      engine: 'file',
      level,
      rule: RULES.archive,
      attack: ['T1560.001'],
      kind: 'archive',
      message: `${ctx.type.type} archive${disguised ? ` disguised as ${name}` : ''} in a ${ctx.place} folder: possible staging for exfiltration`,
      fields: { archiveType: ctx.type.type, disguised, place: ctx.place },
    }),
  ];
}

const VDIR = /<(virtualDirectory|application)\b[^>]*?\bphysicalPath\s*=\s*"([^"]*)"[^>]*>/gi;
const SUSPICIOUS_PHYSICAL = /\\(programdata|users\\all users|users\\public|perflogs|windows\\temp|temp|appdata)(\\|$)/i;

export function checkIisConfig(ctx: FileContext): Finding[] {
  if (nameOf(ctx).toLowerCase() !== 'applicationhost.config' || ctx.read.data === null) return [];
  const text = ctx.read.data.toString('utf8');
  const out: Finding[] = [];
  for (const m of text.matchAll(VDIR)) {
    const physical = m[2]!.replace(/%SystemDrive%/gi, 'C:').replace(/%ProgramData%/gi, 'C:\\ProgramData');
    if (!SUSPICIOUS_PHYSICAL.test(physical)) continue;
    const element = m[0];
    const line = text.slice(0, m.index).split('\n').length;
    const vpath = /\bpath\s*=\s*"([^"]*)"/i.exec(element)?.[1] ?? null;
    out.push(
      fileFinding(ctx, {
        engine: 'file',
        level: 'high',
        rule: RULES.iisVdir,
        attack: ['T1505.003'],
        kind: 'iis-config',
        line,
        message: `IIS ${m[1]} ${vpath ?? ''} maps to ${m[2]}: web content served from a folder attackers write to`,
        fields: { element: m[1], virtualPath: vpath, physicalPath: m[2] },
      }),
    );
  }
  return out;
}

export function checkCompiledLeftover(ctx: FileContext): Finding[] {
  if (!/\.compiled$/i.test(nameOf(ctx)) || ctx.read.data === null) return [];
  if (ctx.place !== 'temporary-aspnet' && ctx.place !== 'web') return [];
  const text = ctx.read.data.subarray(0, 8192).toString('utf8');
  const virtualPath = /\bvirtualPath\s*=\s*"([^"]+)"/i.exec(text)?.[1] ?? null;
  if (virtualPath === null) return [];
  const j = judgeUrl(virtualPath);
  const inWebFolder = ctx.place === 'web';
  if ((!j || j.verdict === 'expected') && !inWebFolder) return [];
  return [
    fileFinding(ctx, {
      engine: 'file',
      level: j && j.verdict === 'unexpected' ? 'high' : 'medium',
      rule: RULES.compiled,
      attack: ['T1505.003'],
      kind: 'compiled-leftover',
      message: j && j.verdict === 'unexpected'
        ? `ASP.NET compiled ${virtualPath}, a page a clean Exchange install does not have (web shell ran here, even if the file is gone)`
        : `ASP.NET .compiled file inside a web folder (for ${virtualPath})`,
      // the served URL of the page: IIS requests to it are web shell usage
      fields: { urlPath: virtualPath, compiledFrom: virtualPath },
    }),
  ];
}

/** All of exhunt's own checks for one file. */
export function runFileChecks(ctx: FileContext): Finding[] {
  return [
    ...checkUnexpectedScript(ctx),
    ...checkProcessDump(ctx),
    ...checkArchive(ctx),
    ...checkIisConfig(ctx),
    ...checkCompiledLeftover(ctx),
  ];
}
