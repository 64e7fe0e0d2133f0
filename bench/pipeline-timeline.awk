# Reads `perf script -F tid,time,event` of the uprobes that bench/receipts.sh --profile sets on
# ReceiptService::issueTogether (one group) and buildReceiptXml (one receipt's XML and signature),
# with the fdatasync tracepoints, and splits the group leader's time into its phases:
#   before  group start → first signing starts (numbers taken, idempotency and payment look-ups)
#   signing first signing starts → last one ends (in parallel on the signing threads)
#   after   last signing ends → group end (rows inserted, commit; fsync shown on its own)
#   between one group's end → the next group's start (the next leader waking up)
{ t = $2; sub(":", "", t); t += 0; e = $3 }
e ~ /group_in/ { if (end) between += t - end; start = t; first = 0; last = 0; n = 0; sync = 0 }
e ~ /xml_in/ { if (!first) first = t; n++; xmlStart[$1] = t }
e ~ /xml_out/ { last = t; if (xmlStart[$1]) xmlCpu += t - xmlStart[$1]; xmls++ }
e ~ /enter_fdatasync/ { syncStart = t }
e ~ /exit_fdatasync/ { if (syncStart) sync += t - syncStart; syncStart = 0 }
e ~ /group_out/ && start && first {
  groups++; receipts += n; wall += t - start; before += first - start; signing += last - first
  after += t - last - sync; fsync += sync; end = t
  sizes[groups] = n
}
END {
  total = wall + between
  printf "groups %d, receipts %d, mean group %.1f receipts, %.2f ms per group\n", groups, receipts, receipts / groups, 1000 * wall / groups
  printf "leader wall time: before signing %.1f %%, signing %.1f %%, after signing (insert, commit) %.1f %%, fsync %.1f %%, between groups %.1f %%\n", \
    100 * before / total, 100 * signing / total, 100 * after / total, 100 * fsync / total, 100 * between / total
  printf "per receipt: before %.3f ms, signing (wall) %.3f ms, after %.3f ms, fsync %.3f ms, between %.3f ms; one buildReceiptXml %.3f ms on its thread\n", \
    1000 * before / receipts, 1000 * signing / receipts, 1000 * after / receipts, 1000 * fsync / receipts, 1000 * between / receipts, 1000 * xmlCpu / xmls
}
