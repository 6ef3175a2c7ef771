#pragma once

#include <cstdint>
#include <string_view>

namespace notspot::io {

/**
 * Receives progress from long steps. The default does nothing; the command line shows a
 * progress line on a terminal. Methods may be called from several threads at once, so
 * implementations must be thread-safe and cheap.
 */
class Progress {
 public:
  virtual ~Progress() = default;
  /// A new step starts, e.g. "Reading premises".
  virtual void stage(std::string_view /*name*/) {}
  /// `done` of `total` units of the current step are finished.
  virtual void advance(std::uint64_t /*done*/, std::uint64_t /*total*/) {}
};

}  // namespace notspot::io
