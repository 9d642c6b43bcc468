// A shared fcntl lock on a map file for as long as it is read: Postfix's
// readers hold one for each lookup, so exact's do too, to be safe even on
// maps that postmap updates in place.
// Thread safety: not shared; one reader owns it.
#ifndef EXACT_SRC_PUBLISH_SHARED_LOCK_H_
#define EXACT_SRC_PUBLISH_SHARED_LOCK_H_

#include <fcntl.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/base/files.h"

namespace exact::publish {

class SharedLock {
 public:
  // Opens `file` and waits for a shared lock on it.
  absl::Status Acquire(const std::string& file) {
    fd_.Reset(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_.valid()) return base::ErrnoStatus(errno, absl::StrCat("open ", file));
    struct flock fl;
    std::memset(&fl, 0, sizeof fl);
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd_.get(), F_SETLKW, &fl) != 0) {
      if (errno != EINTR) return base::ErrnoStatus(errno, absl::StrCat("lock ", file));
    }
    return absl::OkStatus();
  }

 private:
  base::UniqueFd fd_;
};

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_SHARED_LOCK_H_
