// The table web/cmake/EmbedWebAssets.cmake generates from web/static at build time.
#pragma once

#include <cstddef>
#include <string_view>

namespace kyso::web::detail {

struct EmbeddedFile {
  std::string_view name;         // as in web/static
  std::string_view servedName;   // content-hashed for assets, the name itself for pages
  std::string_view contentType;  // with charset for text
  std::string_view etag;         // quoted: "\"<32 hex of the SHA-256>\""
  std::string_view body;
  bool contentHashed;
};

extern const std::string_view kAssetPrefix;
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

}  // namespace kyso::web::detail
