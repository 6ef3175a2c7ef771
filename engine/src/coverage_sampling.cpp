#include "notspot/engine/coverage_sampling.hpp"

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <array>
#include <limits>
#include <memory>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::engine {
namespace {

// Premises are processed in blocks of whole 64-bit words, so that threads never write to the
// same word of a BitVector.
constexpr std::size_t kBlock = 64 * 1024;

// Up to 16 layers on one grid packed into one word per cell: bit L says layer L covers the
// cell, bit 16 + L that layer L has no data there.
constexpr std::size_t kPackedLayers = 16;

std::vector<std::uint32_t> pack_layers(std::span<const CoverageGrid* const> rasters) {
  const Grid& grid = rasters[0]->grid;
  const std::size_t cells = grid.columns * grid.rows;
  std::vector<std::uint32_t> packed(cells);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, (cells + 63) / 64),
                    [&](const tbb::blocked_range<std::size_t>& words) {
                      for (std::size_t w = words.begin(); w != words.end(); ++w) {
                        std::uint32_t lanes[64] = {};
                        for (std::size_t l = 0; l < rasters.size(); ++l) {
                          const std::uint64_t covered = rasters[l]->covered.word(w);
                          const std::uint64_t nodata = rasters[l]->nodata.word(w);
                          for (unsigned b = 0; b < 64; ++b) {
                            lanes[b] |= static_cast<std::uint32_t>((covered >> b) & 1) << l |
                                        static_cast<std::uint32_t>((nodata >> b) & 1) << (16 + l);
                          }
                        }
                        const std::size_t first = w * 64,
                                          n = std::min<std::size_t>(64, cells - first);
                        std::copy_n(lanes, n, packed.begin() + static_cast<std::ptrdiff_t>(first));
                      }
                    });
  return packed;
}

struct PackedTally {
  std::array<std::uint64_t, kPackedLayers> on_nodata{};
  std::uint64_t off_layer = 0;
  PackedTally operator+(const PackedTally& o) const {
    PackedTally sum = *this;
    for (std::size_t l = 0; l < kPackedLayers; ++l) sum.on_nodata[l] += o.on_nodata[l];
    sum.off_layer += o.off_layer;
    return sum;
  }
};

void sample_packed(std::span<const CoverageGrid* const> rasters, std::span<const double> x,
                   std::span<const double> y, const PointTransformFactory& to_grid,
                   std::span<PremisesCoverage> out) {
  const CoverageGrid& first = *rasters[0];
  for (const CoverageGrid* r : rasters) {
    if (r->grid != first.grid) {
      throw internal_error("premises_coverage: rasters sampled together must share one grid");
    }
  }
  const std::vector<std::uint32_t> packed = pack_layers(rasters);
  const std::size_t n = x.size();
  for (PremisesCoverage& c : out) c.covered = BitVector(n);
  const Grid& grid = first.grid;
  constexpr std::size_t kOffLayer = std::numeric_limits<std::size_t>::max();
  // One transformation per thread (PROJ's are not thread-safe, and costly to create).
  tbb::enumerable_thread_specific<std::unique_ptr<PointTransform>> transforms;
  const PackedTally tally = tbb::parallel_reduce(
      tbb::blocked_range<std::size_t>(0, (n + kBlock - 1) / kBlock), PackedTally{},
      [&](const tbb::blocked_range<std::size_t>& blocks, PackedTally t) {
        std::unique_ptr<PointTransform>& transform = transforms.local();
        if (!transform) transform = to_grid();
        std::vector<double> xs, ys;
        std::vector<std::size_t> cells;
        for (std::size_t b = blocks.begin(); b != blocks.end(); ++b) {
          const std::size_t begin = b * kBlock, end = std::min(n, begin + kBlock);
          xs.assign(x.begin() + static_cast<std::ptrdiff_t>(begin),
                    x.begin() + static_cast<std::ptrdiff_t>(end));
          ys.assign(y.begin() + static_cast<std::ptrdiff_t>(begin),
                    y.begin() + static_cast<std::ptrdiff_t>(end));
          transform->transform(xs, ys);
          cells.resize(end - begin);
          for (std::size_t i = 0; i < cells.size(); ++i) {
            const auto cell = grid.cell_of({xs[i], ys[i]});
            cells[i] = cell ? cell->second * grid.columns + cell->first : kOffLayer;
          }
          // Premises come in any order, so each lookup is a cache miss: ask for the word a
          // few premises ahead while this one is handled.
          constexpr std::size_t kAhead = 16;
          for (std::size_t i = 0; i < cells.size(); ++i) {
            if (i + kAhead < cells.size() && cells[i + kAhead] != kOffLayer) {
              __builtin_prefetch(&packed[cells[i + kAhead]]);
            }
            if (cells[i] == kOffLayer) {
              ++t.off_layer;
              continue;
            }
            const std::uint32_t word = packed[cells[i]];
            for (std::size_t l = 0; l < out.size(); ++l) {
              if ((word >> (16 + l)) & 1) {
                ++t.on_nodata[l];
              } else if ((word >> l) & 1) {
                out[l].covered.set(begin + i);
              }
            }
          }
        }
        return t;
      },
      [](const PackedTally& a, const PackedTally& b) { return a + b; });
  for (std::size_t l = 0; l < out.size(); ++l) {
    out[l].on_nodata = tally.on_nodata[l];
    out[l].off_layer = tally.off_layer;
  }
}

void require_same_size(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size()) {
    throw internal_error("premises_coverage: x and y differ in length");
  }
}

}  // namespace

PremisesCoverage premises_coverage(const CoverageGrid& raster, std::span<const double> x,
                                   std::span<const double> y,
                                   const PointTransformFactory& to_grid) {
  const CoverageGrid* one[] = {&raster};
  return std::move(premises_coverage(one, x, y, to_grid).front());
}

std::vector<PremisesCoverage> premises_coverage(std::span<const CoverageGrid* const> rasters,
                                                std::span<const double> x,
                                                std::span<const double> y,
                                                const PointTransformFactory& to_grid) {
  require_same_size(x, y);
  std::vector<PremisesCoverage> out(rasters.size());
  for (std::size_t begin = 0; begin < rasters.size(); begin += kPackedLayers) {
    const std::size_t end = std::min(rasters.size(), begin + kPackedLayers);
    sample_packed(rasters.subspan(begin, end - begin), x, y, to_grid,
                  std::span(out).subspan(begin, end - begin));
  }
  return out;
}

PremisesCoverage premises_coverage(const MultiPolygon& footprints, std::span<const double> x,
                                   std::span<const double> y) {
  require_same_size(x, y);
  PremisesCoverage out;
  out.covered = BitVector(x.size());
  // Each part of the union is an "area": a premise is covered when it is in any of them.
  std::vector<MultiPolygon> parts;
  for (const Polygon& p : footprints) parts.push_back({p});
  const AreaIndex index(parts);
  std::vector<std::uint32_t> located(x.size());
  index.locate_all(x, y, located);
  for (std::size_t i = 0; i < located.size(); ++i) {
    if (located[i] != AreaIndex::kOutside) out.covered.set(i);
  }
  return out;
}

}  // namespace notspot::engine
