// Runs a libFuzzer target over files without libFuzzer: every argument is a file or a folder of
// files, each handed once to LLVMFuzzerTestOneInput. The ordinary (gcc) build uses it to replay the
// seed corpus and the regression files of crashes fuzzing found; a crash or sanitizer report fails
// the test that runs it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::filesystem::path path(argv[i]);
      if (std::filesystem::is_directory(path)) {
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
          if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
          replay(file);
          ++count;
        }
      } else if (std::filesystem::exists(path)) {
        replay(path);
        ++count;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "replay: " << e.what() << "\n";
    return 1;
  }
  std::cout << "replayed " << count << " inputs\n";
  // A corpus that vanished would make the test pass vacuously.
  return count == 0 ? 1 : 0;
}
