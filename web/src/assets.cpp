#include "kyso/web/assets.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "embedded_files.h"

namespace kyso::web {

namespace {

const std::vector<Asset>& table() {
  static const std::vector<Asset> all = [] {
    std::vector<Asset> out;
    for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
      const detail::EmbeddedFile& f = detail::kEmbeddedFiles[i];
      out.push_back({f.name, f.servedName, f.contentType, f.etag, f.body, f.contentHashed});
    }
    return out;
  }();
  return all;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::span<const Asset> assets() {
  return table();
}

const Asset& verifyPage() {
  static const Asset& page = []() -> const Asset& {
    for (const Asset& a : table()) {
      if (a.name == "verify.html") return a;
    }
    // The build embeds web/static/verify.html; without it the library is broken, not the input.
    throw std::logic_error("verify.html is not embedded");
  }();
  return page;
}

std::string_view assetPathPrefix() {
  return detail::kAssetPrefix;
}

const Asset* assetByServedName(std::string_view servedName) {
  const auto& all = table();
  const auto it = std::find_if(all.begin(), all.end(),
                               [&](const Asset& a) { return a.contentHashed && a.servedName == servedName; });
  return it == all.end() ? nullptr : &*it;
}

std::string_view pageSecurityPolicy() {
  return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
         "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";
}

std::string_view cacheControl(const Asset& asset) {
  return asset.contentHashed ? "public, max-age=31536000, immutable" : "no-cache";
}

bool ifNoneMatchMatches(std::string_view headerValue, std::string_view etag) {
  const std::string_view value = trimmed(headerValue);
  if (value == "*") return true;
  // Weak comparison: W/"x" matches "x". Entity tags hold no commas (RFC 9110 §8.8.3: etagc).
  std::size_t start = 0;
  while (start <= value.size()) {
    const std::size_t end = std::min(value.find(',', start), value.size());
    std::string_view tag = trimmed(value.substr(start, end - start));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace kyso::web
