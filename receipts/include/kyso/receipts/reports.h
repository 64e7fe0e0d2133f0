// What follows a receipt after it is issued, besides a replacement: a signed notice correcting its
// text (form 04/SS-CTĐT), and the signed daily summary for the tax authority (form 01/TH-BLĐT).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kyso/pki/clock.h"
#include "kyso/receipts/receipt.h"

namespace kyso::receipts {

// One text of a receipt as printed and as it should have read. `field` is one of "payer.name",
// "payer.address", "total_in_words", "items[i].name" (i from 0): only text may be corrected by a
// notice; a wrong tax code, identifier or amount needs a replacement receipt (Circular 91 Art. 20).
struct NoticeCorrection {
  std::string field;
  std::string oldValue;  // taken from the receipt, never from the request
  std::string newValue;
};

struct NoticeRequest {
  std::string reason;
  std::vector<NoticeCorrection> corrections;  // field and newValue
  std::string actor;
  std::string idempotencyKey;
};

struct Notice {
  std::string id;  // "nt_" + 32 hex
  ReceiptReference receipt;
  Organization organization;
  pki::TimePoint issuedAt;
  std::string reason;
  std::vector<NoticeCorrection> corrections;
};

// One receipt in the daily summary.
struct SummaryRow {
  ReceiptReference receipt;
  std::string feeNames;  // the names of its fee lines, "; "-separated
  std::int64_t total = 0;
  ReceiptStatus status = ReceiptStatus::Issued;
  std::optional<ReceiptReference> replaces;  // for a replacement: the receipt it replaces
};

// Every receipt one organisation issued on one day (Vietnam time), by template, series and number.
struct DailySummary {
  std::chrono::year_month_day day;
  Organization organization;
  std::vector<SummaryRow> rows;
  std::int64_t total = 0;
};

}  // namespace kyso::receipts
