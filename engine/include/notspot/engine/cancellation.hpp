#pragma once

#include <exception>

namespace notspot::engine {

/**
 * Cooperative cancellation of a run, for SIGINT and SIGTERM: the command line's signal thread
 * calls request_cancellation(); long loops (premises reading, hashing, stage boundaries) call
 * throw_if_cancelled(), so that the run unwinds normally (the staging folder is removed, the
 * lock released) and nothing is published. Process-wide; safe from any thread.
 */
class Cancelled : public std::exception {
 public:
  explicit Cancelled(int signal) : signal_(signal) {}
  const char* what() const noexcept override { return "the run was interrupted"; }
  /// The signal that asked for it (SIGINT, SIGTERM), 0 when none.
  int signal() const noexcept { return signal_; }

 private:
  int signal_;
};

/// Asks the running work to stop; `signal` is remembered for the exit code. Async-signal-safe.
void request_cancellation(int signal) noexcept;
/// The signal given to request_cancellation(), 0 when none was.
int cancellation_signal() noexcept;
/// @throws Cancelled when cancellation was requested.
void throw_if_cancelled();

}  // namespace notspot::engine
