// Identifiers that reach kyso from outside (procedure system, officers) and end up printed and
// signed on a receipt: the series symbol, the payer's CCCD or tax code, the organisation's tax code.
// Checked here, byte by byte: only ASCII digits and letters count, no trimming, no Unicode digits.
#pragma once

#include <string_view>

namespace kyso::receipts {

// The series symbol (ký hiệu) of a receipt registered by the organisation (Circular 91/2026
// appendix II): 2-digit year of issue + 'T' + 2 uppercase letters from
// A B C D E G H K L M N P Q R S T U V X Y, e.g. "26TAB" in 2026.
// Throws InputError("invalid_series_symbol") saying which part is wrong; `year` is the year of issue
// (e.g. 2026), InternalError when it is not in 1..9999.
void validateSeriesSymbol(std::string_view symbol, int year);

// A citizen identity number (CCCD / số định danh cá nhân, Circular 07/2016/TT-BCA as amended by
// Circular 59/2021/TT-BCA): 12 ASCII digits; the first three are the code of one of the 63
// provinces of the 2004 administrative-unit list (001 Hà Nội ... 096 Cà Mau); the fourth
// (century and sex) and the rest are not checked.
bool isValidCccd(std::string_view id);

// A tax code (MST, Circular 105/2020/TT-BTC Art. 5): 10 ASCII digits whose 10th is the check digit
// 10 - (sum of the first nine times 31, 29, 23, 19, 17, 13, 7, 5, 3) mod 11 (a result of 10 is never
// issued), optionally followed by "-" and a 3-digit branch number 001..999.
bool isValidMst(std::string_view mst);

// Throws InputError("invalid_tax_code") saying what is wrong.
void validateTaxCode(std::string_view mst);

enum class PayerIdKind { Cccd, Mst };

// The payer's identifier on a receipt: a CCCD or a tax code (a branch's included).
// Throws InputError("invalid_payer_id") naming both accepted forms.
PayerIdKind validatePayerId(std::string_view id);

}  // namespace kyso::receipts
