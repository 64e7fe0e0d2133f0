#!/usr/bin/env bash
# Verification throughput (issue 5, "Benchmark"): documents verified per second by kyso against
# poppler's `pdfsig` (PDF) and `xmlsec1 --verify` (XML) on the same files, in the same run, as ratios.
#
# Inputs, made by kyso on a fresh development PKI (bench/out/verify/):
#   receipt.pdf   the signed PDF copy of an e-receipt (B-B, visible seal, QR), ~100 KB
#   result.pdf    a 52-page procedure result built from the shared corpus with qpdf, signed B-T
#   receipt.xml   the signed XML of the same e-receipt (GDT XMLDSig layout)
# Three ways of verifying each file:
#   peer          pdfsig with an NSS database trusting the dev root (-no-ocsp: it would otherwise
#                 fetch OCSP over HTTP), or xmlsec1 with the dev root trusted — one process each;
#   kyso process  `kyso verify FILE` — one process each: the whole ETSI validation, certificate path
#                 to the dev root, revocation by the dev PKI's OCSP responder (answered in process),
#                 time-stamp, and the report;
#   kyso in-proc  the same verification repeated in one process (bench/verify_load.cpp), which is
#                 what POST /v1/verify costs a running server.
# Process timings are hyperfine medians; kyso's checks are a superset of the peers' (revocation on).
# Results go to bench/out/verify/results.md; docs/performance.md discusses them.
# Usage: bench/verify.sh [--runs N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
out="$root/bench/out/verify"
runs=30
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift ;;
    *) sed -n '/^# Usage/s/^# //p' "$0" >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target kyso kyso-verify-load >/dev/null
bin="$root/build-release/bin"
mkdir -p "$out"
cd "$out"

# -- inputs ------------------------------------------------------------------------------------
rm -rf var nssdb ./*.pdf ./*.xml ./*.pem
"$bin/kyso" --data-dir var pki init >/dev/null
"$bin/kyso" --data-dir var pki chain >chain.pem
# `pki chain` prints the CA certificates root last.
awk '/BEGIN CERT/{n++} {print > ("ca" n ".pem")}' chain.pem
root_pem=$(ls ca*.pem | sort -V | tail -1)
issuing_pem=ca1.pem

symbol="$(TZ=Asia/Ho_Chi_Minh date +%y)TAB"
"$bin/kyso" --data-dir var series create --template EBL01 --symbol "$symbol" \
  --org-name "Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang" --org-tax-code 5000123459 \
  --org-address "Phường Minh Xuân, tỉnh Tuyên Quang" >/dev/null
cat >receipt.json <<JSON
{"template": "EBL01", "symbol": "$symbol",
 "payer": {"name": "Nguyễn Văn A", "id": "008085012345", "address": "Tổ 5, phường Phan Thiết"},
 "items": [{"code": "LPHT01", "name": "Lệ phí cấp bản sao trích lục hộ tịch", "kind": "le_phi", "amount": 8000}],
 "payment": {"method": "online", "transaction_id": "BENCH-1", "provider": "paygov", "paid_at": "2026-11-27T09:15:00+07:00"},
 "dossier": {"code": "H59.22-261127-0001", "procedure_code": "1.001193"}}
JSON
id=$("$bin/kyso" --data-dir var receipt issue --json receipt.json | grep -o 'rc_[0-9a-f]*' | head -1)
"$bin/kyso" --data-dir var receipt show "$id" --xml receipt.xml --pdf receipt.pdf >/dev/null

corpus="$root/../shared/corpus/pdf"
qpdf --empty --pages "$corpus/qpdf_qtest_qpdf_11-pages.pdf" "$corpus/qpdf_qtest_qpdf_11-pages.pdf" \
  "$corpus/qpdf_qtest_qpdf_11-pages.pdf" "$corpus/qpdf_qtest_qpdf_11-pages.pdf" -- unsigned.pdf 2>/dev/null || [[ $? -eq 3 ]]
"$bin/kyso" --data-dir var sign pdf --level B-T unsigned.pdf result.pdf >/dev/null

mkdir nssdb
certutil -N -d sql:nssdb --empty-password
certutil -A -d sql:nssdb -n kyso-dev-root -t "CT,C,C" -i "$root_pem"

# Every side must accept every file before anything is timed.
for f in receipt.pdf result.pdf; do
  pdfsig -nssdir sql:nssdb -no-ocsp "$f" | grep -q "Signature Validation: Signature is Valid" ||
    { echo "pdfsig does not accept $f" >&2; exit 1; }
  "$bin/kyso" --data-dir var verify "$f" >/dev/null || { echo "kyso verify does not pass $f" >&2; exit 1; }
done
xmlsec_cmd="xmlsec1 --verify --enabled-reference-uris same-doc --trusted-pem $root_pem --untrusted-pem $issuing_pem --id-attr:Id DLBLai --id-attr:Id Object receipt.xml"
$xmlsec_cmd >/dev/null 2>&1 || { echo "xmlsec1 does not accept receipt.xml" >&2; exit 1; }
"$bin/kyso" --data-dir var verify receipt.xml >/dev/null || { echo "kyso verify does not pass receipt.xml" >&2; exit 1; }

# -- timing ------------------------------------------------------------------------------------
median_ms() { awk -F, 'NR == 2 { printf "%.2f", $4 * 1000 }' "$1"; }  # hyperfine CSV: command,mean,stddev,median,...
inproc() { "$bin/kyso-verify-load" var "$1" "$2" | tr ' ' '\n' | awk -F= '$1 == "per_second" { printf "%.0f", $2 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

{
  echo "# Verification throughput ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| file | size | peer per process | kyso per process | kyso in process | peer ms / kyso ms (process) | kyso in process / peer (docs/s) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >results.md
for f in receipt.pdf result.pdf receipt.xml; do
  if [[ "$f" == *.pdf ]]; then peer="pdfsig -nssdir sql:nssdb -no-ocsp $f"; else peer="$xmlsec_cmd"; fi
  hyperfine -N -w 3 -r "$runs" --export-csv peer.csv "$peer" >/dev/null 2>&1
  hyperfine -N -w 3 -r "$runs" --export-csv kyso.csv "$bin/kyso --data-dir var verify $f" >/dev/null 2>&1
  p=$(median_ms peer.csv); k=$(median_ms kyso.csv)
  n=$(inproc "$f" 200)
  echo "| $f | $(stat -c %s "$f") B | $p ms | $k ms | $n docs/s | $(calc %.2f "$p / $k") | $(calc %.1f "$n * $p / 1000") |" >>results.md
done
cat results.md
