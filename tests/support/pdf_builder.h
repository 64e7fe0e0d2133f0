// Builds small, well-formed PDFs from object bodies for edge cases the corpus does not cover.
#pragma once

#include <string>
#include <vector>

namespace kyso::test {

// objects[i] becomes "i+1 0 obj <body> endobj"; the xref table and trailer are computed.
std::string buildPdf(const std::vector<std::string>& objects, const std::string& extraTrailer = {});

// Catalog (1), page tree (2), one A4 page (3) showing a line of text (4, 5).
std::vector<std::string> onePageObjects();

// A catalog with a /PageLabels of ~40 bytes a page and a flat page tree of `pages` leaves under
// the root (no AcroForm). From ~600 pages both are past the size ParsedPdf reads compactly.
struct LargeDocument {
  std::string pdf;
  std::string pageLabels;  // the /PageLabels value's source text
};
LargeDocument largeDocument(int pages);

}  // namespace kyso::test
