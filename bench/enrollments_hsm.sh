#!/usr/bin/env bash
# Issue 6's benchmark, in one run on one machine:
#   1. enrolments per second with the local CA through the HTTP API, from POST /v1/enrollments to
#      "issued" (kyso-server with its worker polling every 10 ms; bench/enrollment_load.cpp);
#   2. HSM signatures per second on SoftHSM2, RSA-2048 and P-256, with the same key, the same
#      mechanism (CKM_RSA_PKCS over the SHA-256 DigestInfo, CKM_ECDSA over the digest) and the same
#      token: kyso's key source in process (module loaded and logged in once, then one signature
#      after another: bench/hsm_sign.cpp) against `pkcs11-tool --sign` (Debian opensc), one process
#      per signature (load the module, read the token, log in, sign: what a script calling it pays).
# The last pkcs11-tool signature of each algorithm is checked with openssl against the key's
# public half, and an issued certificate with openssl verify, before numbers are written.
# Results go to bench/out/enrollments-hsm/results.md; docs/performance.md discusses them.
# Usage: bench/enrollments_hsm.sh [--quick] [--build DIR (an existing build, e.g. build; default: the release preset)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
out="$root/bench/out/enrollments-hsm"
count=400; clients=8; signs=1000; procs=100; build=""
while (($#)); do
  case "$1" in
    --quick) count=100; signs=200; procs=20 ;;
    --build) build="$2"; shift ;;
    *) sed -n '/^# Usage/s/^# //p' "$0" >&2; exit 2 ;;
  esac
  shift
done
targets=(kyso kyso-server kyso-enrollment-load kyso-hsm-sign)
if [[ -z "$build" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target "${targets[@]}" >/dev/null
  bin="$root/build-release/bin"
else
  cmake --build "$build" --target "${targets[@]}" >/dev/null
  bin="$(cd "$build" && pwd)/bin"
fi
rm -rf "$out"
mkdir -p "$out"
cd "$out"
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# --- 1. Enrolments -------------------------------------------------------------------------------
server=""
cleanup() { [[ -z "$server" ]] || { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; }; }
trap cleanup EXIT
printf 'enrollment.poll_interval_ms = 10\nlog.level = warning\n' >server.properties
"$bin/kyso-server" --port 0 --data-dir var --config server.properties >server.out 2>server.log &
server=$!
for _ in $(seq 100); do grep -q "listening on" server.out 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '[0-9]*$' server.out)
backend=$("$bin/kyso" --data-dir var apikey create --role backend --label bench 2>/dev/null)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout applicant.key -utf8 \
  -subj "/CN=Nguyễn Văn An/UID=CCCD:001085012345/C=VN" -out applicant.csr 2>/dev/null
enrol=$("$bin/kyso-enrollment-load" --port "$port" --key "$backend" --csr applicant.csr --count "$count" \
  --clients "$clients")
echo "enrolments: $enrol" >&2
# One of them, checked: the certificate chains to the development root.
serial=$(curl -sf -H "Authorization: Bearer $backend" "http://127.0.0.1:$port/v1/enrollments/$(field "$enrol" sample)" |
  grep -o '"certificate_serial":"[0-9A-F]*"' | cut -d'"' -f4)
curl -sf -H "Authorization: Bearer $backend" "http://127.0.0.1:$port/v1/certificates/$serial?format=pem" >issued.pem
openssl verify -CAfile var/pki/root-ca.crt.pem -untrusted issued.pem issued.pem >/dev/null
cleanup; server=""

# --- 2. HSM signatures -----------------------------------------------------------------------------
module=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
  [[ -e "$m" ]] && module="$m" && break
done
[[ -n "$module" ]] || { echo "SoftHSM2 is not installed (softhsm2)" >&2; exit 1; }
mkdir -p tokens
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$PWD/tokens" >softhsm2.conf
export SOFTHSM2_CONF="$PWD/softhsm2.conf"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null
printf '1234\n' >pin && chmod 600 pin
printf 'kyso benchmark document' | openssl dgst -sha256 -binary >digest.bin
# The DigestInfo CKM_RSA_PKCS signs for SHA-256 (RFC 8017 §9.2, note 1), then the digest.
{ printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'; cat digest.bin; } >digestinfo.bin
p11() { pkcs11-tool --module "$module" --token-label bench --login --pin 1234 "$@"; }
: >hsm.tsv
for alg in rsa ec; do
  kyso=$("$bin/kyso-hsm-sign" "$module" bench pin "bench-$alg" "$alg" "$signs")  # generates the key first
  if [[ "$alg" == rsa ]]; then args=(-m RSA-PKCS -i digestinfo.bin); else args=(-m ECDSA --signature-format openssl -i digest.bin); fi
  rm -f sig.bin
  # SoftHSM 2.6.1 sometimes answers pkcs11-tool's CKM_ECDSA with CKR_GENERAL_ERROR (see
  # docs/performance.md): a failing peer is reported as such, not timed.
  if ! p11 --sign --label "bench-$alg" "${args[@]}" -o sig.bin >p11.err 2>&1; then
    echo "$alg: pkcs11-tool cannot sign: $(tail -2 p11.err | tr '\n' ' ')" >&2
    printf '%s\t%s\t%s\t%s\n' "$alg" "$(field "$kyso" rate)" "fails" "-" >>hsm.tsv
    continue
  fi
  start=$(date +%s.%N)
  for _ in $(seq "$procs"); do p11 --sign --label "bench-$alg" "${args[@]}" -o sig.bin >/dev/null 2>&1; done
  end=$(date +%s.%N)
  p11 --read-object --type pubkey --label "bench-$alg" -o pub.der >/dev/null 2>&1
  openssl pkey -pubin -inform DER -in pub.der -out pub.pem
  openssl pkeyutl -verify -pubin -inkey pub.pem -pkeyopt digest:sha256 -in digest.bin -sigfile sig.bin >/dev/null
  tool=$(calc %.1f "$procs / ($end - $start)")
  printf '%s\t%s\t%s\t%s\n' "$alg" "$(field "$kyso" rate)" "$tool" "$(calc %.0f "$(field "$kyso" rate) / $tool")" >>hsm.tsv
  echo "$alg: kyso in process $(field "$kyso" rate)/s, pkcs11-tool per process $tool/s" >&2
done

{
  echo "# Enrolments and HSM signatures ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
  echo
  echo "Binaries: $bin"
  echo
  echo "## Enrolments, local CA, HTTP API to issued ($clients clients)"
  echo
  echo "| enrolments | POSTs answered (s) | all issued (s) | accepted/s | issued/s |"
  echo "|---|---|---|---|---|"
  echo "| $(field "$enrol" enrollments) | $(field "$enrol" accepted_s) | $(field "$enrol" issued_s) | $(field "$enrol" accept_rate) | $(field "$enrol" rate) |"
  echo
  echo "## SoftHSM2 signatures per second ($signs in process, $procs processes)"
  echo
  echo "| key | kyso, in process | pkcs11-tool, one process per signature | ratio |"
  echo "|---|---|---|---|"
  while IFS=$'\t' read -r alg k t r; do
    echo "| $([[ $alg == rsa ]] && echo RSA-2048 || echo P-256) | $k | $t | ${r}$([[ $r == - ]] || echo ×) |"
  done <hsm.tsv
} >results.md
cat results.md
