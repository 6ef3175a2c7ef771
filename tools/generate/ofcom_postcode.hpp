#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "calibration.hpp"
#include "premises_placement.hpp"
#include "real_data.hpp"

namespace notspot::generate {

/// Number of percentage columns of an Ofcom Connected Nations postcode file.
inline constexpr std::size_t kPostcodeMeasures = 10;

/// The percentage columns, in file order (after `postcode,postcode_space,postcode area`).
extern const std::array<const char*, kPostcodeMeasures> kPostcodeMeasureColumns;

/// "DT1 1AA" or "DT11AA" → "DT11AA": the `postcode` key.
std::string compact_postcode(std::string_view code);
/// "DT11AA", "DT1 1AA" → "DT1 1AA"; "BA215BT" → "BA215BT": the 7-character form (outward code
/// padded to four characters, then the inward code), as Code-Point writes it.
std::string seven_character_postcode(std::string_view code);
/// "DT1 1AA" → "DT": the letters before the first digit.
std::string postcode_area(std::string_view code);

/// Per-premise count of one measure against what the postcode file gives back.
struct PostcodeAggregateCheck {
  const char* column;
  std::uint64_t premises_count = 0;  ///< Premises inside meeting the measure, counted directly.
  double premises_pct = 0;
  /// Σ over the inside premises of their postcode's (rounded) percentage / 100.
  double aggregated_count = 0;
  double aggregated_pct = 0;
};

/// The file and what it holds.
struct OfcomPostcodeFile {
  std::string csv;
  std::size_t postcodes_with_premises = 0;
  std::size_t postcodes_without_premises = 0;  ///< Extra rows no premise carries.
  std::vector<std::string> extra_postcodes;    ///< Their 7-character forms.
  std::vector<PostcodeAggregateCheck> checks;
  double max_difference_pct_points = 0;
};

/**
 * An Ofcom Connected Nations postcode-level fixed broadband file (`…_DT.csv` layout): one row
 * per postcode that has premises, percentages (one decimal) of its premises inside the
 * boundary (of all its premises for the two postcodes with none inside) computed from their
 * synthetic services with the engine's indicator definitions, plus `extra_rows` rows for
 * well-formed postcodes that no premise carries (to exercise "postcodes with no premises"),
 * sorted by the 7-character form. Then checks that the percentages, aggregated over the
 * premises inside, give the directly counted figures back.
 *
 * @param services, bduk per premise, as from calibrate_fixed().
 */
OfcomPostcodeFile make_ofcom_postcode_file(std::span<const Premise> premises,
                                           std::span<const Postcode> postcodes,
                                           std::span<const std::optional<FixedService>> services,
                                           std::span<const std::optional<BdukRecord>> bduk,
                                           std::size_t extra_rows, std::uint64_t seed);

}  // namespace notspot::generate
