#include "notspot/cli/terminal_progress.hpp"

#include <fmt/format.h>

#include "terminal_text.hpp"

namespace notspot::cli {

void TerminalProgress::stage(std::string_view name) {
  std::lock_guard lock(mutex_);
  stage_ = name;
  draw(stage_ + "...");
}

void TerminalProgress::advance(std::uint64_t done, std::uint64_t total) {
  std::lock_guard lock(mutex_);
  // Redrawing more often than 10 times a second only costs time.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
  last_draw_ = now;
  const double pct =
      total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
  draw(fmt::format("{}... {:3.0f}%", stage_, pct));
}

void TerminalProgress::finish() {
  std::lock_guard lock(mutex_);
  if (!drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

void TerminalProgress::draw(const std::string& text) {
  // Only the line's own control sequence is sent raw; the text is escaped.
  std::fputs("\r\033[K", out_);
  print_text(out_, terminal_text(text, Newlines::kEscape));
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace notspot::cli
