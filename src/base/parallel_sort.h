// Sorts on whatever cores are idle (oneTBB), for the million-entry sorts of
// a publish. Under ThreadSanitizer it sorts serially: Debian's libtbb is
// not instrumented, so TSan cannot see TBB's own synchronization and would
// report its work-stealing as races in every test that publishes.
// Thread safety: as std::sort; the range must not be shared.
#ifndef EXACT_SRC_BASE_PARALLEL_SORT_H_
#define EXACT_SRC_BASE_PARALLEL_SORT_H_

#include <algorithm>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define EXACT_SERIAL_SORT 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define EXACT_SERIAL_SORT 1
#endif

#ifndef EXACT_SERIAL_SORT
#include <oneapi/tbb/parallel_sort.h>
#endif

namespace exact::base {

template <typename Iterator, typename Compare>
void ParallelSort(Iterator begin, Iterator end, const Compare& compare) {
#ifdef EXACT_SERIAL_SORT
  std::sort(begin, end, compare);
#else
  tbb::parallel_sort(begin, end, compare);
#endif
}

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_PARALLEL_SORT_H_
