#include "kyso/receipts/identifiers.h"

#include <string>

#include "kyso/error.h"

namespace kyso::receipts {
namespace {

bool isAsciiDigit(char c) {
  return c >= '0' && c <= '9';
}
int digitValue(char c) {
  return c - '0';
}

// The last two characters of a series symbol (Circular 91/2026 appendix II): the Latin letters
// of the Vietnamese alphabet, without F, I, J, O, W, Z.
constexpr std::string_view kSeriesLetters = "ABCDEGHKLMNPQRSTUVXY";

[[noreturn]] void failSeries(std::string_view symbol, const std::string& what) {
  throw InputError("invalid_series_symbol", "series symbol " + pki::shownIdentifier(symbol) + " " + what);
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

int seriesSymbolYear(std::string_view symbol) {
  if (symbol.size() < 2 || !isAsciiDigit(symbol[0]) || !isAsciiDigit(symbol[1])) {
    throw InputError("invalid_series_symbol",
                     "symbol: a series symbol is 5 characters, the 2-digit year first (e.g. 26TAB)");
  }
  return 2000 + digitValue(symbol[0]) * 10 + digitValue(symbol[1]);
}

PayerIdKind validatePayerId(std::string_view id) {
  if (isValidCccd(id)) return PayerIdKind::Cccd;
  if (isValidMst(id)) return PayerIdKind::Mst;
  std::string message = "payer id " + pki::shownIdentifier(id) +
                        " must be a CCCD number (12 digits starting with a province code) or a tax code (MST: " +
                        std::string(pki::kMstForm) + ")";
  // When the shape says which form was meant, say why it is not that form.
  if (id.size() == 12 && id.find_first_not_of("0123456789") == std::string_view::npos)
    message += "; as a CCCD number, '" + std::string(id.substr(0, 3)) + "' is not a province code";
  else if (const pki::MstProblem problem = pki::mstProblem(id); problem != pki::MstProblem::Form)
    message += "; as a tax code, it " + pki::describe(problem);
  throw InputError("invalid_payer_id", message);
}

}  // namespace kyso::receipts
