// Where a document comes from and where the signed one goes. Inputs are read, never modified: an
// incremental update only appends. Outputs can patch bytes already written (the signature value is
// embedded after the digest over everything else is known).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kyso::signer {

class PdfInput {
 public:
  // Opens the file for random access with pread(2): parsing reads only the cross-reference data
  // and the few objects a signature changes, and forEachChunk streams the bulk once, so a large
  // document never has to be resident. Refuses files over `maxBytes` (413 "document_too_large").
  // A file that changes while it is signed is detected ("document_changed").
  static PdfInput fromFile(const std::filesystem::path& path, std::uint64_t maxBytes);
  // A view: the bytes must outlive the PdfInput and everything built from it.
  static PdfInput fromMemory(std::string_view bytes);

  std::uint64_t size() const { return size_; }
  // The first `length` bytes (an earlier revision of an incrementally updated PDF), sharing the
  // file or the memory.
  PdfInput prefix(std::uint64_t length) const;
  // Copies up to `length` bytes from `offset` into `out`; returns how many (fewer at the end).
  std::size_t readAt(std::uint64_t offset, std::size_t length, char* out) const;
  std::string read(std::uint64_t offset, std::size_t length) const;
  // The whole document when it is in memory (empty for files): lets parsers avoid copies.
  std::string_view memory() const { return memory_; }
  // Calls `consume` with consecutive pieces of the whole input, in order; then requireUnchanged().
  void forEachChunk(const std::function<void(std::string_view)>& consume) const;
  // Throws InputError("document_changed") when the file's size or modification time is no longer
  // what it was when opened (nothing to check for memory).
  void requireUnchanged() const;

 private:
  friend class FilePdfOutput;  // copies from the file in the kernel
  PdfInput() = default;
  struct OpenFile;
  std::shared_ptr<const OpenFile> file_;
  std::string_view memory_;
  std::uint64_t size_ = 0;
};

class PdfOutput {
 public:
  virtual ~PdfOutput() = default;
  virtual void write(std::string_view bytes) = 0;
  // Writes the whole of `input` (safe to run on another thread than the one reading `input`).
  virtual void append(const PdfInput& input) {
    input.forEachChunk([this](std::string_view chunk) { write(chunk); });
  }
  // Replaces bytes already written at `offset` (the signature placeholder).
  virtual void overwrite(std::uint64_t offset, std::string_view bytes) = 0;
  // Throws away everything written so far (to retry with a larger placeholder).
  virtual void reset() = 0;
  virtual std::uint64_t size() const = 0;
  // SHA-256 of everything written (after any overwrite).
  virtual std::string sha256Hex() const = 0;
};

class MemoryPdfOutput final : public PdfOutput {
 public:
  void write(std::string_view bytes) override { bytes_.append(bytes); }
  void overwrite(std::uint64_t offset, std::string_view bytes) override;
  void reset() override { bytes_.clear(); }
  std::uint64_t size() const override { return bytes_.size(); }
  std::string sha256Hex() const override;

  const std::string& bytes() const { return bytes_; }
  std::string take() { return std::move(bytes_); }
  void reserve(std::size_t n) { bytes_.reserve(n); }

 private:
  std::string bytes_;
};

// Writes to a temporary file beside `target`; commit() makes it durable and renames it into
// place, so a failed or interrupted signing never leaves a half-written file at the target.
// Written bytes are handed to the disk as they accumulate (a megabyte at a time), so that most of
// a large file is on disk by the time commit() waits for it.
class FilePdfOutput final : public PdfOutput {
 public:
  explicit FilePdfOutput(std::filesystem::path target);
  ~FilePdfOutput() override;
  FilePdfOutput(const FilePdfOutput&) = delete;
  FilePdfOutput& operator=(const FilePdfOutput&) = delete;

  void write(std::string_view bytes) override;
  // From a file input: copy_file_range(2), page cache to page cache without passing through user
  // space (read and write where the kernel cannot).
  void append(const PdfInput& input) override;
  void overwrite(std::uint64_t offset, std::string_view bytes) override;
  void reset() override;
  std::uint64_t size() const override { return size_; }
  std::string sha256Hex() const override;
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::uint64_t handedToDisk_ = 0;  // bytes [0, handedToDisk_) have had their write-back started
  bool committed_ = false;

  void wrote(std::uint64_t bytes);  // counts them and starts write-back every megabyte
};

}  // namespace kyso::signer
