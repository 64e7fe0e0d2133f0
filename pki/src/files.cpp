#include "kyso/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "kyso/error.h"

namespace kyso {

std::string readFile(const std::filesystem::path& path, std::size_t maxBytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError("file_unreadable", "cannot open " + path.string());
  const auto end = in.tellg();
  if (end < 0) throw InputError("file_unreadable", "cannot size " + path.string());
  const auto size = static_cast<std::size_t>(end);
  if (size > maxBytes) {
    throw InputError("file_too_large",
                     path.filename().string() + " is larger than " + std::to_string(maxBytes) + " bytes",
                     ErrorKind::PayloadTooLarge);
  }
  std::string data(size, '\0');
  in.seekg(0);
  if (!in.read(data.data(), static_cast<std::streamsize>(size))) {
    throw InputError("file_unreadable", "cannot read " + path.string());
  }
  return data;
}

void writeFileAtomic(const std::filesystem::path& path, std::string_view data, unsigned mode) {
  std::random_device random;
  const auto tmp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) throw InternalError("cannot create " + tmp + ": " + std::strerror(errno), "file_unwritable");
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw InternalError("cannot write " + tmp + ": " + reason, "file_unwritable");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw InternalError("cannot flush " + tmp, "file_unwritable");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw InternalError("cannot rename " + tmp + ": " + reason, "file_unwritable");
  }
}

}  // namespace kyso
