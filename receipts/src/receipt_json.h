// How a receipt is kept in the store: the columns the store indexes plus the rest as JSON that only
// this library reads, and the canonical form of a request that idempotency compares.
#pragma once

#include <string>

#include "kyso/receipts/receipt.h"
#include "kyso/receipts/reports.h"
#include "kyso/store/receipts.h"

namespace kyso::receipts::detail {

// Everything of `receipt` that is fixed at issue (not the status, which changes).
std::string contentJson(const Receipt& receipt);
// The receipt from its stored row. Throws InternalError("database_corrupt") for unreadable content.
Receipt fromRecord(const store::ReceiptRecord& record);

// A notice as stored (everything but its id and time, which are columns).
std::string noticeJson(const Notice& notice);
Notice noticeFromRecord(const store::NoticeRecord& record);
// SHA-256 (hex) of the canonical form of a notice request for `receiptId`.
std::string noticeRequestSha256(const std::string& receiptId, const NoticeRequest& request);

// The body of an event for the procedure system: {"event_id", "type", "created_at", "receipt": {...}}
// with what a dossier needs to find the receipt (ids, series, number, total, links, payment, dossier).
std::string eventJson(const std::string& eventId, const std::string& type, pki::TimePoint at, const Receipt& receipt);
// {"event_id", "type": "receipt.notice", "created_at", "notice": {id, receipt_id, reason, corrections}}
std::string noticeEventJson(const std::string& eventId, const Notice& notice);

// SHA-256 (hex) of a canonical serialisation of what was asked: two requests with the same meaning
// (whatever their JSON spacing or key order) hash the same. `replaces` is the original's id for a
// replacement, else empty.
std::string requestSha256(TemplateCode templateCode, const std::string& symbol, const std::string& unit,
                          const ReceiptRequest& request, const std::string& replaces);

}  // namespace kyso::receipts::detail
