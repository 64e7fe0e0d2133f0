#include "kyso/receipts/identifiers.h"

#include <algorithm>
#include <array>
#include <string>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
bool allAsciiDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), isAsciiDigit);
}
int digitValue(char c) {
  return c - '0';
}

// The caller's text as a message shows it. Messages may reach the client and the log, so only
// short printable ASCII is echoed; anything else is described.
std::string shown(std::string_view text) {
  if (text.empty()) return "an empty text";
  if (text.size() > 32) return "a text of " + std::to_string(text.size()) + " bytes";
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c >= ' ' && c <= '~'; });
  if (!printable) return "a text with non-ASCII or control characters";
  return "'" + std::string(text) + "'";
}

// The last two characters of a series symbol (Circular 91/2026 appendix II): the Latin letters
// of the Vietnamese alphabet, without F, I, J, O, W, Z.
constexpr std::string_view kSeriesLetters = "ABCDEGHKLMNPQRSTUVXY";

// Province codes of the CCCD (Circular 07/2016/TT-BCA appendix, the 63 provinces and cities of
// Decision 124/2004/QĐ-TTg). A personal identification number keeps its code for life, so the
// codes stay valid after the 2025 merger of provinces.
constexpr std::array<int, 63> kProvinceCodes{
    1,  2,  4,  6,  8,  10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33,
    34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66,
    67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
};
static_assert(std::is_sorted(kProvinceCodes.begin(), kProvinceCodes.end()), "isValidCccd searches it");

constexpr std::size_t kMstLength = 10;
constexpr std::size_t kMstBranchLength = kMstLength + 4;  // "-001"

// Circular 105/2020 Art. 5: the weights of the first nine digits.
constexpr std::array<int, 9> kMstWeights{31, 29, 23, 19, 17, 13, 7, 5, 3};

bool mstCheckDigitMatches(std::string_view digits) {
  int sum = 0;
  for (std::size_t i = 0; i < kMstWeights.size(); ++i) sum += digitValue(digits[i]) * kMstWeights[i];
  const int check = 10 - sum % 11;
  return check != 10 && check == digitValue(digits[9]);
}

constexpr std::string_view kMstForm =
    "10 digits, or 10 digits + '-' + 3 digits for a branch (e.g. 0101234565 or 0101234565-001)";

enum class MstProblem { None, Form, BranchZero, CheckDigit };

MstProblem mstProblem(std::string_view mst) {
  const std::string_view base = mst.substr(0, kMstLength);
  if ((mst.size() != kMstLength && mst.size() != kMstBranchLength) || !allAsciiDigits(base)) return MstProblem::Form;
  if (mst.size() == kMstBranchLength) {
    const std::string_view branch = mst.substr(kMstLength + 1);
    if (mst[kMstLength] != '-' || !allAsciiDigits(branch)) return MstProblem::Form;
    if (branch == "000") return MstProblem::BranchZero;
  }
  return mstCheckDigitMatches(base) ? MstProblem::None : MstProblem::CheckDigit;
}

std::string describe(MstProblem problem) {
  switch (problem) {
    case MstProblem::None:
      break;
    case MstProblem::Form:
      return "must be " + std::string(kMstForm);
    case MstProblem::BranchZero:
      return "has branch number 000; branch numbers run from 001 to 999";
    case MstProblem::CheckDigit:
      return "has a wrong check digit: the 10th digit does not match the first nine (Circular 105/2020 Art. 5)";
  }
  return {};
}

[[noreturn]] void failSeries(std::string_view symbol, const std::string& what) {
  throw InputError("invalid_series_symbol", "series symbol " + shown(symbol) + " " + what);
}

std::string twoDigits(int value) {
  return std::string{static_cast<char>('0' + value / 10), static_cast<char>('0' + value % 10)};
}

}  // namespace

void validateSeriesSymbol(std::string_view symbol, int year) {
  if (year < 1 || year > 9999) throw InternalError("year of issue out of range: " + std::to_string(year));
  if (symbol.size() != 5)
    failSeries(symbol, "must be 5 characters: the 2-digit year of issue, 'T' and 2 letters (e.g. '" +
                           twoDigits(year % 100) + "TAB')");
  if (!isAsciiDigit(symbol[0]) || !isAsciiDigit(symbol[1]))
    failSeries(symbol, "must start with the 2-digit year of issue ('" + twoDigits(year % 100) + "')");
  if (digitValue(symbol[0]) * 10 + digitValue(symbol[1]) != year % 100)
    failSeries(symbol, "is for year '" + std::string(symbol.substr(0, 2)) + "' but the receipt is issued in " +
                           std::to_string(year) + " (expected '" + twoDigits(year % 100) + "')");
  if (symbol[2] != 'T')
    failSeries(symbol, "must have 'T' (a series registered by the organisation) as its 3rd character");
  for (std::size_t i = 3; i < 5; ++i) {
    if (kSeriesLetters.find(symbol[i]) == std::string_view::npos)
      failSeries(symbol, "must have an uppercase letter from A B C D E G H K L M N P Q R S T U V X Y as its " +
                             std::string(i == 3 ? "4th" : "5th") + " character");
  }
}

bool isValidCccd(std::string_view id) {
  if (id.size() != 12 || !allAsciiDigits(id)) return false;
  const int province = digitValue(id[0]) * 100 + digitValue(id[1]) * 10 + digitValue(id[2]);
  return std::binary_search(kProvinceCodes.begin(), kProvinceCodes.end(), province);
}

bool isValidMst(std::string_view mst) {
  return mstProblem(mst) == MstProblem::None;
}

void validateTaxCode(std::string_view mst) {
  const MstProblem problem = mstProblem(mst);
  if (problem != MstProblem::None)
    throw InputError("invalid_tax_code", "tax code (MST) " + shown(mst) + " " + describe(problem));
}

PayerIdKind validatePayerId(std::string_view id) {
  if (isValidCccd(id)) return PayerIdKind::Cccd;
  if (isValidMst(id)) return PayerIdKind::Mst;
  std::string message =
      "payer id " + shown(id) +
      " must be a CCCD number (12 digits starting with a province code) or a tax code (MST: " + std::string(kMstForm) +
      ")";
  // When the shape says which form was meant, say why it is not that form.
  if (id.size() == 12 && allAsciiDigits(id))
    message += "; as a CCCD number, '" + std::string(id.substr(0, 3)) + "' is not a province code";
  else if (const MstProblem problem = mstProblem(id); problem != MstProblem::Form)
    message += "; as a tax code, it " + describe(problem);
  throw InputError("invalid_payer_id", message);
}

}  // namespace kyso::receipts
