#include "kyso/signer/pdf_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "kyso/error.h"
#include "kyso/pki/digest.h"

namespace kyso::signer {

namespace {
constexpr std::size_t kChunk = 1u << 20;

[[noreturn]] void ioFailure(const std::string& what) {
  throw InternalError(what + ": " + std::strerror(errno), "io_failure");
}
}  // namespace

PdfInput PdfInput::fromFile(const std::filesystem::path& path, std::uint64_t maxBytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw InputError("file_not_found", "cannot read " + path.string() + ": " + ec.message());
  if (size > maxBytes) {
    throw InputError("document_too_large",
                     "document of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(maxBytes),
                     ErrorKind::PayloadTooLarge);
  }
  PdfInput input;
  input.path_ = path;
  input.size_ = size;
  return input;
}

PdfInput PdfInput::fromMemory(std::string_view bytes) {
  PdfInput input;
  input.memory_ = bytes;
  input.size_ = bytes.size();
  return input;
}

std::string PdfInput::read(std::uint64_t offset, std::size_t length) const {
  if (offset >= size_) return {};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
  if (!isFile()) return std::string(memory_.substr(static_cast<std::size_t>(offset), n));
  std::ifstream in(path_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string out(n, '\0');
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

void PdfInput::forEachChunk(const std::function<void(std::string_view)>& consume) const {
  if (!isFile()) {
    for (std::size_t at = 0; at < memory_.size(); at += kChunk) consume(memory_.substr(at, kChunk));
    return;
  }
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) ioFailure("cannot open " + path_.string());
  std::vector<char> buffer(kChunk);
  std::uint64_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ioFailure("cannot read " + path_.string());
    }
    if (n == 0) break;
    total += static_cast<std::uint64_t>(n);
    if (total > size_) break;  // grew while we read: handled below
    consume(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  if (total != size_) {
    throw InputError("document_changed", "the input file changed while it was being signed");
  }
}

void MemoryPdfOutput::overwrite(std::uint64_t offset, std::string_view bytes) {
  if (offset + bytes.size() > bytes_.size()) throw InternalError("overwrite beyond the end of the output");
  bytes_.replace(static_cast<std::size_t>(offset), bytes.size(), bytes);
}

std::string MemoryPdfOutput::sha256Hex() const { return toHex(pki::sha256(asBytes(bytes_))); }

FilePdfOutput::FilePdfOutput(std::filesystem::path target) : target_(std::move(target)) {
  std::random_device random;
  temp_ = target_;
  temp_ += ".kyso-" + std::to_string(::getpid()) + "-" + std::to_string(random()) + ".part";
  fd_ = ::open(temp_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) ioFailure("cannot create " + temp_.string());
}

FilePdfOutput::~FilePdfOutput() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
}

void FilePdfOutput::write(std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ioFailure("cannot write " + temp_.string());
    done += static_cast<std::size_t>(n);
  }
  size_ += bytes.size();
}

void FilePdfOutput::overwrite(std::uint64_t offset, std::string_view bytes) {
  if (offset + bytes.size() > size_) throw InternalError("overwrite beyond the end of the output");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ioFailure("cannot write " + temp_.string());
    done += static_cast<std::size_t>(n);
  }
}

std::string FilePdfOutput::sha256Hex() const {
  pki::DigestCalculator digest(pki::DigestAlgorithm::Sha256);
  std::vector<char> buffer(kChunk);
  std::uint64_t at = 0;
  while (at < size_) {
    const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ioFailure("cannot read back " + temp_.string());
    digest.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    at += static_cast<std::uint64_t>(n);
  }
  return toHex(digest.finish());
}

void FilePdfOutput::reset() {
  if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) ioFailure("cannot truncate " + temp_.string());
  size_ = 0;
}

void FilePdfOutput::commit() {
  if (::fsync(fd_) != 0) ioFailure("cannot flush " + temp_.string());
  if (::close(fd_) != 0) {
    fd_ = -1;
    ioFailure("cannot close " + temp_.string());
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), target_.c_str()) != 0) ioFailure("cannot rename to " + target_.string());
  committed_ = true;
}

}  // namespace kyso::signer
