#pragma once

#include <atomic>
#include <thread>

namespace notspot::cli {

/**
 * Turns SIGINT and SIGTERM into engine::request_cancellation() for as long as it lives: the
 * constructor blocks both signals in the calling thread (so every thread started afterwards,
 * TBB's included, inherits the mask) and starts a thread that waits for them with sigtimedwait.
 * The run then unwinds normally at its next check (engine::throw_if_cancelled()): the staging
 * folder is removed, the lock released and nothing is published. A second signal ends the
 * process at once, as if notspot did not handle signals (the next run removes what it left).
 *
 * Construct it before any other thread is started.
 */
class SignalCancellation {
 public:
  SignalCancellation();
  ~SignalCancellation();
  SignalCancellation(const SignalCancellation&) = delete;
  SignalCancellation& operator=(const SignalCancellation&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread waiter_;
};

}  // namespace notspot::cli
