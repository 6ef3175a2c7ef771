#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>

namespace notspot::generate {

/// Options of the Dorset sample generator (`notspot-generate dorset`).
struct DorsetSampleOptions {
  /// Folder with the real open data (the repository's data/real): the Dorset boundary,
  /// the Code-Point postcodes and the Ofcom fixed and mobile extracts, under their file names
  /// there.
  std::filesystem::path real_data_dir;
  /// Folder the outputs (kDorsetOutputs) are written to; created when missing.
  std::filesystem::path output_dir;
  /// Everything random derives from it: the same seed gives byte-identical files.
  /// DEFAULT: 1.
  std::uint64_t seed = 1;
  /// Seeds of the parish tessellation. DEFAULT: 250. REQUIRES: 2..2000. A seed whose Voronoi
  /// cell has no land inside the boundary gives no parish (rare: seeds lie on postcodes).
  std::size_t parishes = 250;
};

/// The files the generator writes into output_dir (for the build and the README).
inline constexpr const char* kDorsetOutputs[] = {
    "parishes.gpkg",
    "premises.csv",
    "fixed_speeds.csv",
    "bduk_premises.csv",
    "ofcom_fixed_postcode_DT.csv",
    "mobile/EE_4G_indoor.tif",
    "mobile/EE_4G_outdoor.tif",
    "mobile/EE_5G_outdoor.tif",
    "mobile/Three_4G_indoor.tif",
    "mobile/Three_4G_outdoor.tif",
    "mobile/Three_5G_outdoor.tif",
    "mobile/O2_4G_indoor.tif",
    "mobile/O2_4G_outdoor.tif",
    "mobile/O2_5G_outdoor.tif",
    "mobile/Vodafone_4G_indoor.tif",
    "mobile/Vodafone_4G_outdoor.tif",
    "mobile/Vodafone_5G_outdoor.tif",
    "mobile/EE_4G_outdoor_coverage.gpkg",
    "generation_report.json",
};

/**
 * Generates the Dorset sample study from the real boundary, postcodes and Ofcom figures:
 * parishes.gpkg (about 250 synthetic parishes tessellating the real boundary), premises.csv
 * (OS Open UPRN layout plus POSTCODE; exactly Ofcom's number of premises inside, a few
 * thousand outside), fixed_speeds.csv and bduk_premises.csv (calibrated to Ofcom's Dorset
 * figures), ofcom_fixed_postcode_DT.csv (the same speeds as an Ofcom postcode-level file),
 * mobile/ (signal-strength GeoTIFFs of four operators × 4G indoor, 4G outdoor, 5G outdoor,
 * calibrated to Ofcom's Dorset mobile figures, and one layer as polygons), and
 * generation_report.json (what was made and the figures achieved). Every file is written
 * atomically. Progress and timings go to `log`.
 *
 * Typical usage:
 * @code
 *   generate_dorset_sample({.real_data_dir = "data/real", .output_dir = "out"}, std::cerr);
 * @endcode
 *
 * @throws Error (kInput) when a real-data file is missing or malformed or an output cannot be
 *   written; (kInternal) when a self-check fails (tessellation, calibration, mobile
 *   calibration, postcode aggregation, raster-polygon agreement).
 */
void generate_dorset_sample(const DorsetSampleOptions& options, std::ostream& log);

}  // namespace notspot::generate
