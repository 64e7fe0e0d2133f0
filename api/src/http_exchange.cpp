#include "http_exchange.h"

#include <Poco/URI.h>

#include <sstream>

#include "kyso/error.h"

namespace kyso::api::detail {

int statusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest:
      return 400;
    case ErrorKind::Unauthenticated:
      return 401;
    case ErrorKind::Forbidden:
      return 403;
    case ErrorKind::NotFound:
      return 404;
    case ErrorKind::MethodNotAllowed:
      return 405;
    case ErrorKind::Conflict:
      return 409;
    case ErrorKind::Gone:
      return 410;
    case ErrorKind::LengthRequired:
      return 411;
    case ErrorKind::PayloadTooLarge:
      return 413;
    case ErrorKind::UnsupportedMediaType:
      return 415;
    case ErrorKind::UnprocessableContent:
      return 422;
    case ErrorKind::TooManyRequests:
      return 429;
    case ErrorKind::Unavailable:
      return 503;
    case ErrorKind::Internal:
      return 500;
  }
  return 500;
}

Exchange::Exchange(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   std::string requestId)
    : request_(request), response_(response), requestId_(std::move(requestId)) {
  const std::string& uri = request.getURI();
  const auto q = uri.find('?');
  path_ = uri.substr(0, q);
  if (q != std::string::npos) rawQuery_ = uri.substr(q + 1);
}

const std::string& Exchange::param(const std::string& name, const std::string& fallback) const {
  const auto it = queryParameters.find(name);
  return it == queryParameters.end() ? fallback : it->second;
}

std::map<std::string, std::string> Exchange::query(const std::set<std::string>& allowed) const {
  std::map<std::string, std::string> out;
  Poco::URI::QueryParameters parameters;
  try {
    parameters = Poco::URI("/?" + rawQuery_).getQueryParameters();
  } catch (const Poco::Exception&) {
    throw InputError("invalid_parameter", "the query string is malformed");
  }
  for (const auto& [name, value] : parameters) {
    if (!allowed.contains(name)) throw InputError("invalid_parameter", "unknown query parameter '" + name + "'");
    if (!out.emplace(name, value).second) throw InputError("invalid_parameter", "parameter '" + name + "' given twice");
  }
  return out;
}

std::string Exchange::mediaType() const {
  std::string type = request_.getContentType();
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

void Exchange::requireContentType(const std::set<std::string>& accepted) const {
  if (!accepted.contains(mediaType())) {
    std::string list;
    for (const auto& a : accepted) list += (list.empty() ? "" : ", ") + a;
    throw InputError("unsupported_media_type", "Content-Type must be " + list, ErrorKind::UnsupportedMediaType);
  }
}

std::string Exchange::readBody(std::uint64_t maxBytes) {
  // Without a length or chunked framing the body would end only when the client closes.
  if (!request_.hasContentLength() && !request_.getChunkedTransferEncoding()) {
    throw InputError("length_required", "the request needs a Content-Length (or chunked transfer encoding)",
                     ErrorKind::LengthRequired);
  }
  const InputError tooLarge("body_too_large",
                            "the request body exceeds the limit of " + std::to_string(maxBytes) + " bytes",
                            ErrorKind::PayloadTooLarge);
  if (request_.hasContentLength() && request_.getContentLength64() > static_cast<Poco::Int64>(maxBytes)) throw tooLarge;
  std::string body;
  if (request_.hasContentLength()) body.reserve(static_cast<std::size_t>(request_.getContentLength64()));
  std::istream& in = request_.stream();
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (body.size() > maxBytes) throw tooLarge;
  }
  if (in.bad() ||
      (request_.hasContentLength() && static_cast<Poco::Int64>(body.size()) != request_.getContentLength64())) {
    throw InputError("body_incomplete", "the request body ended before its announced length (or timed out)");
  }
  bodyConsumed = true;
  return body;
}

void Exchange::sendJson(int status, const Poco::JSON::Object& body) {
  std::ostringstream text;
  body.stringify(text);
  sendBytes(status, "application/json", text.str());
}

void Exchange::sendBytes(int status, const std::string& contentType, std::string_view body) {
  response_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setContentType(contentType);
  response_.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response_.set("X-Request-Id", requestId_);
  // Only the page's files say otherwise (web_handlers.cpp).
  if (!response_.has("Cache-Control")) response_.set("Cache-Control", "no-store");
  response_.set("X-Content-Type-Options", "nosniff");
  // A request whose body we did not read to the end cannot leave its connection reusable.
  const bool mayHaveBody = request_.getMethod() != "GET" && request_.getMethod() != "HEAD";
  if (!bodyConsumed && mayHaveBody && (!request_.hasContentLength() || request_.getContentLength64() > 0)) {
    response_.setKeepAlive(false);
  }
  std::ostream& out = response_.send();
  out.write(body.data(), static_cast<std::streamsize>(body.size()));
}

void Exchange::sendError(int status, const std::string& code, const std::string& message) {
  Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
  error->set("code", code);
  error->set("message", message);
  Poco::JSON::Object body;
  body.set("error", error);
  if (status == 401) response_.set("WWW-Authenticate", "Bearer");
  sendJson(status, body);
}

}  // namespace kyso::api::detail
