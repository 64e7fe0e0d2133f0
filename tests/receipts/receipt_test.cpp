#include "kyso/receipts/receipt.h"

#include <gtest/gtest.h>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

TEST(ReceiptNames, RoundTrip_EveryValue_ParsesBack) {
  for (auto code : {TemplateCode::Ebl01, TemplateCode::Ebl02})
    EXPECT_EQ(parseTemplateCode(templateCodeName(code)), code);
  for (auto kind : {FeeKind::Phi, FeeKind::LePhi}) EXPECT_EQ(parseFeeKind(feeKindName(kind)), kind);
  for (auto method : {PaymentMethod::Cash, PaymentMethod::Transfer, PaymentMethod::Online})
    EXPECT_EQ(parsePaymentMethod(paymentMethodName(method)), method);
  for (auto status : {ReceiptStatus::Issued, ReceiptStatus::Replaced})
    EXPECT_EQ(parseReceiptStatus(receiptStatusName(status)), status);
  EXPECT_EQ(feeKindLabel(FeeKind::LePhi), "Lệ phí");
}

TEST(ReceiptNames, Parse_UnknownName_SaysWhatIsExpected) {
  try {
    parseTemplateCode("EBL03");
    FAIL() << "EBL03 accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_template");
    EXPECT_NE(std::string(e.what()).find("EBL01, EBL02"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parseFeeKind("Phi"), InputError);
  EXPECT_THROW(parsePaymentMethod(""), InputError);
}

TEST(ReceiptNumber, Format_EightDigits_ZeroPadded) {
  EXPECT_EQ(formatReceiptNumber(1), "00000001");
  EXPECT_EQ(formatReceiptNumber(kMaxReceiptNumber), "99999999");
  EXPECT_THROW(formatReceiptNumber(0), InternalError);
  EXPECT_THROW(formatReceiptNumber(kMaxReceiptNumber + 1), InternalError);
}

}  // namespace
}  // namespace kyso::receipts
