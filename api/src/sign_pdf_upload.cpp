#include "sign_pdf_upload.h"

#include <Poco/MemoryStream.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/MediaType.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include <algorithm>
#include <set>

#include "kyso/error.h"

namespace kyso::api::detail {

namespace {

// Part headers and boundaries of a two-part form take a few hundred bytes; 64 KiB is plenty.
constexpr std::uint64_t kMultipartOverheadBytes = 64 * 1024;

InputError invalidMultipart(const std::string& message) {
  return InputError("invalid_multipart", message);
}

InputError tooLarge(const std::string& what, std::uint64_t limit) {
  return InputError("body_too_large", "the " + what + " exceeds the limit of " + std::to_string(limit) + " bytes",
                    ErrorKind::PayloadTooLarge);
}

std::string lowerMediaType(const std::string& contentType) {
  std::string type;
  Poco::Net::NameValueCollection parameters;
  Poco::Net::MessageHeader::splitParameters(contentType, type, parameters);
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

// Collects the "document" and "image" file parts, each within its cap.
class SignPdfParts : public Poco::Net::PartHandler {
 public:
  // `sizeHint`: the form's size, which no part exceeds (its buffer is reserved once).
  SignPdfParts(std::uint64_t maxDocumentBytes, std::uint64_t sizeHint)
      : maxDocumentBytes_(maxDocumentBytes), sizeHint_(sizeHint) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& stream) override {
    std::string disposition;
    Poco::Net::NameValueCollection parameters;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition, parameters);
    const std::string name = parameters.get("name", "");
    const std::string type = lowerMediaType(header.get("Content-Type", "application/octet-stream"));
    std::string expected;  // the part's own type; application/octet-stream is accepted too
    std::uint64_t limit = 0;
    std::string* into = nullptr;
    if (name == "document") {
      expected = "application/pdf";
      limit = maxDocumentBytes_;
      into = &document;
    } else if (name == "image") {
      expected = "image/png";
      limit = kMaxAppearanceImageBytes;
      into = &image;
    } else {
      throw invalidMultipart("unknown part '" + name + "': the form takes 'document' (the PDF) and 'image' (a PNG)");
    }
    if (!seen_.insert(name).second) throw invalidMultipart("part '" + name + "' given twice");
    if (type != expected && type != "application/octet-stream") {
      throw InputError("unsupported_media_type",
                       "part '" + name + "' must be " + expected + " (or application/octet-stream)",
                       ErrorKind::UnsupportedMediaType);
    }
    into->reserve(static_cast<std::size_t>(std::min<std::uint64_t>(limit, sizeHint_)));
    char buffer[65536];
    while (stream.read(buffer, sizeof buffer) || stream.gcount() > 0) {
      into->append(buffer, static_cast<std::size_t>(stream.gcount()));
      if (into->size() > limit) throw tooLarge("'" + name + "' part", limit);
    }
  }

  bool has(const std::string& name) const { return seen_.contains(name); }

  std::string document;
  std::string image;

 private:
  std::uint64_t maxDocumentBytes_;
  std::uint64_t sizeHint_;
  std::set<std::string> seen_;
};

}  // namespace

SignPdfUpload readSignPdfUpload(Exchange& ex, std::uint64_t maxDocumentBytes) {
  const std::string type = ex.mediaType();
  if (type == "application/pdf") return {ex.readBody(maxDocumentBytes), std::nullopt};
  if (type != "multipart/form-data") ex.requireContentType({"application/pdf", "multipart/form-data"});

  const std::string body = ex.readBody(maxDocumentBytes + kMaxAppearanceImageBytes + kMultipartOverheadBytes);
  // HTMLForm also reads the URI's query into its fields, and knows the media type only in lower
  // case: give it the body's framing alone, so that every field it collects is a part of the form.
  const Poco::Net::MediaType given(ex.request().getContentType());
  if (!given.hasParameter("boundary") || given.getParameter("boundary").empty()) {
    throw invalidMultipart("multipart/form-data needs a boundary parameter");
  }
  // RFC 2046 §5.1.1: 1 to 70 characters (Poco's reader asserts on much longer ones).
  if (given.getParameter("boundary").size() > 70) {
    throw invalidMultipart("the multipart boundary is longer than 70 characters");
  }
  Poco::Net::MediaType framingType("multipart", "form-data");
  framingType.setParameter("boundary", given.getParameter("boundary"));
  Poco::Net::HTTPRequest framing(Poco::Net::HTTPRequest::HTTP_POST, "/", Poco::Net::HTTPMessage::HTTP_1_1);
  framing.setContentType(framingType);
  SignPdfParts parts(maxDocumentBytes, body.size());
  Poco::Net::HTMLForm form;
  form.setFieldLimit(8);
  form.setValueLengthLimit(1024);
  Poco::MemoryInputStream in(body.data(), static_cast<std::streamsize>(body.size()));  // the body, not a copy
  try {
    form.load(framing, in, parts);
  } catch (const Poco::Exception&) {
    // Poco's text names its own sources; the client learns what it can act on.
    throw invalidMultipart(
        "the multipart/form-data body cannot be read: its boundaries, part headers or field limits are not as "
        "RFC 7578 and this route expect");
  }
  if (!form.empty()) {
    throw invalidMultipart("part '" + form.begin()->first +
                           "' is not a file: send 'document' and 'image' with a filename in Content-Disposition");
  }
  if (!parts.has("document")) throw invalidMultipart("the form has no 'document' part (the PDF)");
  SignPdfUpload upload;
  upload.document = std::move(parts.document);
  if (parts.has("image")) {
    // An empty part is no image: without this it would silently fall back to the configured one.
    if (parts.image.empty()) throw InputError("invalid_image", "the 'image' part is empty");
    upload.image = toBytes(parts.image);
  }
  return upload;
}

void attachAppearanceImage(std::optional<signer::VisibleSignature>& visible, Bytes image) {
  if (!visible) throw InputError("invalid_appearance", "'image' needs 'visible' (seal or signer)");
  if (visible->layout == signer::SignatureLayout::Copy) {
    throw InputError("invalid_appearance", "the copy layout draws no image");
  }
  visible->image = std::move(image);
}

}  // namespace kyso::api::detail
