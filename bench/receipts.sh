#!/usr/bin/env bash
# E-receipts over HTTP (issue 4, "Benchmark"): receipts issued per second through POST /v1/receipts
# against the machine's raw RSA-2048 signing rate (`openssl speed rsa2048`, all cores), in the same
# run, as a ratio; then p50/p99 latency at half that load.
#
# Each round, on a fresh data directory (SQLite in WAL, synchronous=FULL, as shipped):
#   1. openssl speed -seconds 3 rsa2048, one process and one per core (-multi);
#   2. closed loop: $clients keep-alive clients (bench/receipt_load.cpp), each sending its next
#      request when the previous one is answered; every request has its own Idempotency-Key and
#      payment transaction, so every one is a new receipt: numbered, signed, committed;
#   3. openssl speed -multi again (the machine is shared; the ratio uses the mean of both);
#   4. open loop at half the closed loop's rate, latency counted from when each request was due;
#   5. the floor: the same closed loop against kyso-http-floor (bench/http_floor.cpp), a Poco HTTP
#      server set up as kyso-server's that only makes one RSA-2048 signature per request (no JSON,
#      XML, database or durability) — the most a service on this stack can reach on this machine.
# The server's and the load generator's CPU time are recorded; both share the machine's cores
# (there is no second machine), which openssl speed does not. The series' next number is checked
# against the receipts answered 201: every answer took a number, none was lost.
#
# --profile adds a round under perf: a CPU profile (where the server's CPU time goes) and uprobes
# on the issuing pipeline (ReceiptService::plan, sign, commitPlanned, buildReceiptXml, fdatasync)
# to say how busy its planner and committer are (bench/pipeline-timeline.awk). Profiled numbers are
# not reported as results.
#
# Results go to bench/out/receipts/results.md; docs/performance.md discusses them.
# Usage: bench/receipts.sh [--quick] [--profile] [--clients N] [--rounds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
out="$root/bench/out/receipts"
rounds=3; seconds=10; warmup=2; clients=32; profile=0
while (($#)); do
  case "$1" in
    --quick) rounds=1; seconds=5 ;;
    --profile) profile=1 ;;
    --clients) clients="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    *) sed -n '/^# Usage/s/^# //p' "$0" >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target kyso kyso-server kyso-receipt-load kyso-http-floor >/dev/null
bin="$root/build-release/bin"
mkdir -p "$out"
cd "$out"
cores=$(nproc)
ticks=$(getconf CLK_TCK)

# Settings: the defaults, except server.connections. Poco keeps a thread per keep-alive connection,
# and the default (max(16, 8 per core)) would leave clients beyond it queued until another client's
# connection closes. server.threads (signing slots) does not apply to POST /v1/receipts: a group (up
# to 64 receipts) is signed on a pool of one thread per core (ReceiptServiceOptions::signingThreads
# = 0) while the group before commits.
connections=$((clients * 2))
cat >server.properties <<EOF
server.connections = $connections
log.level = warning
EOF
# The series must be of the current year (Vietnam time): 2 digits + T + 2 letters.
symbol="$(TZ=Asia/Ho_Chi_Minh date +%y)TAB"

server=""
stop_server() {
  [[ -n "$server" ]] || return 0
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}
probes=0
cleanup() {
  stop_server
  if ((probes)); then perf probe -q -d 'kysobench:*' 2>/dev/null || true; fi
}
trap cleanup EXIT

