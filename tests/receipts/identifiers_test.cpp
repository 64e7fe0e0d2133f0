#include "kyso/receipts/identifiers.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

using namespace std::string_view_literals;

// Runs `call`, expects InputError with `code`, returns its message.
template <typename F>
std::string inputErrorOf(F call, const std::string& code) {
  try {
    call();
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), code);
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return {};
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::string seriesError(std::string_view symbol, int year = 2026) {
  return inputErrorOf([&] { validateSeriesSymbol(symbol, year); }, "invalid_series_symbol");
}

// --- series symbol ---------------------------------------------------------------------------

TEST(SeriesSymbol, Valid_Accepted) {
  EXPECT_NO_THROW(validateSeriesSymbol("26TAB", 2026));
  EXPECT_NO_THROW(validateSeriesSymbol("26TYY", 2026));
  EXPECT_NO_THROW(validateSeriesSymbol("05TXE", 2005));
  EXPECT_NO_THROW(validateSeriesSymbol("00TAA", 2100));
}

TEST(SeriesSymbol, EveryAllowedLetter_Accepted) {
  for (char letter : "ABCDEGHKLMNPQRSTUVXY"sv) {
    const std::string symbol = std::string("26T") + letter + letter;
    EXPECT_NO_THROW(validateSeriesSymbol(symbol, 2026)) << symbol;
  }
}

TEST(SeriesSymbol, LetterOutsideList_Rejected) {
  for (std::string_view symbol : {"26TAF", "26TAI", "26TAJ", "26TAO", "26TAW", "26TAZ", "26TFA", "26TA1", "26TA-"}) {
    const std::string message = seriesError(symbol);
    EXPECT_TRUE(contains(message, "A B C D E G H K L M N P Q R S T U V X Y")) << message;
  }
  EXPECT_TRUE(contains(seriesError("26TZA"), "4th character"));
  EXPECT_TRUE(contains(seriesError("26TAZ"), "5th character"));
}

TEST(SeriesSymbol, LowercaseLetters_Rejected) {
  EXPECT_TRUE(contains(seriesError("26Tab"), "uppercase"));
  EXPECT_TRUE(contains(seriesError("26tAB"), "'T'"));
}

TEST(SeriesSymbol, WrongLength_SaysFiveCharacters) {
  for (std::string_view symbol : {"", "2", "26TA", "26TABC", "2026TAB"}) {
    const std::string message = seriesError(symbol);
    EXPECT_TRUE(contains(message, "5 characters")) << message;
    EXPECT_TRUE(contains(message, "26TAB")) << message;  // the example uses the year of issue
  }
}

TEST(SeriesSymbol, OtherYear_SaysExpectedYear) {
  const std::string message = seriesError("25TAB", 2026);
  EXPECT_TRUE(contains(message, "'25'")) << message;
  EXPECT_TRUE(contains(message, "2026")) << message;
  EXPECT_TRUE(contains(message, "'26'")) << message;
  EXPECT_TRUE(contains(seriesError("26TAB", 2027), "'27'"));
  EXPECT_TRUE(contains(seriesError("5TAB0", 2005), "2-digit year"));
  EXPECT_TRUE(contains(seriesError("5TABC", 2005), "2-digit year"));  // 5 characters, year not 2 digits
}

TEST(SeriesSymbol, YearNotDigits_Rejected) {
  EXPECT_TRUE(contains(seriesError("2XTAB"), "2-digit year"));
  EXPECT_TRUE(contains(seriesError(" 6TAB"), "2-digit year"));
}

TEST(SeriesSymbol, ThirdCharacterNotT_Rejected) {
  for (std::string_view symbol : {"26CAB", "26KAB", "26 AB"}) EXPECT_TRUE(contains(seriesError(symbol), "'T'"));
}

TEST(SeriesSymbol, NonAsciiOrControl_RejectedWithoutEcho) {
  // "26TÁ" is 5 bytes in UTF-8; "26TA\0" is 5 bytes with a NUL.
  for (std::string_view symbol : {"26T\xC3\x81"sv, "26TA\0"sv, "２6TAB"sv}) {
    const std::string message = seriesError(symbol);
    EXPECT_FALSE(contains(message, symbol)) << message;
    for (char c : message) EXPECT_TRUE(c >= ' ' && c <= '~') << message;
  }
}

