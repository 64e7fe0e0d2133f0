#include "kyso/signer/pdf_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <vector>

#include "kyso/error.h"
#include "kyso/pki/digest.h"

namespace kyso::signer {

namespace {
constexpr std::size_t kChunk = 1u << 20;  // write-back is started every kChunk bytes written
// Reads go through a buffer this big: large enough that syscalls do not matter, small enough to
// keep a signing process's peak memory near its baseline (the whole file is never resident).
constexpr std::size_t kReadChunk = 256u << 10;

[[noreturn]] void ioFailure(const std::string& what) {
  throw InternalError(what + ": " + std::strerror(errno), "io_failure");
}
}  // namespace

struct PdfInput::OpenFile {
  int fd = -1;
  struct stat identity {};
  std::filesystem::path path;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

PdfInput PdfInput::fromFile(const std::filesystem::path& path, std::uint64_t maxBytes) {
  auto file = std::make_shared<OpenFile>();
  file->path = path;
  file->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (file->fd < 0) throw InputError("file_not_found", "cannot read " + path.string() + ": " + std::strerror(errno));
  if (::fstat(file->fd, &file->identity) != 0 || !S_ISREG(file->identity.st_mode)) {
    throw InputError("file_not_found", "not a regular file: " + path.string());
  }
  const auto size = static_cast<std::uint64_t>(file->identity.st_size);
  if (size > maxBytes) {
    throw InputError("document_too_large",
                     "document of " + std::to_string(size) + " bytes exceeds the limit of " + std::to_string(maxBytes),
                     ErrorKind::PayloadTooLarge);
  }
  PdfInput input;
  input.file_ = std::move(file);
  input.size_ = size;
  return input;
}

PdfInput PdfInput::fromMemory(std::string_view bytes) {
  PdfInput input;
  input.memory_ = bytes;
  input.size_ = bytes.size();
  return input;
}

PdfInput PdfInput::prefix(std::uint64_t length) const {
  PdfInput out = *this;
  out.size_ = std::min(length, size_);
  if (!file_) out.memory_ = memory_.substr(0, static_cast<std::size_t>(out.size_));
  return out;
}

std::size_t PdfInput::readAt(std::uint64_t offset, std::size_t length, char* out) const {
  if (offset >= size_) return 0;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
  if (!file_) {
    std::memcpy(out, memory_.data() + offset, n);
    return n;
  }
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(file_->fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) ioFailure("cannot read " + file_->path.string());
    if (r == 0) throw InputError("document_changed", "the input file shrank while it was being signed");
    done += static_cast<std::size_t>(r);
  }
  return n;
}

std::string PdfInput::read(std::uint64_t offset, std::size_t length) const {
  if (offset >= size_) return {};
  std::string out(static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset)), '\0');
  out.resize(readAt(offset, out.size(), out.data()));
  return out;
}

void PdfInput::forEachChunk(const std::function<void(std::string_view)>& consume) const {
  if (!file_) {
    for (std::size_t at = 0; at < memory_.size(); at += kChunk) consume(memory_.substr(at, kChunk));
    return;
  }
  std::vector<char> buffer(kReadChunk);
  for (std::uint64_t at = 0; at < size_;) {
    const std::size_t n = readAt(at, buffer.size(), buffer.data());
    consume(std::string_view(buffer.data(), n));
    at += n;
  }
  requireUnchanged();
}

void PdfInput::requireUnchanged() const {
  if (!file_) return;
  struct stat now {};
  if (::fstat(file_->fd, &now) != 0 || now.st_size != file_->identity.st_size ||
      now.st_mtim.tv_sec != file_->identity.st_mtim.tv_sec || now.st_mtim.tv_nsec != file_->identity.st_mtim.tv_nsec) {
    throw InputError("document_changed", "the input file changed while it was being signed");
  }
}

void MemoryPdfOutput::overwrite(std::uint64_t offset, std::string_view bytes) {
  if (offset + bytes.size() > bytes_.size()) throw InternalError("overwrite beyond the end of the output");
  bytes_.replace(static_cast<std::size_t>(offset), bytes.size(), bytes);
}

std::string MemoryPdfOutput::sha256Hex() const {
  return toHex(pki::sha256(asBytes(bytes_)));
}

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
  wrote(bytes.size());
}

void FilePdfOutput::append(const PdfInput& input) {
  if (!input.file_) {
    PdfOutput::append(input);
    return;
  }
  auto from = static_cast<off_t>(0);
  const auto total = static_cast<off_t>(input.size());
  while (from < total) {
    const std::size_t piece = static_cast<std::size_t>(std::min<off_t>(total - from, static_cast<off_t>(kChunk)));
    const ssize_t n = ::copy_file_range(input.file_->fd, &from, fd_, nullptr, piece, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) && from == 0) {
      PdfOutput::append(input);  // a file system (or kernel) that cannot: read and write
      return;
    }
    if (n < 0) ioFailure("cannot copy " + input.file_->path.string() + " to " + temp_.string());
    if (n == 0) throw InputError("document_changed", "the input file shrank while it was being signed");
    wrote(static_cast<std::uint64_t>(n));
  }
  input.requireUnchanged();
}

void FilePdfOutput::wrote(std::uint64_t bytes) {
  size_ += bytes;
  if (size_ - handedToDisk_ >= kChunk) {
    // Start write-back now (it does not wait for it); commit()'s fsync then has little left to do.
    // Only a hint: a failure shows again, and is reported, in fsync.
    (void)::sync_file_range(fd_, static_cast<off_t>(handedToDisk_), static_cast<off_t>(size_ - handedToDisk_),
                            SYNC_FILE_RANGE_WRITE);
    handedToDisk_ = size_;
  }
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
  // The signature value is the last write before commit(): hand everything still dirty to the
  // disk now, so that it is written while the audit entry is committed (a hint, as in wrote()).
  (void)::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);
  handedToDisk_ = size_;
}

std::string FilePdfOutput::sha256Hex() const {
  pki::DigestCalculator digest(pki::DigestAlgorithm::Sha256);
  std::vector<char> buffer(kReadChunk);
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
  handedToDisk_ = 0;
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
  // The rename is durable only once the directory is: without this a crash could bring back the
  // old target (or none) after kyso reported the signed file written.
  const std::filesystem::path parent = target_.parent_path().empty() ? "." : target_.parent_path();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) ioFailure("cannot open " + parent.string());
  const int synced = ::fsync(dir);
  ::close(dir);
  if (synced != 0) ioFailure("cannot flush " + parent.string());
}

}  // namespace kyso::signer
