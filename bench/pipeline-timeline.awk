# Reads `perf script -F tid,time,event` of the uprobes that bench/receipts.sh --profile sets on the
# issuing pipeline (receipts/src/receipt_service.cpp) — ReceiptService::plan (look-ups and numbers
# of a group), ReceiptService::sign (the group signed on the pool), ReceiptService::commitPlanned
# (the group's write transaction on the committer), buildReceiptXml (one receipt's XML and
# signature) — with the fdatasync tracepoints, and says how busy each stage was:
#   planner   plan + sign, per group, on the planner thread (signing also runs on the pool's helper)
#   committer commitPlanned per group (inserts, commit), its fsync shown on its own
# Busy shares are of the traced window; the two stages overlap, so they may add up to over 100 %.
{ t = $2; sub(":", "", t); t += 0; e = $3; if (!t0) t0 = t; t1 = t }
e ~ /plan_in/ { planStart = t }
e ~ /plan_out/ && planStart { plan += t - planStart; planStart = 0 }
e ~ /sign_in/ { signStart = t }
e ~ /sign_out/ && signStart { signing += t - signStart; signStart = 0 }
e ~ /commit_in/ { commitStart = t; sync = 0 }
e ~ /commit_out/ && commitStart { groups++; commit += t - commitStart - sync; fsync += sync; commitStart = 0 }
e ~ /xml_in/ { xmlStart[$1] = t }
e ~ /xml_out/ && xmlStart[$1] { xmlCpu += t - xmlStart[$1]; xmls++; xmlStart[$1] = 0 }
e ~ /enter_fdatasync/ { syncStart = t }
e ~ /exit_fdatasync/ && syncStart { if (commitStart) sync += t - syncStart; syncStart = 0 }
END {
  window = t1 - t0
  if (!groups || !xmls) { print "no groups traced"; exit }
  printf "groups committed %d, receipts signed %d, mean group %.1f receipts, traced %.2f s\n", groups, xmls, xmls / groups, window
  printf "planner busy %.1f %% (look-ups and numbers %.1f %%, signing %.1f %%); committer busy %.1f %% (inserts and commit %.1f %%, fsync %.1f %%)\n", \
    100 * (plan + signing) / window, 100 * plan / window, 100 * signing / window, \
    100 * (commit + fsync) / window, 100 * commit / window, 100 * fsync / window
  printf "per receipt: look-ups and numbers %.3f ms, signing (wall, 2 threads) %.3f ms, inserts and commit %.3f ms, fsync %.3f ms; one buildReceiptXml %.3f ms on its thread\n", \
    1000 * plan / xmls, 1000 * signing / xmls, 1000 * commit / xmls, 1000 * fsync / xmls, 1000 * xmlCpu / xmls
}
