// The e-receipt request bodies of issue 4's contract, shared by the HTTP suites that issue receipts
// (receipts, callbacks, corrections): one text of the contract's payer, fee line, payment and
// dossier, with what each test varies as parameters.
#pragma once

#include <cstdint>
#include <string>

#include "kyso/pki/clock.h"

namespace kyso::test {

// The year of `t` in Vietnam (UTC+07:00), which numbers the series.
int vietnamYear(pki::TimePoint t);
// The series symbol of `year` with `letters`: "26TAB" for 2026 and "AB".
std::string symbolOf(int year, const std::string& letters);
// The symbol of the series that is current at `now`.
std::string symbolFor(pki::TimePoint now, const std::string& letters);

// POST /v1/series: the contract's organisation, with `extra` (`, "key": ...`) before the brace.
std::string seriesBody(const std::string& symbol, const std::string& extra = "",
                       const std::string& taxCode = "5000123459", const std::string& templateCode = "EBL01");

// A receipt's content (payer, items, payment, dossier) without the braces, for requests that put
// other fields before it (a replacement's series, say).
std::string receiptContent(const std::string& transaction, std::int64_t amount = 8000,
                           const std::string& payerId = "008085012345",
                           const std::string& paidAt = "2026-11-27T09:15:00+07:00");

// POST /v1/receipts: the contract's request in `symbol` (and `unit`'s range, if given), with its
// own payment transaction.
std::string receiptBody(const std::string& symbol, const std::string& transaction, std::int64_t amount = 8000,
                        const std::string& payerId = "008085012345", const std::string& unit = "");

}  // namespace kyso::test
