#!/usr/bin/env bash
# kyso's benchmark: kyso against peer tools on the same machine, in one run, as ratios.
#   1. CLI: sign a ~9 MB, 2 600-page PDF built from the shared corpus with qpdf, against
#      podofosign (PoDoFo's own signer) and the floor (SHA-256 over the file + one RSA-2048
#      signature + writing the file, with the openssl command line).
#   2. Peak memory of each (GNU time's maximum resident set size).
#   3. HTTP: signatures per second for a small PDF through kyso-server, against
#      `openssl speed rsa2048` sign/s (single process and one per core).
# Results go to bench/out/results.md; docs/performance.md discusses them.
# Usage: bench/run.sh [--quick]   (--quick: fewer runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
out="$root/bench/out"
runs=20; requests=600
[[ "${1:-}" == "--quick" ]] && { runs=5; requests=150; }

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target kyso kyso-server >/dev/null
bin="$root/build-release/bin"
mkdir -p "$out"
cd "$out"

# -- inputs ------------------------------------------------------------------------------------
corpus="$root/../shared/corpus/pdf"
if [[ ! -f big.pdf ]]; then
  # Every corpus file that kyso signs and qpdf finds clean, merged page by page, twice over (a
  # distinct copy, so that qpdf does not share their objects): about 9 MB, 2 600 pages.
  mapfile -t clean < <(awk -F'\t' '$2 == "signed" && $3 == "clean" { print $1 }' "$root/tests/data/corpus-expectations.tsv")
  args=(); for f in "${clean[@]}"; do args+=("$corpus/$f"); done
  qpdf --empty --pages "${args[@]}" -- part.pdf 2>/dev/null || [[ $? -eq 3 ]]
  cp part.pdf part1.pdf
  qpdf --empty --pages part.pdf part1.pdf -- big.pdf 2>/dev/null || [[ $? -eq 3 ]]
  rm -f part*.pdf
fi
small="$corpus/qpdf_qtest_qpdf_11-pages.pdf"
size=$(stat -c %s big.pdf)
pages=$(qpdf --show-npages big.pdf)
rm -rf var && "$bin/kyso" --data-dir var pki init >/dev/null
key=var/pki/seal.key.pem; cert=var/pki/seal.crt.pem

# -- 1. CLI against podofosign and the floor ----------------------------------------------------
# -N: no shell around each command (the floor needs one to chain its two commands, and pays it).
# kyso-4KB shows the fixed cost of a run: process start, keys, audit entry, fsyncs.
hyperfine -N --warmup 3 --runs "$runs" --export-markdown cli.md --export-csv cli.csv \
  -n kyso "$bin/kyso --data-dir var sign pdf big.pdf kyso.pdf" \
  -n podofosign "podofosign -in big.pdf -out podofo.pdf -cert $cert -pkey $key -digest SHA256 -reason bench" \
  -n floor "sh -c 'openssl dgst -sha256 -sign $key -out floor.sig big.pdf && cp big.pdf floor.pdf'" \
  -n kyso-4KB "$bin/kyso --data-dir var sign pdf $small small.pdf" >/dev/null

# Medians: one slow run (the machine is shared) should not decide a ratio.
mean() { awk -F, -v name="$1" '$1 == name { print $4 }' cli.csv; }
k=$(mean kyso); p=$(mean podofosign); f=$(mean floor); ks=$(mean kyso-4KB)

# -- 2. peak memory -----------------------------------------------------------------------------
peak() { local max=0; for _ in 1 2 3; do local kb; kb=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1); ((kb > max)) && max=$kb; done; echo "$max"; }
mk=$(peak "$bin/kyso" --data-dir var sign pdf big.pdf kyso.pdf)
mp=$(peak podofosign -in big.pdf -out podofo.pdf -cert "$cert" -pkey "$key" -digest SHA256)
mf=$(peak sh -c "openssl dgst -sha256 -sign $key -out floor.sig big.pdf && cp big.pdf floor.pdf")
mv=$(peak "$bin/kyso" --data-dir var version)

# Both signed files must verify, or the comparison means nothing.
pdfsig -no-ocsp kyso.pdf 2>/dev/null | grep -q "Signature is Valid" || { echo "kyso.pdf does not verify" >&2; exit 1; }
pdfsig -no-ocsp podofo.pdf 2>/dev/null | grep -q "Signature is Valid" || { echo "podofo.pdf does not verify" >&2; exit 1; }

# -- 3. HTTP signatures per second against openssl speed ----------------------------------------
"$bin/kyso-server" --port 0 --data-dir var > server.out 2> server.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "listening on" server.out 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '[0-9]*$' server.out)
token=$("$bin/kyso" --data-dir var apikey create --role signer --label bench 2>/dev/null)
http() { ab -q -k -n "$requests" -c "$1" -p "$small" -T application/pdf -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/v1/sign/pdf?level=$2" | awk '/Requests per second/ { print $4 } /Failed requests|Non-2xx/ { if ($3 > 0) bad = 1 } END { if (bad) print "FAILED" }'; }
hb1=$(http 1 B-B); hb4=$(http 4 B-B); ht4=$(http 4 B-T)
kill $server; wait $server 2>/dev/null || true; trap - EXIT
cores=$(nproc)
s1=$(openssl speed -seconds 3 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }')
sn=$(openssl speed -seconds 3 -multi "$cores" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
  echo "# kyso benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -m)"
  echo
  echo "Input: big.pdf, $size bytes, $pages pages (qpdf-merged corpus pages). $runs runs each (hyperfine); ratios use medians."
  echo
  cat cli.md
  echo
  echo "| ratio | value | target |"
  echo "|---|---|---|"
  echo "| podofosign time / kyso time | $(ratio "$p" "$k")× | ≥ 3× |"
  echo "| kyso time / floor time | $(ratio "$k" "$f")× | ≤ 2× |"
  echo "| kyso time beyond its fixed cost / floor time | $(ratio "$(awk -v a="$k" -v b="$ks" 'BEGIN { print a - b }')" "$f")× | |"
  echo
  echo "| peak RSS | KiB | × file size |"
  echo "|---|---|---|"
  echo "| kyso sign pdf | $mk | $(ratio "$mk" "$((size / 1024))") (target ≤ 3) |"
  echo "| podofosign | $mp | $(ratio "$mp" "$((size / 1024))") |"
  echo "| floor | $mf | $(ratio "$mf" "$((size / 1024))") |"
  echo "| kyso version (process baseline) | $mv | |"
  echo
  echo "HTTP, $(stat -c %s "$small")-byte PDF, $requests requests per row (ab, keep-alive):"
  echo
  echo "| load | signatures/s | openssl speed rsa2048 sign/s | kyso / openssl |"
  echo "|---|---|---|---|"
  echo "| B-B, 1 client | $hb1 | $s1 (1 process) | $(ratio "$hb1" "$s1") |"
  echo "| B-B, 4 clients | $hb4 | $sn ($cores processes) | $(ratio "$hb4" "$sn") |"
  echo "| B-T, 4 clients (2 RSA signatures each: seal + TSA) | $ht4 | $sn | $(ratio "$ht4" "$sn") |"
} | tee results.md
