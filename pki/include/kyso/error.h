// The project's error vocabulary. Every failure that crosses a library boundary is one of these,
// grouped by what the caller can do about it; the HTTP layer maps the kind to a status and sends
// the stable code and (for all but internal errors) the message to the client.
#pragma once

#include <stdexcept>
#include <string>

namespace kyso {

enum class ErrorKind {
  InvalidRequest,        // 400: the request itself is malformed (bad parameter, bad JSON)
  Unauthenticated,       // 401: no or unknown credentials
  Forbidden,             // 403: credentials known, not allowed
  NotFound,              // 404
  MethodNotAllowed,      // 405
  Conflict,              // 409: state does not allow it (already done, replayed)
  Gone,                  // 410: existed, but no longer usable (an expired signing session)
  LengthRequired,        // 411: a body without Content-Length or chunked encoding
  PayloadTooLarge,       // 413
  UnsupportedMediaType,  // 415
  UnprocessableContent,  // 422: the document is well delivered but cannot be processed
  TooManyRequests,       // 429
  Unavailable,           // 503: an upstream (TSA, partner CA, database) failed; try later
  Internal,              // 500: our defect or an unexpected failure; details only in the log
};

class Error : public std::runtime_error {
 public:
  // `message` may reach the client (except for Internal errors); `detail` (driver messages, host
  // names, OpenSSL queues) only the log.
  Error(ErrorKind kind, std::string code, const std::string& message, std::string detail = {})
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), detail_(std::move(detail)) {}

  ErrorKind kind() const noexcept { return kind_; }
  // Stable, machine-readable code ("pdf_encrypted"); documented in docs/errors.md.
  const std::string& code() const noexcept { return code_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string detail_;
};

// The caller sent something we cannot use; fixing the input fixes the error.
class InputError : public Error {
 public:
  InputError(std::string code, const std::string& message, ErrorKind kind = ErrorKind::InvalidRequest)
      : Error(kind, std::move(code), message) {}
};

// The document (PDF, XML) was received but cannot be processed as asked.
class DocumentError : public InputError {
 public:
  DocumentError(std::string code, const std::string& message)
      : InputError(std::move(code), message, ErrorKind::UnprocessableContent) {}
};

class AccessError : public Error {
 public:
  AccessError(ErrorKind kind, std::string code, const std::string& message) : Error(kind, std::move(code), message) {}
};

class NotFoundError : public Error {
 public:
  NotFoundError(std::string code, const std::string& message) : Error(ErrorKind::NotFound, std::move(code), message) {}
};

class ConflictError : public Error {
 public:
  ConflictError(std::string code, const std::string& message) : Error(ErrorKind::Conflict, std::move(code), message) {}
};

// The thing asked for existed but can no longer be used (an expired signing session).
class GoneError : public Error {
 public:
  GoneError(std::string code, const std::string& message) : Error(ErrorKind::Gone, std::move(code), message) {}
};

// Something we depend on (time-stamping authority, partner CA, database) failed; retrying
// later may succeed.
class UnavailableError : public Error {
 public:
  UnavailableError(std::string code, const std::string& message, std::string detail = {})
      : Error(ErrorKind::Unavailable, std::move(code), message, std::move(detail)) {}
};

// A defect or an unexpected failure. The message is for the log, never for the client.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message, std::string code = "internal")
      : Error(ErrorKind::Internal, std::move(code), message) {}
};

}  // namespace kyso
