#pragma once

// Settings the benchmark binaries take from the environment (Google Benchmark owns the command
// line): smoke mode, and sizes.

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace notspot::bench {

/**
 * Smoke mode: every benchmark binary runs once at a tiny size, so that CI (`ctest -L
 * benchmark-smoke`) notices when a binary stops building, crashes, or fails its sanity check.
 * Nothing measured in smoke mode means anything.
 *
 * On when environment variable NOTSPOT_BENCH_SMOKE is set to anything but "" or "0".
 */
inline bool smoke_mode() {
  static const bool on = [] {
    const char* value = std::getenv("NOTSPOT_BENCH_SMOKE");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return on;
}

/// At most this many points (premises) per dataset in smoke mode.
inline constexpr std::size_t kSmokePoints = 20'000;
/// About this many areas in a synthetic dataset in smoke mode.
inline constexpr int kSmokeAreas = 200;

/**
 * A count from environment variable `name`, or `fallback` when it is unset or empty.
 * @throws std::invalid_argument when the value is not a positive integer.
 */
inline std::size_t count_from_env(const char* name, std::size_t fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  const std::string_view text(value);
  std::size_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc{} || end != text.data() + text.size() || n == 0) {
    throw std::invalid_argument(std::string(name) + "=" + value +
                                ": expected a positive whole number");
  }
  return n;
}

/// The value of environment variable `name`, or "" when it is unset.
inline std::string string_from_env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

}  // namespace notspot::bench
