#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace notspot::engine {

/**
 * A UK postcode as a 64-bit key: upper case, spaces removed, one character per byte, so that
 * `DT1 1AA`, `dt11aa` and `DT11AA` are the same key. 0 means "no postcode".
 * @return nullopt unless the text is 5 to 7 letters and digits starting with a letter (after
 *   removing spaces) and ending in digit-letter-letter (the inward code).
 */
std::optional<std::uint64_t> postcode_key(std::string_view text);

/// The key back as text without a space, e.g. "DT11AA".
std::string postcode_text(std::uint64_t key);

/// The postcode-level fixed-broadband measures notspot turns into premises estimates, with the
/// Ofcom Connected Nations column each comes from.
enum class Estimate : std::uint8_t {
  kSuperfast,
  kUltrafast,
  kFullFibre,
  kGigabit,
  kBelowUso,
  kUnable10,
};
inline constexpr std::size_t kEstimateCount = 6;

struct EstimateInfo {
  Estimate estimate;
  std::string_view column;        ///< Output column stem, e.g. "est_gigabit".
  std::string_view ofcom_column;  ///< e.g. "Gigabit availability (% premises)".
};
std::span<const EstimateInfo, kEstimateCount> estimate_catalogue();

/// A postcode's rates, as millionths of a premise per premise (a percentage p is p * 10^4):
/// integers, so that sums over millions of premises are exact and do not depend on the order
/// (or thread count) in which they are added.
using PostcodeRates = std::array<std::int64_t, kEstimateCount>;

/// Expected premises counts of one area from postcode-level rates.
struct AreaEstimates {
  std::uint64_t premises = 0;  ///< Premises whose postcode has a row (the estimates' base).
  std::array<std::int64_t, kEstimateCount> millionths{};  ///< Expected premises × 10^6.

  AreaEstimates& operator+=(const AreaEstimates& other);
  double value(Estimate e) const {
    return static_cast<double>(millionths[static_cast<std::size_t>(e)]) / 1e6;
  }
};

/**
 * Sums the rates of each premise's postcode row per area: the expected number of premises
 * meeting each measure (percentages at postcode level apply to the premises of the postcode;
 * they are never averaged).
 * @param row_of_premise index into `rates` for each premise, or kNoRow.
 */
inline constexpr std::uint32_t kNoRow = 0xFFFFFFFFu;
std::vector<AreaEstimates> estimate_by_area(std::span<const std::uint32_t> area_of_premise,
                                            std::span<const std::uint32_t> row_of_premise,
                                            std::span<const PostcodeRates> rates,
                                            std::size_t area_count);

}  // namespace notspot::engine
