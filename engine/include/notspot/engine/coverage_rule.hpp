#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::engine {

/**
 * When a raster cell's value means "covered": a comparison with a number (`>= -105` for a
 * signal in dBm, `== 1` for a 0/1 layer) or membership of a list of classes (`in [2, 3, 4]`).
 *
 * Typical usage:
 * @code
 *   const CoverageRule rule = *CoverageRule::parse(">= -105");
 *   bool covered = rule.covered(-98.0);  // true
 * @endcode
 */
class CoverageRule {
 public:
  enum class Op { kGreaterEqual, kGreater, kLessEqual, kLess, kEqual, kNotEqual, kIn };

  CoverageRule() = default;
  CoverageRule(Op op, std::vector<double> values) : op_(op), values_(std::move(values)) {}

  /// Parses `>= N`, `> N`, `<= N`, `< N`, `== N`, `!= N` or `in [A, B, ...]` (spaces optional).
  /// nullopt when the text is none of these.
  static std::optional<CoverageRule> parse(std::string_view text);

  bool covered(double value) const {
    const double v0 = values_.empty() ? 0.0 : values_[0];
    switch (op_) {
      case Op::kGreaterEqual:
        return value >= v0;
      case Op::kGreater:
        return value > v0;
      case Op::kLessEqual:
        return value <= v0;
      case Op::kLess:
        return value < v0;
      case Op::kEqual:
        return value == v0;
      case Op::kNotEqual:
        return value != v0;
      case Op::kIn:
        for (double v : values_)
          if (value == v) return true;
        return false;
    }
    return false;
  }

  /// The rule as text, e.g. ">= -105" or "in [2, 3]".
  std::string describe() const;

 private:
  Op op_ = Op::kGreaterEqual;
  std::vector<double> values_ = {1.0};
};

}  // namespace notspot::engine
