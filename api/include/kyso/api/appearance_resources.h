// What visible signatures need from the service: the faces of their text (loaded on first use),
// each key's configured images and texts, and the request parameters that describe one — named
// the same in the HTTP query of POST /v1/sign/pdf, the "appearance" object of a signing session and
// the CLI's options.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "kyso/api/settings.h"
#include "kyso/pki/certificate.h"
#include "kyso/signer/visible_signature.h"

namespace kyso::signer {
struct PdfSignatureFields;
}  // namespace kyso::signer

namespace kyso::api {

// visible, page, rect, position, over, title, name, copy_form, copy_organisation.
const std::set<std::string>& appearanceParameters();

// The visible signature the parameters describe, or none without "visible". Throws
// InputError("invalid_appearance") for a bad value, InputError("invalid_text") for bad text.
std::optional<signer::VisibleSignature> visibleSignatureFrom(const std::map<std::string, std::string>& parameters);

class AppearanceResources {
 public:
  // Reads the configured images (InputError "file_unreadable" for a missing one).
  explicit AppearanceResources(const Settings& settings);

  // Loaded on first use; InputError("font_unusable") then.
  std::shared_ptr<const signer::AppearanceFonts> fonts() const;

  // Fills in what `visible` leaves open: the image and texts configured for `keyId` (empty for a
  // key kyso does not hold), then what the certificate says — the name (CN) for the signer
  // layout, the organisation (O, else CN) for the copy layout — and the copy form "Sao y".
  void complete(signer::VisibleSignature& visible, const std::string& keyId, const pki::Certificate& certificate) const;

  // What a PDF signature by `certificate` takes from it and from the configuration: /Name from the
  // CN — none when the CN would not make a valid text entry (control characters, bad UTF-8,
  // over-long): /Name is informative, no reason to fail the request — and, when `fields.visible`
  // is set, the rest of the appearance (complete() with `keyId`) and the faces of its text.
  void completeFields(signer::PdfSignatureFields& fields, const std::string& keyId,
                      const pki::Certificate& certificate) const;

 private:
  struct Defaults {
    Bytes image;
    AppearanceSettings texts;
  };
  std::string fontRegular_, fontBold_;
  std::map<std::string, Defaults> byKey_;
  mutable std::once_flag fontsOnce_;
  mutable std::shared_ptr<const signer::AppearanceFonts> fonts_;
};

}  // namespace kyso::api