TEST(SeriesSymbol, YearOutOfRange_IsInternalError) {
  EXPECT_THROW(validateSeriesSymbol("26TAB", 0), InternalError);
  EXPECT_THROW(validateSeriesSymbol("26TAB", -2026), InternalError);
  EXPECT_THROW(validateSeriesSymbol("26TAB", 10'000), InternalError);
}

// --- CCCD ------------------------------------------------------------------------------------

TEST(Cccd, Valid_Accepted) {
  EXPECT_TRUE(isValidCccd("001099012345"));  // Hà Nội, male born 1999
  EXPECT_TRUE(isValidCccd("079203000123"));  // TP. Hồ Chí Minh, male born 2003
  EXPECT_TRUE(isValidCccd("096185999999"));  // Cà Mau, female born 1985
  EXPECT_TRUE(isValidCccd("002000000000"));  // Hà Giang
  EXPECT_TRUE(isValidCccd("048300000001"));  // Đà Nẵng, female born 2000
}

TEST(Cccd, AnyFourthDigit_Accepted) {
  for (char d = '0'; d <= '9'; ++d) {
    const std::string id = std::string("001") + d + "90123456";
    EXPECT_TRUE(isValidCccd(id)) << id;
  }
}

TEST(Cccd, CodesOfTheSixtyThreeProvinces_OnlyTheseAccepted) {
  // 001..096 without the 33 numbers that are no province code.
  constexpr std::string_view kNoProvince[] = {"000", "003", "005", "007", "009", "013", "016", "018", "021", "023",
                                              "028", "029", "032", "039", "041", "043", "047", "050", "053", "055",
                                              "057", "059", "061", "063", "065", "069", "071", "073", "076", "078",
                                              "081", "085", "088", "090", "097", "099", "100", "101", "479", "999"};
  for (std::string_view code : kNoProvince) {
    const std::string id = std::string(code) + "099012345";
    EXPECT_FALSE(isValidCccd(id)) << id;
  }
  int accepted = 0;
  for (int code = 0; code < 1000; ++code) {
    std::string id = std::to_string(code);
    id = std::string(3 - id.size(), '0') + id + "099012345";
    if (isValidCccd(id)) ++accepted;
  }
  EXPECT_EQ(accepted, 63);
}

TEST(Cccd, WrongShape_Rejected) {
  EXPECT_FALSE(isValidCccd(""));
  EXPECT_FALSE(isValidCccd("00109901234"));    // 11 digits
  EXPECT_FALSE(isValidCccd("0010990123456"));  // 13 digits
  EXPECT_FALSE(isValidCccd("001099012345 "));
  EXPECT_FALSE(isValidCccd(" 001099012345"));
  EXPECT_FALSE(isValidCccd("001 099012345"));
  EXPECT_FALSE(isValidCccd("00109901234A"));
  EXPECT_FALSE(isValidCccd("O01099012345"));  // letter O
  EXPECT_FALSE(isValidCccd("001-099-012345"));
  EXPECT_FALSE(isValidCccd("00109901234\0"sv));  // NUL
  EXPECT_FALSE(isValidCccd("+01099012345"));
  EXPECT_FALSE(isValidCccd("CCCD:001099012345"));  // the certificate prefix is parsed elsewhere
  EXPECT_FALSE(isValidCccd("001099012"));          // a 9-digit CMND is not a CCCD
}

TEST(Cccd, UnicodeDigits_Rejected) {
  EXPECT_FALSE(isValidCccd("００１０９９０１２３４５"));  // fullwidth
  EXPECT_FALSE(isValidCccd("٠٠١٠٩٩٠١٢٣٤٥"));              // Arabic-Indic
  EXPECT_FALSE(isValidCccd("0010990123４"));              // one fullwidth digit, 14 bytes
  EXPECT_FALSE(isValidCccd("001099012\xD9\xA5"));         // 11 bytes with an Arabic-Indic five
  EXPECT_FALSE(isValidCccd("0010990123\xD9\xA5"));        // 12 bytes with an Arabic-Indic five
}

// --- MST -------------------------------------------------------------------------------------

TEST(Mst, Valid_Accepted) {
  // Check digits by hand: 0*31+1*29+0*23+1*19+2*17+3*13+4*7+5*5+6*3 = 192, 192 mod 11 = 5, 10-5 = 5.
  EXPECT_TRUE(isValidMst("0101234565"));
  // 5*31+1*17+2*13+3*7+4*5+5*3 = 254, 254 mod 11 = 1, 10-1 = 9.
  EXPECT_TRUE(isValidMst("5000123459"));
  EXPECT_TRUE(isValidMst("0100112437"));  // published tax code of a state bank: sum 102, 102 mod 11 = 3
  // 1*31 = 31, 31 mod 11 = 9, 10-9 = 1.
  EXPECT_TRUE(isValidMst("1000000001"));
  // Check digit 0: 2*5 = 10, 10 mod 11 = 10, 10-10 = 0.
  EXPECT_TRUE(isValidMst("0000000200"));
}

TEST(Mst, Branch_Accepted) {
  EXPECT_TRUE(isValidMst("0101234565-001"));
  EXPECT_TRUE(isValidMst("0101234565-010"));
  EXPECT_TRUE(isValidMst("5000123459-999"));
}

TEST(Mst, WrongCheckDigit_Rejected) {
  for (char d = '0'; d <= '9'; ++d) {
    if (d == '5') continue;
    EXPECT_FALSE(isValidMst(std::string("010123456") + d)) << d;
  }
  EXPECT_FALSE(isValidMst("5000123450"));
  EXPECT_FALSE(isValidMst("0101234566-001"));
  EXPECT_FALSE(isValidMst("1010234565"));  // two digits swapped
}

TEST(Mst, CheckValueTen_NoDigitAccepted) {
  // 1*31 + 8*3 = 55 = 5*11: the check would be 10, so no 10th digit makes a tax code; likewise 000000000.
  for (char d = '0'; d <= '9'; ++d) {
    EXPECT_FALSE(isValidMst(std::string("100000008") + d)) << d;
    EXPECT_FALSE(isValidMst(std::string("000000000") + d)) << d;
  }
}

TEST(Mst, WrongShape_Rejected) {
  EXPECT_FALSE(isValidMst(""));
  EXPECT_FALSE(isValidMst("010123456"));      // 9 digits
  EXPECT_FALSE(isValidMst("01012345650"));    // 11 digits
  EXPECT_FALSE(isValidMst("0101234565001"));  // branch without the dash
  EXPECT_FALSE(isValidMst("010123456A"));
  EXPECT_FALSE(isValidMst("O101234565"));  // letter O
  EXPECT_FALSE(isValidMst(" 0101234565"));
  EXPECT_FALSE(isValidMst("0101234565 "));
  EXPECT_FALSE(isValidMst("0101 234565"));
  EXPECT_FALSE(isValidMst("0101234565\0"sv));
  EXPECT_FALSE(isValidMst("MST:0101234565"));  // the certificate prefix is parsed elsewhere
  EXPECT_FALSE(isValidMst("-101234565"));
}

TEST(Mst, BadBranchSuffix_Rejected) {
  EXPECT_FALSE(isValidMst("0101234565-000"));
  EXPECT_FALSE(isValidMst("0101234565-"));
  EXPECT_FALSE(isValidMst("0101234565-01"));
  EXPECT_FALSE(isValidMst("0101234565-0001"));
  EXPECT_FALSE(isValidMst("0101234565_001"));
  EXPECT_FALSE(isValidMst("0101234565 001"));
  EXPECT_FALSE(isValidMst("0101234565-00a"));
  EXPECT_FALSE(isValidMst("0101234565--01"));
  EXPECT_FALSE(isValidMst("0101234565-+01"));
  EXPECT_FALSE(isValidMst("0101234565-1"));
}

TEST(Mst, UnicodeDigits_Rejected) {
  EXPECT_FALSE(isValidMst("０１０１２３４５６５"));  // fullwidth
  EXPECT_FALSE(isValidMst("٠١٠١٢٣٤٥٦٥"));            // Arabic-Indic
  EXPECT_FALSE(isValidMst("01012345\xD9\xA5"));      // 10 bytes ending with an Arabic-Indic five
  EXPECT_FALSE(isValidMst("0101234565-００１"));
}

TEST(TaxCode, Valid_NoThrow) {
  EXPECT_NO_THROW(validateTaxCode("0101234565"));
  EXPECT_NO_THROW(validateTaxCode("0101234565-001"));
}

TEST(TaxCode, Invalid_SaysWhatIsWrong) {
  const auto error = [](std::string_view mst) {
    return inputErrorOf([&] { validateTaxCode(mst); }, "invalid_tax_code");
  };
  std::string message = error("0101234566");
  EXPECT_TRUE(contains(message, "'0101234566'")) << message;
  EXPECT_TRUE(contains(message, "check digit")) << message;
  message = error("0101234565-000");
  EXPECT_TRUE(contains(message, "001 to 999")) << message;
  for (std::string_view mst : {""sv, "010123456"sv, "0101234565-01"sv, "01012345650"sv, "0101234565 "sv}) {
    message = error(mst);
    EXPECT_TRUE(contains(message, "10 digits")) << message;
    EXPECT_TRUE(contains(message, "'-' + 3 digits")) << message;
  }
  message = error("０１０１２３４５６５");
  EXPECT_FALSE(contains(message, "０")) << message;
  EXPECT_TRUE(contains(message, "non-ASCII")) << message;
  message = error(std::string(100, '1'));
  EXPECT_TRUE(contains(message, "100 bytes")) << message;  // long input is not echoed
}

// --- payer id --------------------------------------------------------------------------------

TEST(PayerId, Cccd_IsCccd) {
  EXPECT_EQ(validatePayerId("001099012345"), PayerIdKind::Cccd);
}

TEST(PayerId, TaxCode_IsMst) {
  EXPECT_EQ(validatePayerId("0101234565"), PayerIdKind::Mst);
  EXPECT_EQ(validatePayerId("0101234565-001"), PayerIdKind::Mst);
}

TEST(PayerId, Neither_NamesBothForms) {
  for (std::string_view id : {""sv, "001099012"sv, "00109901234"sv, "0010990123456"sv, "ABCDEFGHIJKL"sv,
                              "001099012345 "sv, "HC:B1234567"sv, "０１０１２３４５６５"sv}) {
    const std::string message = inputErrorOf([&] { validatePayerId(id); }, "invalid_payer_id");
    EXPECT_TRUE(contains(message, "CCCD")) << message;
    EXPECT_TRUE(contains(message, "12 digits")) << message;
    EXPECT_TRUE(contains(message, "MST")) << message;
    EXPECT_TRUE(contains(message, "10 digits")) << message;
  }
}

TEST(PayerId, NearlyValid_SaysWhy) {
  const auto error = [](std::string_view id) { return inputErrorOf([&] { validatePayerId(id); }, "invalid_payer_id"); };
  EXPECT_TRUE(contains(error("003099012345"), "'003' is not a province code"));
  EXPECT_TRUE(contains(error("0101234566"), "check digit"));
  EXPECT_TRUE(contains(error("0101234565-000"), "001 to 999"));
}

}  // namespace
}  // namespace kyso::receipts

namespace kyso::pki {
namespace {

TEST(VietnamIdentifiers, ValidateCccd_SaysWhatIsWrong) {
  EXPECT_NO_THROW(validateCccd("001085012345"));
  try {
    validateCccd("003085012345", "invalid_field", "applicant.cccd");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_field");
    EXPECT_NE(std::string(e.what()).find("applicant.cccd '003085012345': '003' is not a province code"),
              std::string::npos)
        << e.what();
  }
  try {
    validateCccd("00108501234");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), "invalid_cccd");
    EXPECT_NE(std::string(e.what()).find("must be 12 digits"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kyso::pki
