#include "notspot/outputs/data_dates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace notspot::outputs {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// The digits of s[from, from + n) as a number; -1 unless all are digits.
int digits(std::string_view s, std::size_t from, std::size_t n) {
  int v = 0;
  for (std::size_t i = from; i < from + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int days_in_month(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

// Year, month (0: none) and day (0: none) of a valid as_at.
struct Parts {
  int year = 0, month = 0, day = 0;
};

std::optional<Parts> parse(std::string_view s) {
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return std::nullopt;
  Parts p;
  p.year = digits(s, 0, 4);
  if (p.year < 1000) return std::nullopt;
  if (s.size() >= 7) {
    if (s[4] != '-') return std::nullopt;
    p.month = digits(s, 5, 2);
    if (p.month < 1 || p.month > 12) return std::nullopt;
  }
  if (s.size() == 10) {
    if (s[7] != '-') return std::nullopt;
    p.day = digits(s, 8, 2);
    if (p.day < 1 || p.day > days_in_month(p.year, p.month)) return std::nullopt;
  }
  return p;
}

// The label of an input: its role or layer kind, and what names it.
std::string input_label(const RunRecord& r, const InputRecord& i) {
  if (i.role == "areas") return "Areas: " + i.file;
  if (i.role == "premises") return "Premises: " + i.file;
  if (i.kind == "fixed-speeds") return "Fixed broadband: " + i.name;
  if (i.kind == "bduk-premises") return "BDUK premises: " + i.name;
  if (i.kind == "ofcom-postcode") return "Fixed broadband (postcode level): " + i.name;
  const auto mobile = std::find_if(r.mobile_layers.begin(), r.mobile_layers.end(),
                                   [&](const MobileLayerRecord& m) { return m.name == i.name; });
  if (mobile != r.mobile_layers.end()) {
    return fmt::format("Mobile coverage ({} {} {}): {}", mobile->operator_name,
                       mobile->technology, mobile->setting, i.name);
  }
  return fmt::format("Layer ({}): {}", i.kind, i.name);
}

}  // namespace

bool valid_as_at(std::string_view as_at) {
  return parse(as_at).has_value();
}

std::string describe_as_at(const std::optional<std::string>& as_at) {
  const std::optional<Parts> p = as_at ? parse(*as_at) : std::nullopt;
  if (!p) return std::string(kDateNotStated);
  if (p->month == 0) return std::to_string(p->year);
  const std::string_view month = kMonths[static_cast<std::size_t>(p->month - 1)];
  if (p->day == 0) return fmt::format("{} {}", month, p->year);
  return fmt::format("{} {} {}", p->day, month, p->year);
}

std::vector<std::pair<std::string, std::string>> data_dates(const RunRecord& record) {
  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("Study", describe_as_at(record.study.as_at));
  for (const InputRecord& i : record.inputs) {
    if (i.role == "places") continue;  // map labels only: no figure comes from them
    out.emplace_back(input_label(record, i), describe_as_at(i.as_at));
  }
  return out;
}

std::string data_dates_text(const RunRecord& record) {
  std::string out;
  for (const auto& [label, date] : data_dates(record)) {
    if (!out.empty()) out += "; ";
    out += label + ", " + date;
  }
  return out;
}

std::string run_comparison(const std::optional<std::string>& current_as_at,
                           const std::optional<std::string>& previous_as_at,
                           const std::string& previous_folder) {
  const bool dated = current_as_at && previous_as_at && valid_as_at(*current_as_at) &&
                     valid_as_at(*previous_as_at);
  if (dated) {
    return describe_as_at(current_as_at) + " compared with " + describe_as_at(previous_as_at);
  }
  return "This run compared with the run in " + previous_folder;
}

}  // namespace notspot::outputs
