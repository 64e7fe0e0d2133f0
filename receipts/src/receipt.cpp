#include "kyso/receipts/receipt.h"

#include <array>
#include <cstdio>
#include <utility>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

// One table per enumeration: the API name and the printed label side by side.
template <typename E>
struct Named {
  E value;
  std::string_view name;
  std::string_view label;
};

constexpr std::array<Named<TemplateCode>, 2> kTemplates{{
    {TemplateCode::Ebl01, "EBL01", "EBL01"},
    {TemplateCode::Ebl02, "EBL02", "EBL02"},
}};
constexpr std::array<Named<FeeKind>, 2> kFeeKinds{{
    {FeeKind::Phi, "phi", "Phí"},
    {FeeKind::LePhi, "le_phi", "Lệ phí"},
}};
constexpr std::array<Named<PaymentMethod>, 3> kPaymentMethods{{
    {PaymentMethod::Cash, "cash", "Tiền mặt"},
    {PaymentMethod::Transfer, "transfer", "Chuyển khoản"},
    {PaymentMethod::Online, "online", "Thanh toán trực tuyến"},
}};
constexpr std::array<Named<ReceiptStatus>, 2> kStatuses{{
    {ReceiptStatus::Issued, "issued", "Đã phát hành"},
    {ReceiptStatus::Replaced, "replaced", "Đã bị thay thế"},
}};

template <typename E, std::size_t N>
const Named<E>& entry(const std::array<Named<E>, N>& table, E value) {
  for (const auto& e : table)
    if (e.value == value) return e;
  throw InternalError("enumeration value without a name");
}

template <typename E, std::size_t N>
E parse(const std::array<Named<E>, N>& table, std::string_view text, const char* code, const char* what) {
  std::string expected;
  for (const auto& e : table) {
    if (e.name == text) return e.value;
    expected += (expected.empty() ? "" : ", ") + std::string(e.name);
  }
  throw InputError(code, "unknown " + std::string(what) + " '" + std::string(text) + "' (" + expected + ")");
}

}  // namespace

std::string_view templateCodeName(TemplateCode code) {
  return entry(kTemplates, code).name;
}
TemplateCode parseTemplateCode(std::string_view text) {
  return parse(kTemplates, text, "invalid_template", "receipt template");
}

std::string_view feeKindName(FeeKind kind) {
  return entry(kFeeKinds, kind).name;
}
std::string_view feeKindLabel(FeeKind kind) {
  return entry(kFeeKinds, kind).label;
}
FeeKind parseFeeKind(std::string_view text) {
  return parse(kFeeKinds, text, "invalid_fee_kind", "fee kind");
}

std::string_view paymentMethodName(PaymentMethod method) {
  return entry(kPaymentMethods, method).name;
}
std::string_view paymentMethodLabel(PaymentMethod method) {
  return entry(kPaymentMethods, method).label;
}
PaymentMethod parsePaymentMethod(std::string_view text) {
  return parse(kPaymentMethods, text, "invalid_payment_method", "payment method");
}

std::string_view receiptStatusName(ReceiptStatus status) {
  return entry(kStatuses, status).name;
}
ReceiptStatus parseReceiptStatus(std::string_view text) {
  return parse(kStatuses, text, "invalid_status", "receipt status");
}

std::string formatReceiptNumber(std::uint32_t number) {
  if (number == 0 || number > kMaxReceiptNumber) throw InternalError("receipt number out of range");
  std::array<char, 16> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%08u", number);
  return buffer.data();
}

}  // namespace kyso::receipts
