// Identifiers that reach kyso from outside (procedure system, officers) and end up printed and
// signed on a receipt: the series symbol, the payer's CCCD or tax code, the organisation's tax code.
// Checked here, byte by byte: only ASCII digits and letters count, no trimming, no Unicode digits.
#pragma once

#include <string_view>

#include "kyso/pki/vietnam_identifiers.h"

namespace kyso::receipts {

// The series symbol (ký hiệu) of a receipt registered by the organisation (Circular 91/2026
// appendix II): 2-digit year of issue + 'T' + 2 uppercase letters from
// A B C D E G H K L M N P Q R S T U V X Y, e.g. "26TAB" in 2026.
// Throws InputError("invalid_series_symbol") saying which part is wrong; `year` is the year of issue
// (e.g. 2026), InternalError when it is not in 1..9999.
void validateSeriesSymbol(std::string_view symbol, int year);
// The year of issue a series symbol names: 2000 + its first two digits ("26TAB" → 2026). Throws
// InputError("invalid_series_symbol") when it does not start with two ASCII digits. A symbol's form
// on its own, where no year is given (a receipt request naming its series), is
// validateSeriesSymbol(symbol, seriesSymbolYear(symbol)): what POST /v1/series checks too.
int seriesSymbolYear(std::string_view symbol);

// The CCCD and tax-code rules are the PKI's (certificates carry them too).
using pki::isValidCccd;
using pki::isValidMst;
using pki::validateTaxCode;

enum class PayerIdKind { Cccd, Mst };

// The payer's identifier on a receipt: a CCCD or a tax code (a branch's included).
// Throws InputError("invalid_payer_id") naming both accepted forms.
PayerIdKind validatePayerId(std::string_view id);

}  // namespace kyso::receipts
