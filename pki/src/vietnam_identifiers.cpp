#include "kyso/pki/vietnam_identifiers.h"

#include <algorithm>
#include <array>

#include "kyso/error.h"

namespace kyso::pki {
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

}  // namespace

std::string shownIdentifier(std::string_view text) {
  if (text.empty()) return "an empty text";
  if (text.size() > 32) return "a text of " + std::to_string(text.size()) + " bytes";
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) { return c >= ' ' && c <= '~'; });
  if (!printable) return "a text with non-ASCII or control characters";
  return "'" + std::string(text) + "'";
}

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

bool isValidCccd(std::string_view id) {
  if (id.size() != 12 || !allAsciiDigits(id)) return false;
  const int province = digitValue(id[0]) * 100 + digitValue(id[1]) * 10 + digitValue(id[2]);
  return std::binary_search(kProvinceCodes.begin(), kProvinceCodes.end(), province);
}

bool isValidMst(std::string_view mst) {
  return mstProblem(mst) == MstProblem::None;
}

void validateTaxCode(std::string_view mst, const char* code, const char* what) {
  const MstProblem problem = mstProblem(mst);
  if (problem != MstProblem::None) {
    throw InputError(code, std::string(what) + " " + shownIdentifier(mst) + " " + describe(problem));
  }
}

void validateCccd(std::string_view id, const char* code, const char* what) {
  if (isValidCccd(id)) return;
  if (id.size() != 12 || !allAsciiDigits(id)) {
    throw InputError(code, std::string(what) + " " + shownIdentifier(id) + " must be 12 digits");
  }
  throw InputError(code, std::string(what) + " " + shownIdentifier(id) + ": '" + std::string(id.substr(0, 3)) +
                             "' is not a province code");
}

}  // namespace kyso::pki
