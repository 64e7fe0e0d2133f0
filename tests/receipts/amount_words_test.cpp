#include "kyso/receipts/amount_words.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "kyso/error.h"

// The expected texts are written by hand from the reading rules, not taken from the implementation.
namespace kyso::receipts {
namespace {

TEST(AmountInWords, Zero_ReadsKhongDong) {
  EXPECT_EQ(amountInWords(0), "Không đồng");
}

TEST(AmountInWords, SingleDigit_ReadsTheDigit) {
  EXPECT_EQ(amountInWords(1), "Một đồng");
  EXPECT_EQ(amountInWords(4), "Bốn đồng");
  EXPECT_EQ(amountInWords(5), "Năm đồng");
  EXPECT_EQ(amountInWords(7), "Bảy đồng");
  EXPECT_EQ(amountInWords(9), "Chín đồng");
}

TEST(AmountInWords, TensOne_UsesMuoi) {
  EXPECT_EQ(amountInWords(10), "Mười đồng");
  EXPECT_EQ(amountInWords(11), "Mười một đồng");  // not "mốt" after "mười"
  EXPECT_EQ(amountInWords(14), "Mười bốn đồng");
  EXPECT_EQ(amountInWords(15), "Mười lăm đồng");
  EXPECT_EQ(amountInWords(19), "Mười chín đồng");
}

TEST(AmountInWords, TensTwoOrMore_UsesMuoiWithMotAndLam) {
  EXPECT_EQ(amountInWords(20), "Hai mươi đồng");
  EXPECT_EQ(amountInWords(21), "Hai mươi mốt đồng");
  EXPECT_EQ(amountInWords(24), "Hai mươi bốn đồng");  // "bốn", never "tư"
  EXPECT_EQ(amountInWords(25), "Hai mươi lăm đồng");
  EXPECT_EQ(amountInWords(31), "Ba mươi mốt đồng");
  EXPECT_EQ(amountInWords(44), "Bốn mươi bốn đồng");
  EXPECT_EQ(amountInWords(50), "Năm mươi đồng");
  EXPECT_EQ(amountInWords(55), "Năm mươi lăm đồng");
  EXPECT_EQ(amountInWords(99), "Chín mươi chín đồng");
}

TEST(AmountInWords, Hundreds_ZeroTensUsesLinh) {
  EXPECT_EQ(amountInWords(100), "Một trăm đồng");
  EXPECT_EQ(amountInWords(101), "Một trăm linh một đồng");
  EXPECT_EQ(amountInWords(104), "Một trăm linh bốn đồng");
  EXPECT_EQ(amountInWords(105), "Một trăm linh năm đồng");  // "năm", not "lăm", after "linh"
  EXPECT_EQ(amountInWords(110), "Một trăm mười đồng");
  EXPECT_EQ(amountInWords(111), "Một trăm mười một đồng");
  EXPECT_EQ(amountInWords(115), "Một trăm mười lăm đồng");
  EXPECT_EQ(amountInWords(121), "Một trăm hai mươi mốt đồng");
  EXPECT_EQ(amountInWords(999), "Chín trăm chín mươi chín đồng");
}

TEST(AmountInWords, Thousands_EmptyHundredsReadsKhongTram) {
  EXPECT_EQ(amountInWords(1'000), "Một nghìn đồng");
  EXPECT_EQ(amountInWords(1'001), "Một nghìn không trăm linh một đồng");
  EXPECT_EQ(amountInWords(1'005), "Một nghìn không trăm linh năm đồng");
  EXPECT_EQ(amountInWords(1'010), "Một nghìn không trăm mười đồng");
  EXPECT_EQ(amountInWords(1'015), "Một nghìn không trăm mười lăm đồng");
  EXPECT_EQ(amountInWords(1'100), "Một nghìn một trăm đồng");
  EXPECT_EQ(amountInWords(2'021), "Hai nghìn không trăm hai mươi mốt đồng");
  EXPECT_EQ(amountInWords(8'000), "Tám nghìn đồng");
  EXPECT_EQ(amountInWords(10'000), "Mười nghìn đồng");
  EXPECT_EQ(amountInWords(15'000), "Mười lăm nghìn đồng");
  EXPECT_EQ(amountInWords(21'000), "Hai mươi mốt nghìn đồng");
  EXPECT_EQ(amountInWords(105'000), "Một trăm linh năm nghìn đồng");
  EXPECT_EQ(amountInWords(150'000), "Một trăm năm mươi nghìn đồng");
}

TEST(AmountInWords, Millions_EmptyGroupLeftOut) {
  EXPECT_EQ(amountInWords(1'000'000), "Một triệu đồng");
  EXPECT_EQ(amountInWords(1'000'005), "Một triệu không trăm linh năm đồng");
  EXPECT_EQ(amountInWords(1'000'100), "Một triệu một trăm đồng");
  EXPECT_EQ(amountInWords(1'001'000), "Một triệu không trăm linh một nghìn đồng");
  EXPECT_EQ(amountInWords(1'010'000), "Một triệu không trăm mười nghìn đồng");
  EXPECT_EQ(amountInWords(1'234'567), "Một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy đồng");
  EXPECT_EQ(amountInWords(25'500'000), "Hai mươi lăm triệu năm trăm nghìn đồng");
}

TEST(AmountInWords, Billions_ReadWithTy) {
  EXPECT_EQ(amountInWords(1'000'000'000), "Một tỷ đồng");
  EXPECT_EQ(amountInWords(2'000'000'001), "Hai tỷ không trăm linh một đồng");
  EXPECT_EQ(amountInWords(5'000'001'000), "Năm tỷ không trăm linh một nghìn đồng");
  EXPECT_EQ(amountInWords(99'999'999'999),
            "Chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi "
            "chín đồng");
}

TEST(AmountInWords, BeyondThousandBillion_CountsTy) {
  EXPECT_EQ(amountInWords(1'000'000'000'000), "Một nghìn tỷ đồng");
  EXPECT_EQ(amountInWords(1'000'000'000'005), "Một nghìn tỷ không trăm linh năm đồng");
  EXPECT_EQ(amountInWords(1'005'000'000'000), "Một nghìn không trăm linh năm tỷ đồng");
  EXPECT_EQ(amountInWords(999'999'999'999'999),
            "Chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm "
            "chín mươi chín nghìn chín trăm chín mươi chín đồng");
  EXPECT_EQ(amountInWords(1'000'000'000'000'000), "Một triệu tỷ đồng");
  EXPECT_EQ(amountInWords(1'000'000'000'000'000'000), "Một tỷ tỷ đồng");
}

TEST(AmountInWords, LargestAmount_ReadsWithoutOverflow) {
  // 9,223,372,036,854,775,807 = 9,223,372,036 tỷ + 854,775,807.
  EXPECT_EQ(amountInWords(std::numeric_limits<std::int64_t>::max()),
            "Chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi hai nghìn không trăm ba mươi sáu tỷ tám trăm năm "
            "mươi bốn triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy đồng");
}

TEST(AmountInWords, Negative_ThrowsInvalidAmount) {
  for (std::int64_t amount : {std::int64_t{-1}, std::int64_t{-150'000}, std::numeric_limits<std::int64_t>::min()}) {
    try {
      amountInWords(amount);
      FAIL() << amount << " read";
    } catch (const InputError& e) {
      EXPECT_EQ(e.code(), "invalid_amount");
      EXPECT_NE(std::string(e.what()).find("negative"), std::string::npos) << e.what();
    }
  }
}

// Rules that hold for every amount, checked over a range where every digit pattern of the lower
// groups occurs: forms that a correct reading never produces.
TEST(AmountInWords, AnyAmount_NeverUsesForbiddenForms) {
  const std::string suffix = " đồng";
  for (std::int64_t amount = 0; amount <= 1'100'000; amount += (amount < 100'000 ? 1 : 7)) {
    const std::string words = amountInWords(amount);
    SCOPED_TRACE(amount);
    ASSERT_GE(words.size(), suffix.size() + 1);
    EXPECT_TRUE(words[0] >= 'A' && words[0] <= 'Z') << words;
    EXPECT_EQ(words.substr(words.size() - suffix.size()), suffix);
    EXPECT_EQ(words.find("  "), std::string::npos) << words;
    EXPECT_EQ((" " + words + " ").find(" tư "), std::string::npos) << words;
    EXPECT_EQ(words.find(" lẻ "), std::string::npos) << words;
    for (const char* wrong : {"mươi một", "mười mốt", "linh mốt", "linh lăm", "mươi năm", "mười năm", "mươi mười"})
      EXPECT_EQ(words.find(wrong), std::string::npos) << wrong << " in " << words;
  }
}

}  // namespace
}  // namespace kyso::receipts
