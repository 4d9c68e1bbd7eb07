// exhunt built-in YARA pack: web shells and web shell drops seen on Exchange servers (2021-2023).
// Written by the exhunt project from public incident write-ups (see ../shared/research/exchange.md §2);
// each rule carries author, description, level/score and ATT&CK in meta. Licence: MIT, like exhunt.

rule EXHUNT_WEBSHELL_ChinaChopper_OneLiner
{
   meta:
      author = "exhunt project"
      description = "China Chopper style one-liner: a JScript page that evaluates a request parameter with the 'unsafe' flag"
      reference = "research/exchange.md 1.4 (HAFNIUM OAB ExternalUrl payload)"
      date = "2026-11-26"
      level = "critical"
      score = 100
      mitre_attack = "T1505.003"
   strings:
      $lang1 = "Language=\"Jscript\"" nocase
      $lang2 = "language=\"JScript\" runat=\"server\"" nocase
      $lang3 = "Language=\"C#\"" nocase
      $eval = /eval\s*\(\s*Request(\.Item)?\s*[\[\(]\s*["'][^"'\]\)]{1,64}["']\s*[\]\)]\s*,\s*["']unsafe["']\s*\)/ nocase
   condition:
      filesize < 512KB and $eval and any of ($lang*)
}

rule EXHUNT_WEBSHELL_Eval_Request_Unsafe
{
   meta:
      author = "exhunt project"
      description = "eval() of request input with the 'unsafe' flag anywhere in a file (web shell code hidden in a larger file, e.g. an OAB or mailbox export)"
      date = "2026-11-26"
      level = "high"
      score = 85
      mitre_attack = "T1505.003"
   strings:
      $e1 = /eval\s*\(\s*Request(\.(Item|Form|QueryString))?\s*[\[\(][^\]\)]{1,80}[\]\)]\s*,\s*["']unsafe["']/ nocase
      $e2 = /eval\s*\(\s*System\.Text\.Encoding\.\w+\.GetString\s*\(\s*System\.Convert\.FromBase64String\s*\(\s*Request/ nocase
   condition:
      any of them
}

rule EXHUNT_WEBSHELL_PST_Export_As_Script
{
   meta:
      author = "exhunt project"
      description = "Mailbox export (PST, starts with !BDN) written with a script page extension: ProxyShell New-MailboxExportRequest web shell drop (CVE-2021-31207)"
      reference = "research/exchange.md 2.1"
      date = "2026-11-26"
      level = "critical"
      score = 100
      mitre_attack = "T1505.003 T1190"
   condition:
      uint32(0) == 0x4E444221
      and (extension == ".aspx" or extension == ".ashx" or extension == ".asmx" or extension == ".asp"
           or filename matches /\.as[hmp]x?(\.|$)/i)
}

rule EXHUNT_WEBSHELL_CertRequest_As_Script
{
   meta:
      author = "exhunt project"
      description = "Certificate request written with a script page extension (New-ExchangeCertificate -RequestFile x.aspx with script in the subject): ProxyShell-era web shell drop"
      reference = "research/exchange.md 2.1"
      date = "2026-11-26"
      level = "critical"
      score = 95
      mitre_attack = "T1505.003"
   strings:
      $pem = "-----BEGIN NEW CERTIFICATE REQUEST-----"
   condition:
      (extension == ".aspx" or extension == ".ashx" or extension == ".asmx" or extension == ".asp"
       or filename matches /\.as[hmp]x?(\.|$)/i)
      // PEM text, or a DER SEQUENCE with a two-byte length (-BinaryEncoded): no real page starts so
      and ($pem in (0..64) or uint16be(0) == 0x3082)
}

rule EXHUNT_WEBSHELL_ASPX_Obfuscated
{
   meta:
      author = "exhunt project"
      description = "ASP.NET page or handler that decodes and loads code at run time, or hides it behind character codes or escapes"
      date = "2026-11-26"
      level = "high"
      score = 80
      mitre_attack = "T1505.003 T1027"
   strings:
      $page1 = "<%@ Page" nocase
      $page2 = "<%@ WebHandler" nocase
      $page3 = "runat=\"server\"" nocase
      $page4 = "<%@ WebService" nocase
      $b64 = "FromBase64String" nocase
      $load1 = /Assembly\s*\.\s*Load\s*\(/ nocase
      $load2 = "CreateInstance" nocase
      $load3 = "CompileAssemblyFromSource" nocase
      $exec1 = "ProcessStartInfo" nocase
      $exec2 = "cmd.exe" nocase
      $exec3 = "powershell" nocase
      $rev = "StrReverse" nocase
      $chr = /Chr[W]?\(\s*\d{2,3}\s*\)\s*[&+]/ nocase
      $uni = /\\u00[0-9a-fA-F]{2}/
      $hexstr = /\\x[0-9a-fA-F]{2}\\x[0-9a-fA-F]{2}\\x[0-9a-fA-F]{2}/
   condition:
      filesize < 2MB and any of ($page*) and (
         ($b64 and any of ($load*))
         or ($rev and any of ($exec*))
         or #chr > 25
         or #uni > 40
         or #hexstr > 20
      )
}

rule EXHUNT_WEBSHELL_Compiled_JScript_Eval
{
   meta:
      author = "exhunt project"
      description = "ASP.NET compiled page assembly (App_Web_*.dll) of a JScript page that evaluates input: the compiled leftover of a China Chopper shell"
      reference = "research/exchange.md 2.4 (Temporary ASP.NET Files)"
      date = "2026-11-26"
      level = "high"
      score = 85
      mitre_attack = "T1505.003"
   strings:
      $appweb = "App_Web_" ascii wide
      $js1 = "Microsoft.JScript" ascii wide
      $js2 = "JScriptEvaluate" ascii wide
      $req = "get_Request" ascii wide
   condition:
      uint16(0) == 0x5A4D and filesize < 1MB and $appweb and all of ($js*) and $req
}

rule EXHUNT_WEBSHELL_Compiled_Marker_Suspicious_Path
{
   meta:
      author = "exhunt project"
      description = "ASP.NET .compiled marker file for a page under aspnet_client, OAB or ecp/auth (folders a clean Exchange install keeps no pages in)"
      reference = "research/exchange.md 2.4"
      date = "2026-11-26"
      level = "high"
      score = 80
      mitre_attack = "T1505.003"
   strings:
      $preserve = "<preserve" nocase
      $vp = /virtualPath="\/(aspnet_client|OAB|ecp\/auth)\/[^"]{1,80}\.as[hmp]x?"/ nocase
   condition:
      filesize < 64KB and $preserve and $vp
}
