#!/usr/bin/env bash
# Runs commands in turn, N rounds, and prints each one's median, 25th percentile and minimum wall time:
# alternating keeps two builds (or a build and a peer) under the same machine load, which a
# shared machine changes from one minute to the next.
# Usage: bench/alternate.sh N name1 "command 1" name2 "command 2" ...
N=$1; shift
names=(); cmds=()
while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
declare -A t
for ((i=0;i<N;i++)); do
  for j in "${!cmds[@]}"; do
    s=$(date +%s%N); eval "${cmds[$j]}" >/dev/null 2>&1; e=$(date +%s%N)
    t[$j]+="$(( (e-s)/1000 )) "
  done
done
for j in "${!cmds[@]}"; do
  echo "${names[$j]} $(echo ${t[$j]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END{printf "median %.1f ms  p25 %.1f  min %.1f", a[int((NR+1)/2)]/1000, a[int(NR/4)+1]/1000, a[1]/1000}')"
done
