#include "notspot/engine/coverage_rule.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace notspot::engine {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<double> number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || error != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

// The shortest text that reads back as the same double, so that the manifest states exactly
// the rule that was applied.
std::string format(double v) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return error == std::errc() ? std::string(buffer, end) : std::string("?");
}

}  // namespace

std::optional<CoverageRule> CoverageRule::parse(std::string_view text) {
  text = trim(text);
  if (text.substr(0, 2) == "in") {
    std::string_view rest = trim(text.substr(2));
    if (rest.size() < 2 || rest.front() != '[' || rest.back() != ']') return std::nullopt;
    rest = rest.substr(1, rest.size() - 2);
    std::vector<double> values;
    while (!trim(rest).empty()) {
      const std::size_t comma = rest.find(',');
      const auto v = number(rest.substr(0, comma));
      if (!v) return std::nullopt;
      values.push_back(*v);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (values.empty()) return std::nullopt;
    return CoverageRule(Op::kIn, std::move(values));
  }
  static constexpr std::pair<std::string_view, Op> kOps[] = {
      {">=", Op::kGreaterEqual}, {"<=", Op::kLessEqual}, {"==", Op::kEqual},
      {"!=", Op::kNotEqual},     {">", Op::kGreater},    {"<", Op::kLess}};
  for (const auto& [symbol, op] : kOps) {
    if (text.substr(0, symbol.size()) != symbol) continue;
    const auto v = number(text.substr(symbol.size()));
    if (!v) return std::nullopt;
    return CoverageRule(op, {*v});
  }
  return std::nullopt;
}

std::string CoverageRule::describe() const {
  switch (op_) {
    case Op::kGreaterEqual:
      return ">= " + format(values_[0]);
    case Op::kGreater:
      return "> " + format(values_[0]);
    case Op::kLessEqual:
      return "<= " + format(values_[0]);
    case Op::kLess:
      return "< " + format(values_[0]);
    case Op::kEqual:
      return "== " + format(values_[0]);
    case Op::kNotEqual:
      return "!= " + format(values_[0]);
    case Op::kIn: {
      std::string out = "in [";
      for (std::size_t i = 0; i < values_.size(); ++i) out += (i ? ", " : "") + format(values_[i]);
      return out + "]";
    }
  }
  return "";
}

}  // namespace notspot::engine
