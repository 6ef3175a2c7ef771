#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>

namespace notspot::generate {

/// Options of the national benchmark generator (`notspot-generate national`).
struct NationalOptions {
  /// Folder the outputs (kNationalOutputs) are written to; created when missing.
  std::filesystem::path output_dir;
  /// Premises to generate. DEFAULT: 40,000,000. REQUIRES: 1 .. 2^31 - 1.
  std::size_t premises = 40'000'000;
  /// Areas (parish-like). DEFAULT: 10,000. REQUIRES: 1 .. 200,000.
  std::size_t areas = 10'000;
  /// Everything random derives from it: the same options give byte-identical data files.
  std::uint64_t seed = 1;
  /// Mean vertices per area (edge detail is scaled to reach it; shared edges stay identical).
  /// DEFAULT: 500, about ONS's generalised (BGC) parishes; 5,000 is about the full-resolution
  /// (BFC) ones. REQUIRES: 8 .. 100,000.
  std::size_t vertices_per_area = 500;
  /// Whether to write the 12 mobile rasters. DEFAULT: true.
  bool rasters = true;
};

/// The files the generator writes into output_dir (the rasters only with `rasters`).
inline constexpr const char* kNationalOutputs[] = {
    "areas.gpkg",        "premises.csv", "fixed_speeds.csv",
    "mobile/*.tif (12)", "study.toml",   "generation_report.json",
};

/**
 * Generates a synthetic national-scale study: a Great-Britain-sized landmass in EPSG:27700
 * with `areas` parish-like areas (areas.gpkg: shared edges with identical vertices, about 500
 * vertices per area, holes, multipolygons and five deliberately invalid polygons),
 * `premises` premises (premises.csv, OS Open UPRN layout, sorted by UPRN), fixed broadband
 * per premise (fixed_speeds.csv), 12 mobile signal rasters (mobile/), a study file for all of
 * it (study.toml) and generation_report.json (counts, vertex statistics, timings). Every file
 * is written atomically. Progress and timings go to `log`.
 *
 * Same options give byte-identical files, except the timings and memory figures in
 * generation_report.json.
 *
 * @throws Error (kUsage) for options out of range; (kInput) when an output cannot be
 *   written; (kInternal) when a self-check fails.
 */
void generate_national(const NationalOptions& options, std::ostream& log);

}  // namespace notspot::generate
