#!/usr/bin/env bash
# Fuzzes the verification entry points with libFuzzer (clang, AddressSanitizer, UBSan):
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; targets: pdf_verify xml_verify)
# Builds into build-fuzz/, runs each target over a scratch copy of its seed corpus, and copies any
# crash, leak or timeout input into tests/fuzz/regressions/<corpus>/ — the ordinary test suite then
# replays it (ctest -L fuzz_replay) until the bug is fixed. Not part of .ci/run: fuzzing is open-ended.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(pdf_verify xml_verify)

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (apt-get install clang)" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKYSO_FUZZ=ON -DKYSO_BUILD_TESTS=OFF -DKYSO_BUILD_BENCH=OFF >/dev/null
cmake --build "$root/build-fuzz" -j2 --target "${targets[@]/#/kyso_fuzz_}"

status=0
for target in "${targets[@]}"; do
  corpus="${target%%_*}"
  work="$root/build-fuzz/fuzz-work/$target"
  artifacts="$work/artifacts"
  mkdir -p "$work/corpus" "$artifacts"
  cp -n "$root/tests/fuzz/corpus/$corpus"/* "$work/corpus/" 2>/dev/null || true
  echo "== $target: ${seconds} s"
  if ! "$root/build-fuzz/bin/kyso_fuzz_$target" "$work/corpus" -max_total_time="$seconds" -max_len=262144 \
      -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1; then
    status=1
  fi
  if compgen -G "$artifacts/*" >/dev/null; then
    mkdir -p "$root/tests/fuzz/regressions/$corpus"
    cp "$artifacts"/* "$root/tests/fuzz/regressions/$corpus/"
    echo "== $target: findings copied to tests/fuzz/regressions/$corpus/"
    status=1
  fi
done
exit $status
