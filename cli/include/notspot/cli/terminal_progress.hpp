#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "notspot/io/progress.hpp"

namespace notspot::cli {

/**
 * Shows the current step and its percentage on one self-rewriting line of a terminal. Used only
 * when stderr is a terminal, so that logs of batch jobs stay clean.
 */
class TerminalProgress : public io::Progress {
 public:
  explicit TerminalProgress(std::FILE* out) : out_(out) {}
  ~TerminalProgress() override { finish(); }

  void stage(std::string_view name) override;
  void advance(std::uint64_t done, std::uint64_t total) override;
  /// Clears the progress line.
  void finish();

 private:
  void draw(const std::string& text);

  std::FILE* out_;
  std::mutex mutex_;
  std::string stage_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace notspot::cli
