// Builds small, well-formed PDFs from object bodies for edge cases the corpus does not cover.
#pragma once

#include <string>
#include <vector>

namespace kyso::test {

// objects[i] becomes "i+1 0 obj <body> endobj"; the xref table and trailer are computed.
std::string buildPdf(const std::vector<std::string>& objects, const std::string& extraTrailer = {});

// Catalog (1), page tree (2), one A4 page (3) showing a line of text (4, 5).
std::vector<std::string> onePageObjects();

}  // namespace kyso::test
