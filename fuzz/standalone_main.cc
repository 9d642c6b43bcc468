// Replays every file under the directories (or files) given on the command
// line through LLVMFuzzerTestOneInput, for compilers without libFuzzer.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz/fuzz_target.h"

namespace {

int RunFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string data = buf.str();
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  return 1;
}

int RunPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) return RunFile(path);
  int n = 0;
  DIR* dir = ::opendir(path.c_str());
  while (struct dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    int r = RunPath(path + "/" + e->d_name);
    if (r < 0) return r;
    n += r;
  }
  ::closedir(dir);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  int total = 0;
  for (int i = 1; i < argc; ++i) {
    int n = RunPath(argv[i]);
    if (n < 0) return 1;
    total += n;
  }
  std::printf("replayed %d input(s)\n", total);
  return total > 0 ? 0 : 1;  // An empty corpus is a broken test, not a pass.
}
