// The amount in words that a receipt must print next to the amount in figures (Decree 254/2026
// Art. 23(2)): "Một trăm năm mươi nghìn đồng" for 150,000.
#pragma once

#include <cstdint>
#include <string>

namespace kyso::receipts {

// Reads a VND amount the way receipts and invoices print it: first letter capitalised, ending in
// " đồng"; 0 reads "Không đồng". Every int64 amount is read (groups nghìn, triệu, tỷ, then "nghìn tỷ",
// "triệu tỷ", "tỷ tỷ"). Conventions, where usage varies:
//  - "linh" (the form on invoices in the North), not "lẻ", for a zero tens digit: 105 "một trăm linh năm";
//  - "bốn" always, never "tư": 24 "hai mươi bốn";
//  - an empty hundreds place after a higher group reads "không trăm": 1,005 "một nghìn không trăm linh
//    năm"; a group that is entirely zero is left out: 1,000,100 "một triệu một trăm".
// Throws InputError("invalid_amount") for a negative amount.
std::string amountInWords(std::int64_t vnd);

}  // namespace kyso::receipts
