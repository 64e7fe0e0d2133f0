#include "pdf_session_state.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "kyso/error.h"

namespace kyso::api::detail {

std::string encodeState(const PdfSessionState& state) {
  const auto& p = state.prepared;
  Poco::JSON::Object o;
  o.set("field", p.fieldName);
  o.set("signing_time", pki::formatIso8601Utc(state.signingTime));
  Poco::JSON::Array::Ptr range = new Poco::JSON::Array;
  for (const auto value : p.byteRange) range->add(static_cast<Poco::UInt64>(value));
  o.set("byte_range", range);
  o.set("contents_offset", static_cast<Poco::UInt64>(p.contentsOffset));
  o.set("contents_capacity", static_cast<Poco::UInt64>(p.contentsCapacity));
  o.set("output_size", static_cast<Poco::UInt64>(p.outputSize));
  o.set("digest_algorithm", std::string(pki::digestName(p.digestAlgorithm)));
  o.set("document_digest", toHex(p.documentDigest));
  o.set("reason", state.reason);
  o.set("location", state.location);
  o.set("contact_info", state.contactInfo);
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

PdfSessionState decodeState(const std::string& json) {
  // Written by encodeState: anything unreadable is a damaged database.
  try {
    const auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    PdfSessionState state;
    auto& p = state.prepared;
    p.fieldName = o->getValue<std::string>("field");
    state.signingTime = pki::parseIso8601(o->getValue<std::string>("signing_time"));
    const auto range = o->getArray("byte_range");
    if (!range || range->size() != 4) throw InternalError("bad byte range");
    for (std::size_t i = 0; i < 4; ++i) p.byteRange[i] = range->getElement<Poco::UInt64>(static_cast<unsigned>(i));
    p.contentsOffset = o->getValue<Poco::UInt64>("contents_offset");
    p.contentsCapacity = o->getValue<Poco::UInt64>("contents_capacity");
    p.outputSize = o->getValue<Poco::UInt64>("output_size");
    p.digestAlgorithm = pki::parseDigestAlgorithm(o->getValue<std::string>("digest_algorithm"));
    p.documentDigest = fromHex(o->getValue<std::string>("document_digest"));
    state.reason = o->getValue<std::string>("reason");
    state.location = o->getValue<std::string>("location");
    state.contactInfo = o->getValue<std::string>("contact_info");
    return state;
  } catch (const Poco::Exception& e) {
    throw InternalError("unreadable signing session state: " + e.displayText(), "database_corrupt");
  } catch (const Error& e) {
    throw InternalError(std::string("unreadable signing session state: ") + e.what(), "database_corrupt");
  }
}

}  // namespace kyso::api::detail