# A fresh data directory, a server on it, an admin and a backend key, one series.
start_server() {
  rm -rf var
  "$bin/kyso-server" --port 0 --data-dir var --config server.properties >server.out 2>server.log &
  server=$!
  for _ in $(seq 100); do grep -q "listening on" server.out 2>/dev/null && break; sleep 0.1; done
  port=$(grep -o '[0-9]*$' server.out)
  admin=$("$bin/kyso" --data-dir var apikey create --role admin --label bench 2>/dev/null)
  backend=$("$bin/kyso" --data-dir var apikey create --role backend --label bench 2>/dev/null)
  local status
  status=$(curl -s -o series.json -w '%{http_code}' -X POST -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' "http://127.0.0.1:$port/v1/series" --data \
    '{"template":"EBL01","symbol":"'"$symbol"'","organization":{"name":"Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang","tax_code":"5000123459","address":"Phường Minh Xuân, tỉnh Tuyên Quang"}}')
  [[ "$status" == 201 ]] || { echo "creating the series failed ($status): $(cat series.json)" >&2; exit 1; }
}
# kyso-http-floor under the closed loop: sets $floor (the load line) and $floor_server_ms.
floor_run() {
  local run=$1 f0 f1
  shift
  "$bin/kyso-http-floor" --connections "$connections" "$@" >floor.out &
  server=$!
  for _ in $(seq 100); do grep -q "listening on" floor.out 2>/dev/null && break; sleep 0.1; done
  f0=$(cpu "$server")
  floor=$("$bin/kyso-receipt-load" --port "$(grep -o '[0-9]*$' floor.out)" --key none --symbol "$symbol" \
    --clients "$clients" --seconds "$seconds" --warmup "$warmup" --run "$run")
  f1=$(cpu "$server")
  stop_server
  floor_server_ms=$(calc %.3f "($f1 - $f0) / $ticks * 1000 / $(field "$floor" issued)")
}
load() { "$bin/kyso-receipt-load" --port "$port" --key "$backend" --symbol "$symbol" --clients "$clients" "$@"; }
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # user + system, in clock ticks
speed() { openssl speed -seconds 3 "$@" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { print $6 }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Every receipt answered 201 took the next number of the series: none lost, none twice.
check_numbers() {
  local next
  next=$(curl -s -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/v1/series" | grep -o '"next_number":[0-9]*' | cut -d: -f2)
  [[ "$next" == $(($1 + 1)) ]] || { echo "series next_number is $next after $1 receipts" >&2; exit 1; }
}

: >rounds.tsv
for round in $(seq "$rounds"); do
  loadavg=$(cut -d' ' -f1 /proc/loadavg)
  s1=$(speed); sa=$(speed -multi "$cores")
  start_server
  c0=$(cpu "$server")
  closed=$(load --seconds "$seconds" --warmup "$warmup" --run "r$round-closed")
  c1=$(cpu "$server")
  # openssl again right after (the server idles): the machine is shared, and the other users' load
  # changes by the minute; the ratio uses the mean of the two.
  sb=$(speed -multi "$cores")
  sn=$(calc %.1f "($sa + $sb) / 2")
  rate=$(field "$closed" rate)
  half=$(calc %.0f "$rate / 2")
  open=$(load --seconds "$seconds" --warmup "$warmup" --rate "$half" --run "r$round-open")
  check_numbers $(($(field "$closed" issued) + $(field "$open" issued)))
  stop_server
  # The floor, under the same load generator, right after: with its one signature per request,
  # then without (Poco's HTTP exchange alone).
  floor_run "r$round-floor"
  floor_rate=$(field "$floor" rate); floor_ms=$floor_server_ms
  floor_run "r$round-http" --sign none
  http_ms=$floor_server_ms
  server_ms=$(calc %.3f "($c1 - $c0) / $ticks * 1000 / $(field "$closed" issued)")
  client_ms=$(calc %.3f "$(field "$closed" client_cpu_s) * 1000 / $(field "$closed" issued)")
  # openssl speed divides by user CPU time (no -elapsed): 1000 / s1 is the CPU ms of one signature.
  cpu_ratio=$(calc %.3f "(1000 / $s1) / ($server_ms + $client_ms)")
  printf '%s\t%s\t%s\t%s / %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$loadavg" "$s1" "$sa" "$sb" \
    "$rate" "$(calc %.3f "$rate / $sn")" "$(field "$closed" p50_ms)" "$(field "$closed" p99_ms)" \
    "$(field "$open" rate)" "$(field "$open" p50_ms)" "$(field "$open" p99_ms)" "$server_ms" "$client_ms" "$cpu_ratio" \
    "$floor_rate" "$(calc %.3f "$floor_rate / $sn")" "$floor_ms" "$(calc %.3f "$rate / $floor_rate")" "$http_ms" >>rounds.tsv
  echo "round $round (load $loadavg): openssl $sa/$sb sign/s ($cores processes), $s1 (1); kyso $rate receipts/s;" \
    "at $half/s p99 $(field "$open" p99_ms) ms; floor $floor_rate/s" >&2
done

if ((profile)); then
  exe="$bin/kyso-server"
  addr() { nm "$exe" | awk -v s="$1" '$2 == "T" && index($3, s) && !found++ { print "0x" $1 }'; }
  plan=$(addr _ZN4kyso8receipts14ReceiptService4plan)
  sign=$(addr _ZN4kyso8receipts14ReceiptService4sign)
  commit=$(addr _ZN4kyso8receipts14ReceiptService13commitPlanned)
  xml=$(addr _ZN4kyso8receipts6detail15buildReceiptXml)
  perf probe -q -d 'kysobench:*' 2>/dev/null || true
  probes=1
  perf probe -q -x "$exe" -a "kysobench:plan_in=$plan" -a "kysobench:plan_out=$plan%return" \
    -a "kysobench:sign_in=$sign" -a "kysobench:sign_out=$sign%return" \
    -a "kysobench:commit_in=$commit" -a "kysobench:commit_out=$commit%return" \
    -a "kysobench:xml_in=$xml" -a "kysobench:xml_out=$xml%return"
  start_server
  load --seconds 3 --warmup 0 --run warm >/dev/null
  rm -f cpu.perf* leader.perf*
  perf record -q -F 499 --call-graph dwarf,16384 -p "$server" -o cpu.perf -- sleep 5 >/dev/null 2>&1 &
  recorder=$!
  load --seconds 4 --warmup 0 --run cpu >profile-load.txt
  wait "$recorder"
  perf record -q -e 'kysobench:*' -e syscalls:sys_enter_fdatasync -e syscalls:sys_exit_fdatasync \
    -p "$server" -o leader.perf -- sleep 5 >/dev/null 2>&1 &
  recorder=$!
  load --seconds 4 --warmup 0 --run leader >>profile-load.txt
  wait "$recorder"
  stop_server
  perf probe -q -d 'kysobench:*'
  probes=0
  {
    echo "Server CPU by library (self time):"
    perf report -i cpu.perf --no-children --sort dso --stdio -g none 2>/dev/null | grep '%' | head -14
    echo
    echo "Server CPU by function, including callees:"
    perf report -i cpu.perf --children --sort sym --stdio -g none 2>/dev/null |
      sed -E 's/\(anonymous namespace\)/{anon}/g
        s/\] kyso::receipts::detail::SigningPool::helper\(.*$/] signing pool helper thread/
        s/(\] [^(]*)[[(].*$/\1/' |
      grep -E '\] (Poco::Net::HTTPServerConnection::run|kyso::api::.*::(issueReceipt|sendIssued)|kyso::api::ApiKeyService::authenticate|kyso::api::detail::JsonRequest::parse|kyso::receipts::ReceiptService::(issue|submit|resolveExisting|plan|sign|commitPlanned)|signing pool.*|kyso::receipts::detail::buildReceiptXml|kyso::store::detail::ConnectionPool::checkpoints|kyso::signer::(signXml|canonicalize|serialize)|RSA_sign|kyso::store::detail::.*::SqliteIssuance::(insert|audit|takeNumber|enqueueForCallbacks)|kyso::store::detail::.*::SqliteReceipts::issue|Poco::Data::Statement::execute|sqlite3_prepare_v2|sqlite3_step|sqlite3VdbeHalt|Poco::JSON::Stringifier::stringify|kyso::receipts::detail::(contentJson|eventJson|requestSha256)|operator new|__x64_sys_futex|__x64_sys_fdatasync|__x64_sys_sendto|__x64_sys_recvfrom)$' |
      head -40
    echo
    echo "The pipeline's stages (uprobes):"
    perf script -i leader.perf -F tid,time,event 2>/dev/null | awk -f "$root/bench/pipeline-timeline.awk"
    echo
    echo "Load during the profile (perf slows the server):"
    cat profile-load.txt
  } >profile.txt
fi

# -- results ------------------------------------------------------------------------------------
col() { cut -f "$1" rounds.tsv | median; }
{
  echo "# kyso e-receipts over HTTP — $(date -u +%Y-%m-%dT%H:%MZ), $cores cores, $(uname -m)"
  echo
  echo "kyso $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . ':!bench' ':!docs' || echo ' + uncommitted changes'), release build."
  echo "Server: defaults (WAL, synchronous=FULL; groups of up to 64 signed on $cores threads while the group before commits)"
  echo "with server.connections = $connections. Load: $clients keep-alive clients on the same machine,"
  echo "${seconds} s measured after ${warmup} s of warm-up, closed loop then open loop at half its rate."
  echo "$rounds rounds, each on a fresh data directory; openssl speed -seconds 3 before and after each closed loop."
  echo
  echo "| round | load avg | openssl sign/s, 1 process | openssl sign/s, $cores processes (before / after) | kyso receipts/s | kyso / openssl $cores processes | p50 / p99 ms at max | open loop: receipts/s | p50 / p99 ms at half | server CPU ms / receipt | load generator CPU ms / receipt | CPU ratio | floor requests/s | floor / openssl | floor server CPU ms / request | kyso / floor | HTTP alone: server CPU ms / request |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 }' rounds.tsv
  echo "| median | | $(col 3) | | $(col 5) | $(col 6) | $(col 7) / $(col 8) | $(col 9) | $(col 10) / $(col 11) | $(col 12) | $(col 13) | $(col 14) | $(col 15) | $(col 16) | $(col 17) | $(col 18) | $(col 19) |"
  echo
  echo "CPU ratio: openssl's CPU time per signature (1 process; openssl speed divides by user CPU time)"
  echo "over kyso's CPU time per receipt (server + load generator): the throughput ratio kyso would reach"
  echo "if both had every core to themselves and kyso kept them all busy. It depends less on the other"
  echo "users of a shared machine than the throughput ratio does."
  echo
  echo "Floor: kyso-http-floor (bench/http_floor.cpp), Poco's HTTP server set up as kyso-server's, answering"
  echo "each request with one RSA-2048 signature over its body and nothing else, under the same load"
  echo "generator: the most a service on this stack can reach here. kyso / floor is what the receipt"
  echo "itself costs (validation, numbering, XML, the durable commit). HTTP alone: the same server"
  echo "without the signature (--sign none)."
  echo
  echo "Target (issue 4): kyso / openssl ≥ 0.70; p99 < 50 ms at half load."
  if ((profile)); then
    echo
    echo '```'
    cat profile.txt
    echo '```'
  fi
} | tee results.md
