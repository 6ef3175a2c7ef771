#include "notspot/engine/cancellation.hpp"

#include <atomic>

namespace notspot::engine {
namespace {
std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free);
}  // namespace

void request_cancellation(int signal) noexcept {
  int none = 0;
  requested.compare_exchange_strong(none, signal == 0 ? -1 : signal);
}

int cancellation_signal() noexcept {
  return requested.load(std::memory_order_relaxed);
}

void throw_if_cancelled() {
  const int signal = requested.load(std::memory_order_relaxed);
  if (signal != 0) throw Cancelled(signal);
}

}  // namespace notspot::engine
