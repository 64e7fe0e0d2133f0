// The e-receipt (biên lai điện tử thu phí, lệ phí) as Decree 254/2026 Art. 23(2) and the display
// template 01/PLPĐT of Circular 91/2026 describe it: what the procedure system sends (payer, fee
// lines, payment, dossier), what kyso adds when it issues (series, number, time, lookup code).
// Plain values: numbering, signing and storage live elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kyso/pki/clock.h"

namespace kyso::receipts {

// Circular 91/2026 appendix II: EBL01 without a printed face value, EBL02 with one.
enum class TemplateCode { Ebl01, Ebl02 };
std::string_view templateCodeName(TemplateCode code);  // "EBL01"
// Throws InputError("invalid_template").
TemplateCode parseTemplateCode(std::string_view text);

// Phí (a fee for a service) or lệ phí (a charge for a state act).
enum class FeeKind { Phi, LePhi };
std::string_view feeKindName(FeeKind kind);   // "phi", "le_phi" (API)
std::string_view feeKindLabel(FeeKind kind);  // "Phí", "Lệ phí" (printed, XML)
FeeKind parseFeeKind(std::string_view text);  // throws InputError("invalid_fee_kind")

enum class PaymentMethod { Cash, Transfer, Online };
std::string_view paymentMethodName(PaymentMethod method);  // "cash", "transfer", "online"
std::string_view paymentMethodLabel(PaymentMethod method);  // "Tiền mặt", "Chuyển khoản", "Thanh toán trực tuyến"
PaymentMethod parsePaymentMethod(std::string_view text);  // throws InputError("invalid_payment_method")

// There is no cancellation: a wrong receipt is replaced by a new one (Circular 91 Art. 20).
enum class ReceiptStatus { Issued, Replaced };
std::string_view receiptStatusName(ReceiptStatus status);  // "issued", "replaced"
ReceiptStatus parseReceiptStatus(std::string_view text);   // throws InputError("invalid_status")

struct Organization {
  std::string name;
  std::string taxCode;  // MST: 10 digits, or 10 + "-" + 3 for a branch
  std::string address;
};

struct Payer {
  std::string name;
  std::string id;  // CCCD (12 digits) or MST
  std::string address;
};

struct FeeItem {
  std::string code;
  std::string name;
  FeeKind kind = FeeKind::LePhi;
  std::int64_t amount = 0;  // VND, > 0
};

struct Payment {
  PaymentMethod method = PaymentMethod::Online;
  std::string transactionId;  // the payment platform's, unique per payment
  std::string provider;
  pki::TimePoint paidAt;
};

struct Dossier {
  std::string code;           // the dossier (hồ sơ) in the procedure system
  std::string procedureCode;  // the administrative procedure's code in the national database
};

// What the procedure system asks for: everything printed on the receipt that kyso does not decide.
struct ReceiptRequest {
  Payer payer;
  std::vector<FeeItem> items;
  Payment payment;
  Dossier dossier;
};

// A series (ký hiệu) of one template: numbers 1..99,999,999 within one year.
struct SeriesKey {
  TemplateCode templateCode = TemplateCode::Ebl01;
  std::string symbol;  // "26TAB"

  bool operator==(const SeriesKey&) const = default;
};

inline constexpr std::uint32_t kMaxReceiptNumber = 99'999'999;  // at most 8 digits

// Another receipt as a replacement (or a notice) names it: by kyso's id, and as the law and the
// printed copy do, by template, series, number and date of issue.
struct ReceiptReference {
  std::string id;
  SeriesKey series;
  std::uint32_t number = 0;
  pki::TimePoint issuedAt;
};

// An issued receipt, as signed.
struct Receipt {
  std::string id;  // "rc_" + 32 hex
  SeriesKey series;
  std::uint32_t number = 0;
  pki::TimePoint issuedAt;
  Organization organization;
  ReceiptRequest request;
  std::int64_t total = 0;
  std::string totalInWords;  // "Tám nghìn đồng"
  std::string lookupCode;    // public, unguessable
  std::string verifyUrl;     // the public page of this receipt
  ReceiptStatus status = ReceiptStatus::Issued;
  std::optional<ReceiptReference> replaces;  // the receipt this one replaces
  std::optional<std::string> replacedBy;     // id of the receipt that replaced this one
};

// "00000123": the number as printed (8 digits).
std::string formatReceiptNumber(std::uint32_t number);

}  // namespace kyso::receipts
