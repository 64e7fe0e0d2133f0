// Visible signatures in the layouts of Decree 30/2020/NĐ-CP, Appendix I:
//   seal   — the organisation's seal image (red, transparent background) at its real size; placed
//            over an officer's signature it covers the left third of it;
//   signer — the officer's handwritten-signature image (blue, transparent background) centred
//            between the title (chức vụ) above and the full name below;
//   copy   — no image: at the top right of the first page, the copy form, the copying
//            organisation and the signing time (ISO 8601, +07:00) in Times New Roman's metric twin
//            Liberation Serif, 10 pt, upright, black.
// Positions are given on the page as displayed (crop box, after /Rotate), in points from its
// lower-left corner.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kyso/pki/bytes.h"

namespace kyso::signer {

enum class SignatureLayout { Seal, Signer, Copy };
std::string_view signatureLayoutName(SignatureLayout layout);
// "seal", "signer", "copy"; throws InputError("invalid_appearance").
SignatureLayout parseSignatureLayout(std::string_view text);

enum class NamedPosition { TopLeft, TopRight, BottomLeft, BottomRight };
// "top-left", "top-right", "bottom-left", "bottom-right"; throws InputError("invalid_appearance").
NamedPosition parseNamedPosition(std::string_view text);

struct PageRect {
  double x1 = 0, y1 = 0, x2 = 0, y2 = 0;
};
// "x1,y1,x2,y2" in points; throws InputError("invalid_appearance").
PageRect parsePageRect(std::string_view text);

struct VisibleSignature {
  SignatureLayout layout = SignatureLayout::Copy;
  std::size_t page = 1;  // 1-based; the copy layout is always on page 1
  // Where: an explicit rectangle, a named corner, or (seal only) over an existing signature
  // field. Without any: copy at the top right, signer at the bottom right, seal at the bottom
  // right at its real size.
  std::optional<PageRect> rect;
  std::optional<NamedPosition> position;
  std::string overField;         // seal: the signature field (an officer's) whose left third it covers
  Bytes image;                   // PNG; required for seal and signer
  double fallbackDpi = 300;      // for a PNG without a pHYs resolution
  std::string title;             // signer: "GIÁM ĐỐC", several lines separated by '\n'
  std::string name;              // signer: the officer's full name
  std::string copyForm;          // copy: "Sao y", "Sao lục", "Trích sao"
  std::string copyOrganisation;  // copy: the organisation making the copy
};

// The faces appearance text is set in, loaded once and shared by every signature.
class AppearanceFonts {
 public:
  // Throws InputError("font_unusable").
  static std::shared_ptr<const AppearanceFonts> load(const std::filesystem::path& regular,
                                                     const std::filesystem::path& bold);
  // Liberation Serif from Debian's fonts-liberation2.
  static std::shared_ptr<const AppearanceFonts> system();

  struct Faces;
  const Faces& faces() const { return *faces_; }
  explicit AppearanceFonts(std::shared_ptr<const Faces> faces) : faces_(std::move(faces)) {}

 private:
  std::shared_ptr<const Faces> faces_;
};

}  // namespace kyso::signer
