#include "notspot/cli/signal_cancellation.hpp"

#include <pthread.h>
#include <signal.h>

#include <ctime>

#include "notspot/engine/cancellation.hpp"

namespace notspot::cli {
namespace {

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalCancellation::SignalCancellation() {
  const sigset_t set = handled_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this] {
    const sigset_t signals = handled_signals();
    const timespec tick{0, 100'000'000};  // 0.1 s: how soon the destructor's stop is seen
    while (!stop_.load()) {
      const int signal = sigtimedwait(&signals, nullptr, &tick);
      if (signal <= 0) continue;
      if (engine::cancellation_signal() != 0) {
        // A second signal: the user insists. Die of it, as without this handler.
        ::signal(signal, SIG_DFL);
        pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
        ::raise(signal);
      }
      engine::request_cancellation(signal);
    }
  });
}

SignalCancellation::~SignalCancellation() {
  stop_.store(true);
  waiter_.join();
  // The signals stay blocked: the process is about to exit with the code the run earned.
}

}  // namespace notspot::cli
