#include "pdf_builder.h"

#include <cstdio>

namespace kyso::test {

std::string buildPdf(const std::vector<std::string>& objects, const std::string& extraTrailer) {
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f\r\n";
  for (std::size_t offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n\r\n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R " + extraTrailer +
         " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::vector<std::string> onePageObjects() {
  const std::string content = "BT /F1 24 Tf 72 720 Td (Quyet dinh) Tj ET";
  return {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> "
      "/Contents 4 0 R >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
}

LargeDocument largeDocument(int pages) {
  auto objects = onePageObjects();  // 1 catalog, 2 pages, 3 page, 4 content, 5 font
  LargeDocument doc;
  doc.pageLabels = "<< /Nums [";
  for (int i = 0; i < pages; ++i) {
    doc.pageLabels += " " + std::to_string(i) + " << /S /D /P (Trang\\040" + std::to_string(i) + ") /St 1 >>";
  }
  doc.pageLabels += " ] >>";
  objects[0] = "<< /Type /Catalog /Pages 2 0 R /Lang (vi-VN) /PageLabels " + doc.pageLabels + " >>";
  std::string kids = "[3 0 R";
  for (int i = 1; i < pages; ++i) {
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(300 + i) +
                      " 400] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>");
    kids += " " + std::to_string(objects.size()) + " 0 R";
  }
  objects[1] = "<< /Type /Pages /Kids " + kids + "] /Count " + std::to_string(pages) + " >>";
  doc.pdf = buildPdf(objects);
  return doc;
}

}  // namespace kyso::test
