// Small, careful file helpers: whole-file reads with a size cap, and writes that either land
// completely (temp file + fsync + rename) or not at all.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kyso {

// Throws InputError("file_unreadable") when the file cannot be read and
// InputError("file_too_large") when it exceeds `maxBytes`.
std::string readFile(const std::filesystem::path& path, std::size_t maxBytes = 64u << 20);

// Writes `data` to `path` atomically with permissions `mode` (e.g. 0600 for keys).
void writeFileAtomic(const std::filesystem::path& path, std::string_view data, unsigned mode = 0644);

}  // namespace kyso
