#include "kyso/api/appearance_resources.h"

#include <charconv>

#include "kyso/error.h"
#include "kyso/files.h"
#include "kyso/signer/pdf_signature.h"

namespace kyso::api {

namespace {

// Appearance text: each line valid signature text (no control characters), lines split on '\n'.
void requireAppearanceText(const std::string& text, const std::string& what) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!signer::isValidSignatureText(line)) {
      throw InputError("invalid_text", what + " must be valid UTF-8 without control characters, at most " +
                                           std::to_string(signer::kMaxSignatureTextLength) + " characters a line");
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

}  // namespace

const std::set<std::string>& appearanceParameters() {
  static const std::set<std::string> names = {"visible", "page", "rect",      "position",         "over",
                                              "title",   "name", "copy_form", "copy_organisation"};
  return names;
}

std::optional<signer::VisibleSignature> visibleSignatureFrom(const std::map<std::string, std::string>& p) {
  const auto get = [&](const char* name) -> const std::string* {
    const auto it = p.find(name);
    return it == p.end() ? nullptr : &it->second;
  };
  const std::string* layout = get("visible");
  if (layout == nullptr) {
    for (const auto& name : appearanceParameters()) {
      if (p.contains(name))
        throw InputError("invalid_appearance", "'" + name + "' needs 'visible' (seal, signer or copy)");
    }
    return std::nullopt;
  }
  signer::VisibleSignature v;
  v.layout = signer::parseSignatureLayout(*layout);
  if (const auto* page = get("page")) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(page->data(), page->data() + page->size(), n);
    if (ec != std::errc() || end != page->data() + page->size() || n == 0 || n > 1'000'000) {
      throw InputError("invalid_appearance", "page must be a page number from 1");
    }
    if (v.layout == signer::SignatureLayout::Copy && n != 1) {
      throw InputError("invalid_appearance", "the copy layout is always on page 1");
    }
    v.page = n;
  }
  if (const auto* rect = get("rect")) v.rect = signer::parsePageRect(*rect);
  if (const auto* position = get("position")) v.position = signer::parseNamedPosition(*position);
  if (const auto* over = get("over")) {
    if (v.layout != signer::SignatureLayout::Seal)
      throw InputError("invalid_appearance", "'over' is for the seal layout");
    v.overField = *over;
  }
  if (v.rect && (v.position || !v.overField.empty())) {
    throw InputError("invalid_appearance", "give one of rect, position and over");
  }
  if (v.position && !v.overField.empty()) throw InputError("invalid_appearance", "give one of rect, position and over");
  const auto text = [&](const char* name, std::string& into) {
    if (const auto* value = get(name)) {
      requireAppearanceText(*value, name);
      into = *value;
    }
  };
  text("title", v.title);
  text("name", v.name);
  text("copy_form", v.copyForm);
  text("copy_organisation", v.copyOrganisation);
  return v;
}

AppearanceResources::AppearanceResources(const Settings& settings)
    : fontRegular_(settings.fontRegular), fontBold_(settings.fontBold) {
  for (const auto& [id, texts] : settings.appearances) {
    Defaults d;
    if (!texts.image.empty()) {
      const std::string bytes = readFile(texts.image, 8u << 20);
      d.image.assign(bytes.begin(), bytes.end());
    }
    requireAppearanceText(texts.title, "appearance.key." + id + ".title");
    requireAppearanceText(texts.name, "appearance.key." + id + ".name");
    requireAppearanceText(texts.copyForm, "appearance.key." + id + ".copy_form");
    requireAppearanceText(texts.copyOrganisation, "appearance.key." + id + ".copy_organisation");
    d.texts = texts;
    byKey_[id] = std::move(d);
  }
}

std::shared_ptr<const signer::AppearanceFonts> AppearanceResources::fonts() const {
  std::call_once(fontsOnce_, [this] { fonts_ = signer::AppearanceFonts::load(fontRegular_, fontBold_); });
  return fonts_;
}

void AppearanceResources::complete(signer::VisibleSignature& v, const std::string& keyId,
                                   const pki::Certificate& certificate) const {
  const auto it = keyId.empty() ? byKey_.end() : byKey_.find(keyId);
  const Defaults* d = it == byKey_.end() ? nullptr : &it->second;
  const auto fill = [](std::string& field, const std::string& configured, const std::string& fallback) {
    if (field.empty()) field = !configured.empty() ? configured : fallback;
  };
  if (v.image.empty() && d != nullptr) v.image = d->image;
  const std::string cn = certificate.commonName();
  const std::string organisation = certificate.subjectAttribute("O").value_or(cn);
  const auto valid = [](const std::string& text) { return signer::isValidSignatureText(text) ? text : std::string(); };
  fill(v.title, d ? d->texts.title : "", "");
  fill(v.name, d ? d->texts.name : "", v.layout == signer::SignatureLayout::Signer ? valid(cn) : "");
  fill(v.copyForm, d ? d->texts.copyForm : "", "Sao y");
  fill(v.copyOrganisation, d ? d->texts.copyOrganisation : "", valid(organisation));
}

void AppearanceResources::completeFields(signer::PdfSignatureFields& fields, const std::string& keyId,
                                         const pki::Certificate& certificate) const {
  const std::string cn = certificate.commonName();
  fields.signerName = signer::isValidSignatureText(cn) ? cn : std::string();
  if (fields.visible) {
    complete(*fields.visible, keyId, certificate);
    fields.fonts = fonts();
  }
}

}  // namespace kyso::api
