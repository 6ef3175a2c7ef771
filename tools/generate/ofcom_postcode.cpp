#include "ofcom_postcode.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "notspot/engine/error.hpp"
#include "notspot/engine/indicators.hpp"
#include "random.hpp"

namespace notspot::generate {

const std::array<const char*, kPostcodeMeasures> kPostcodeMeasureColumns = {
    "SFBB availability (% premises)",           "UFBB (100Mbit/s) availability (% premises)",
    "UFBB availability (% premises)",           "Full Fibre availability (% premises)",
    "Gigabit availability (% premises)",        "% of premises unable to receive 2Mbit/s",
    "% of premises unable to receive 5Mbit/s",  "% of premises unable to receive 10Mbit/s",
    "% of premises unable to receive 30Mbit/s", "% of premises below the USO",
};

namespace {

/// Letters of the inward code's unit part (Royal Mail never uses C, I, K, M, O, V there).
constexpr std::string_view kUnitLetters = "ABDEFGHJLNPQRSTUWXYZ";

/// Which measures a premise meets, bit per column of kPostcodeMeasureColumns. The tiers,
/// full fibre and the USO use the engine's definitions (as the report's per-premise figures
/// do); "unable to receive N" is a known best download below N.
std::uint32_t measures(const std::optional<FixedService>& service,
                       const std::optional<BdukRecord>& bduk) {
  using engine::Indicator;
  const std::uint32_t flags = engine::indicator_flags(to_engine(service, bduk), {});
  auto has = [&](Indicator i) { return (flags >> static_cast<unsigned>(i)) & 1u; };
  const bool bduk_gigabit = bduk && bduk->current_gigabit;
  const double down = service ? service->down_mbps : std::nan("");
  const bool known = service.has_value();
  const std::array<bool, kPostcodeMeasures> met = {
      has(Indicator::kSuperfast) != 0,
      bduk_gigabit || down >= 100,
      has(Indicator::kUltrafast) != 0,
      has(Indicator::kFullFibre) != 0,
      has(Indicator::kGigabit) != 0,
      known && down < 2,
      known && down < 5,
      known && down < 10,
      known && down < 30,
      has(Indicator::kBelowUso) != 0,
  };
  std::uint32_t bits = 0;
  for (std::size_t m = 0; m < kPostcodeMeasures; ++m)
    bits |= static_cast<std::uint32_t>(met[m]) << m;
  return bits;
}

double parse(std::string_view text) {
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace

std::string compact_postcode(std::string_view code) {
  std::string out;
  for (char c : code)
    if (c != ' ') out += c;
  return out;
}

std::string seven_character_postcode(std::string_view code) {
  const std::string compact = compact_postcode(code);
  if (compact.size() < 5 || compact.size() > 7) return compact;
  const std::string outward = compact.substr(0, compact.size() - 3);
  return outward + std::string(4 - outward.size(), ' ') + compact.substr(compact.size() - 3);
}

std::string postcode_area(std::string_view code) {
  std::string area;
  for (char c : code) {
    if (c >= '0' && c <= '9') break;
    if (c != ' ') area += c;
  }
  return area;
}

OfcomPostcodeFile make_ofcom_postcode_file(std::span<const Premise> premises,
                                           std::span<const Postcode> postcodes,
                                           std::span<const std::optional<FixedService>> services,
                                           std::span<const std::optional<BdukRecord>> bduk,
                                           std::size_t extra_rows, std::uint64_t seed) {
  // Counts per postcode over its premises inside the boundary. The premises across the
  // border that carry a Dorset postcode stand in for neighbouring authorities' premises (in
  // their own postcodes, in reality): they count only for the two postcodes whose centroids
  // lie outside, which have no premises inside.
  std::vector<std::uint32_t> inside_of(postcodes.size(), 0), premises_of(postcodes.size(), 0);
  for (const Premise& premise : premises) inside_of[premise.postcode] += premise.inside();
  std::vector<std::array<std::uint32_t, kPostcodeMeasures>> met(postcodes.size());
  std::vector<std::uint32_t> bits(premises.size());
  for (std::size_t i = 0; i < premises.size(); ++i) {
    const std::uint32_t p = premises[i].postcode;
    bits[i] = measures(services[i], bduk[i]);
    if (!premises[i].inside() && inside_of[p] > 0) continue;
    ++premises_of[p];
    for (std::size_t m = 0; m < kPostcodeMeasures; ++m) met[p][m] += (bits[i] >> m) & 1u;
  }

  struct Line {
    std::string key;  // 7-character form, for sorting
    std::string text;
  };
  std::vector<Line> lines;
  std::vector<std::array<double, kPostcodeMeasures>> printed(postcodes.size());
  std::set<std::string> known;
  OfcomPostcodeFile file;
  auto make_line = [](const std::string& code7,
                      const std::array<std::string, kPostcodeMeasures>& values) {
    std::string text =
        fmt::format("{},{},{}", compact_postcode(code7), code7, postcode_area(code7));
    for (const std::string& v : values) text += "," + v;
    return Line{code7, text + "\n"};
  };
  std::vector<std::array<std::string, kPostcodeMeasures>> texts(postcodes.size());
  for (std::size_t p = 0; p < postcodes.size(); ++p) {
    known.insert(seven_character_postcode(postcodes[p].code));
    if (premises_of[p] == 0) continue;
    for (std::size_t m = 0; m < kPostcodeMeasures; ++m) {
      texts[p][m] = fmt::format("{:.1f}", 100.0 * met[p][m] / premises_of[p]);
      printed[p][m] = parse(texts[p][m]);  // what a reader gets back
    }
    lines.push_back(make_line(seven_character_postcode(postcodes[p].code), texts[p]));
    ++file.postcodes_with_premises;
  }

  // Extra rows: a unit code that is not in the Code-Point extract, in the sector of a random
  // sample postcode, with that postcode's figures (a neighbour's: plausible values).
  Rng rng(seed, "postcodes without premises");
  std::vector<std::size_t> donors;
  for (std::size_t p = 0; p < postcodes.size(); ++p)
    if (premises_of[p] > 0) donors.push_back(p);
  while (file.extra_postcodes.size() < extra_rows && !donors.empty()) {
    const std::size_t donor = donors[rng.below(donors.size())];
    const std::string code7 = seven_character_postcode(postcodes[donor].code);
    std::string candidate = code7.substr(0, 5);
    candidate += kUnitLetters[rng.below(kUnitLetters.size())];
    candidate += kUnitLetters[rng.below(kUnitLetters.size())];
    if (!known.insert(candidate).second) continue;
    lines.push_back(make_line(candidate, texts[donor]));
    file.extra_postcodes.push_back(candidate);
  }
  file.postcodes_without_premises = file.extra_postcodes.size();
  std::sort(file.extra_postcodes.begin(), file.extra_postcodes.end());

  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.key < b.key; });
  file.csv = "postcode,postcode_space,postcode area";
  for (const char* column : kPostcodeMeasureColumns) {
    file.csv += ',';
    file.csv += column;
  }
  file.csv += '\n';
  for (const Line& line : lines) file.csv += line.text;

  // Aggregating the percentages over the premises inside must give the direct counts back.
  std::uint64_t inside = 0;
  std::array<std::uint64_t, kPostcodeMeasures> direct{};
  std::array<double, kPostcodeMeasures> aggregated{};
  for (std::size_t i = 0; i < premises.size(); ++i) {
    if (!premises[i].inside()) continue;
    ++inside;
    for (std::size_t m = 0; m < kPostcodeMeasures; ++m) {
      direct[m] += (bits[i] >> m) & 1u;
      aggregated[m] += printed[premises[i].postcode][m] / 100;
    }
  }
  for (std::size_t m = 0; m < kPostcodeMeasures; ++m) {
    PostcodeAggregateCheck check;
    check.column = kPostcodeMeasureColumns[m];
    check.premises_count = direct[m];
    check.premises_pct = 100.0 * static_cast<double>(direct[m]) / static_cast<double>(inside);
    check.aggregated_count = aggregated[m];
    check.aggregated_pct = 100.0 * aggregated[m] / static_cast<double>(inside);
    file.max_difference_pct_points = std::max(file.max_difference_pct_points,
                                              std::abs(check.aggregated_pct - check.premises_pct));
    file.checks.push_back(check);
  }
  return file;
}

}  // namespace notspot::generate
