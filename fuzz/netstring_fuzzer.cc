// Fuzzes the socketmap's netstring reader as the server drives it: take
// netstrings from the front until it needs more or refuses. A payload is
// never over the limit, lies inside the input, and reads back the same when
// encoded again; a refusal is final whatever follows.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_target.h"
#include "src/publish/netstring.h"

using exact::publish::Netstring;
using exact::publish::NetstringRead;
using exact::publish::ReadNetstring;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A small limit too, so the fuzzer reaches kTooLong with short inputs.
  for (size_t limit : {size_t{16}, exact::publish::kMaxNetstringPayload}) {
    absl::string_view in(reinterpret_cast<const char*>(data), size);
    for (;;) {
      NetstringRead r = ReadNetstring(in, limit);
      if (r.result != NetstringRead::kPayload) {
        if (r.result != NetstringRead::kNeedMore) {
          // Refused: more input must not change the verdict.
          std::string more(in);
          more += "0:,";
          if (ReadNetstring(more, limit).result != r.result) std::abort();
        }
        break;
      }
      if (r.payload.size() > limit || r.consumed > in.size() || r.consumed < r.payload.size() + 3) {
        std::abort();
      }
      if (r.payload.data() < in.data() ||
          r.payload.data() + r.payload.size() > in.data() + in.size()) {
        std::abort();
      }
      std::string again = Netstring(r.payload);
      NetstringRead back = ReadNetstring(again, limit);
      if (back.result != NetstringRead::kPayload || back.payload != r.payload ||
          back.consumed != again.size()) {
        std::abort();
      }
      in.remove_prefix(r.consumed);
    }
  }
  return 0;
}
