#include "notspot/engine/postcode.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include "notspot/engine/error.hpp"

namespace notspot::engine {
namespace {

bool is_letter(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr std::array<EstimateInfo, kEstimateCount> kCatalogue = {{
    {Estimate::kSuperfast, "est_superfast", "SFBB availability (% premises)"},
    {Estimate::kUltrafast, "est_ultrafast", "UFBB availability (% premises)"},
    {Estimate::kFullFibre, "est_full_fibre", "Full Fibre availability (% premises)"},
    {Estimate::kGigabit, "est_gigabit", "Gigabit availability (% premises)"},
    {Estimate::kBelowUso, "est_below_uso", "% of premises below the USO"},
    {Estimate::kUnable10, "est_unable_10mbps", "% of premises unable to receive 10Mbit/s"},
}};

}  // namespace

std::optional<std::uint64_t> postcode_key(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!is_letter(c) && !is_digit(c)) return std::nullopt;
    compact += c;
  }
  const std::size_t n = compact.size();
  if (n < 5 || n > 7 || !is_letter(compact[0]) || !is_digit(compact[n - 3]) ||
      !is_letter(compact[n - 2]) || !is_letter(compact[n - 1])) {
    return std::nullopt;
  }
  std::uint64_t key = 0;
  for (char c : compact) key = (key << 8) | static_cast<unsigned char>(c);
  return key;
}

std::string postcode_text(std::uint64_t key) {
  std::string out;
  for (; key != 0; key >>= 8) out.insert(out.begin(), static_cast<char>(key & 0xFF));
  return out;
}

std::span<const EstimateInfo, kEstimateCount> estimate_catalogue() {
  return kCatalogue;
}

AreaEstimates& AreaEstimates::operator+=(const AreaEstimates& other) {
  premises += other.premises;
  for (std::size_t i = 0; i < kEstimateCount; ++i) millionths[i] += other.millionths[i];
  return *this;
}

std::vector<AreaEstimates> estimate_by_area(std::span<const std::uint32_t> area_of_premise,
                                            std::span<const std::uint32_t> row_of_premise,
                                            std::span<const PostcodeRates> rates,
                                            std::size_t area_count) {
  if (area_of_premise.size() != row_of_premise.size()) {
    throw internal_error("estimate_by_area: premises and postcode rows differ in length");
  }
  using Out = std::vector<AreaEstimates>;
  return tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, area_of_premise.size(), 1 << 16), Out(area_count),
      [&](const tbb::blocked_range<std::size_t>& range, Out out) {
        for (std::size_t i = range.begin(); i != range.end(); ++i) {
          const std::uint32_t area = area_of_premise[i];
          const std::uint32_t row = row_of_premise[i];
          if (area >= area_count || row == kNoRow) continue;
          AreaEstimates& e = out[area];
          ++e.premises;
          for (std::size_t k = 0; k < kEstimateCount; ++k) e.millionths[k] += rates[row][k];
        }
        return out;
      },
      [](Out a, const Out& b) {
        for (std::size_t k = 0; k < a.size(); ++k) a[k] += b[k];
        return a;
      });
}

}  // namespace notspot::engine
