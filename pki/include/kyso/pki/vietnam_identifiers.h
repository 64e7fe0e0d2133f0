// Vietnamese identifiers that reach kyso from outside and end up in certificates (UID=CCCD:/MST:)
// and on receipts: the citizen identity number (CCCD) and the tax code (MST). Checked byte by
// byte: only ASCII digits count, no trimming, no Unicode digits.
#pragma once

#include <string>
#include <string_view>

namespace kyso::pki {

// A citizen identity number (CCCD / số định danh cá nhân, Circular 07/2016/TT-BCA as amended by
// Circular 59/2021/TT-BCA): 12 ASCII digits; the first three are the code of one of the 63
// provinces of the 2004 administrative-unit list (001 Hà Nội ... 096 Cà Mau); the fourth
// (century and sex) and the rest are not checked.
bool isValidCccd(std::string_view id);

// A tax code (MST, Circular 105/2020/TT-BTC Art. 5): 10 ASCII digits whose 10th is the check digit
// 10 - (sum of the first nine times 31, 29, 23, 19, 17, 13, 7, 5, 3) mod 11 (a result of 10 is never
// issued), optionally followed by "-" and a 3-digit branch number 001..999.
bool isValidMst(std::string_view mst);

enum class MstProblem { None, Form, BranchZero, CheckDigit };
MstProblem mstProblem(std::string_view mst);
// "must be 10 digits, or ...", "has a wrong check digit ..." (empty for None).
std::string describe(MstProblem problem);
// The accepted forms of a tax code, for messages.
inline constexpr std::string_view kMstForm =
    "10 digits, or 10 digits + '-' + 3 digits for a branch (e.g. 0101234565 or 0101234565-001)";

// Throws InputError(`code`) saying what is wrong; `what` names the field ("tax code (MST)").
void validateTaxCode(std::string_view mst, const char* code = "invalid_tax_code", const char* what = "tax code (MST)");
// Throws InputError(`code`): the form, or which province code is unknown.
void validateCccd(std::string_view id, const char* code = "invalid_cccd", const char* what = "CCCD number");

// The caller's text as a message shows it. Messages may reach the client and the log, so only
// short printable ASCII is echoed; anything else is described.
std::string shownIdentifier(std::string_view text);

}  // namespace kyso::pki
