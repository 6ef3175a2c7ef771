#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/coverage_rule.hpp"
#include "notspot/engine/indicators.hpp"

namespace notspot::io {

/// Where a value came from in the study file, for error messages ("study.toml:12").
struct SourceLine {
  std::filesystem::path file;    ///< The study file as the caller named it to load_study().
  std::uint32_t line = 0;        ///< 1-based; 0 when the value was defaulted.
  std::string describe() const;  ///< "study.toml:12" or "study.toml" when line is 0.
};

/// `[areas]`: the polygons premises are assigned to (parishes).
struct AreasSource {
  std::filesystem::path path;             ///< Resolved against the study file's folder.
  std::optional<std::string> layer;       ///< Required when the dataset has several layers.
  std::string id_field;                   ///< `id`, required.
  std::optional<std::string> name_field;  ///< `name`; when absent the id is the name.
  std::optional<std::string> crs;         ///< Declares the CRS of a file that has none.
  SourceLine where;                       ///< Line of the `[areas]` table.
};

enum class PremisesFormat { kCsv, kOgr };

/// `[premises]`: address points.
struct PremisesSource {
  std::filesystem::path path;
  PremisesFormat format = PremisesFormat::kCsv;  ///< `format`; default by file extension.
  std::optional<std::string> layer;              ///< OGR only.
  std::string id_field = "UPRN";                 ///< `id`.
  /// CSV only: `x`/`y` column names. When absent: X_COORDINATE/Y_COORDINATE if the header
  /// has them (CRS EPSG:27700), else LONGITUDE/LATITUDE (CRS EPSG:4326).
  std::optional<std::string> x_field;
  std::optional<std::string> y_field;
  /// `crs` of the coordinates. CSV default: as above. OGR: the layer's CRS.
  std::optional<std::string> crs;
  /// `postcode`: the column (CSV) or field (OGR) holding each premise's postcode, for joining
  /// postcode-level layers (ofcom-postcode). Optional.
  std::optional<std::string> postcode_field;
  SourceLine where;
};

enum class LayerKind {
  kBdukPremises,   ///< `bduk-premises`: BDUK "Premises in BDUK plans" CSV, keyed by UPRN.
  kFixedSpeeds,    ///< `fixed-speeds`: uprn,max_down_mbps,max_up_mbps,technology.
  kOfcomPostcode,  ///< `ofcom-postcode`: Ofcom Connected Nations postcode-level fixed CSV.
  kRaster,         ///< `raster`: mobile coverage raster (any GDAL raster), one operator.
  kPolygons,       ///< `polygons`: mobile coverage footprints (any OGR layer), one operator.
};

/// What a mobile coverage layer covers. Required for raster and polygons layers.
struct MobileTags {
  std::string operator_name;  ///< `operator`, e.g. "EE" (free text, non-empty).
  std::string technology;     ///< `technology`: "2G", "3G", "4G" or "5G" (normalised upper case).
  std::string setting;        ///< `setting`: "indoor" or "outdoor" (normalised lower case).
};

/// One `[[layers]]` entry.
struct LayerSource {
  LayerKind kind = LayerKind::kBdukPremises;
  std::string name;  ///< `name`; default: the file name without extension.
  std::filesystem::path path;
  std::string key_field = "uprn";  ///< `key`.
  /// fixed-speeds only: column names (`down`, `up`, `technology`).
  std::string down_field = "max_down_mbps";
  std::string up_field = "max_up_mbps";
  std::string technology_field = "technology";
  /// raster and polygons: what the layer covers.
  MobileTags tags;
  /// raster only: `covered_when`, required, e.g. ">= -105", "== 1", "in [2, 3]".
  engine::CoverageRule covered_when;
  /// raster only: `band`, 1-based. DEFAULT: 1.
  int band = 1;
  /// polygons only: `layer`, the OGR layer (required when the dataset has several).
  std::optional<std::string> ogr_layer;
  /// raster and polygons: `crs`, declares the CRS of a file that has none.
  std::optional<std::string> crs;
  SourceLine where;
};

/// `[digital_exclusion]`: a premise is digitally excluded when it has no decent broadband
/// (known speed below the USO) and no coverage of this technology and setting from any
/// operator.
struct DigitalExclusion {
  std::string mobile_technology = "4G";   ///< `mobile_technology`.
  std::string mobile_setting = "indoor";  ///< `mobile_setting`.
};

/// `[quality]`: data-quality gates; exceeding one makes `notspot run` exit with code 3.
struct QualityLimits {
  double max_rejected_share = 0.01;  ///< Rejected premises rows / rows read. REQUIRES: 0..1.
  double max_outside_share = 1.0;    ///< Premises outside every area / rows read. 0..1.
  /// Assigned premises with no fixed-broadband row in any layer / assigned premises. 0..1.
  double max_no_data_share = 1.0;
  /// Per fixed-broadband layer: usable rows whose key matches no premise / usable rows. 0..1.
  double max_unmatched_share = 1.0;
};

/// A parsed and checked study file. Paths are absolute (resolved against the study's folder).
struct Study {
  std::filesystem::path file;                   ///< The study file itself (absolute).
  std::string name;                             ///< `[study] name`, required.
  std::string crs = "EPSG:27700";               ///< `[study] crs`.
  std::optional<std::string> boundary_vintage;  ///< `[study] boundary_vintage`.
  /// `[study] attribution`: licence and attribution lines the data requires, shown in the
  /// report and the workbook (e.g. "Contains OS data © Crown copyright and database right 2025").
  std::vector<std::string> attribution;
  AreasSource areas;
  PremisesSource premises;
  std::vector<LayerSource> layers;
  engine::Thresholds thresholds;       ///< `[thresholds]`.
  QualityLimits quality;               ///< `[quality]`.
  DigitalExclusion digital_exclusion;  ///< `[digital_exclusion]`.
  std::filesystem::path output_dir;    ///< `[outputs] dir`, default "out"; need not exist yet.
  /// `[outputs] previous`: an earlier run's outputs folder to report changes against.
  std::optional<std::filesystem::path> previous_dir;
};

/**
 * Reads a study file (TOML).
 *
 * Every problem is an Error of kind kStudy whose message starts with "FILE:LINE:" and names the
 * key, e.g. `study.toml:7: unknown key 'nmae' in [areas]; expected one of: path, layer, id,
 * name, crs; did you mean 'name'?`, or `study.toml:12: [thresholds] gigabit_mbps must be a
 * number, not a string`. FILE is `file` as given. All problems found are reported at once, one
 * per line of the message in line order, so that a user can fix them in one go (a TOML syntax
 * error stops the reading, so it is reported alone).
 * Checked here: TOML syntax, unknown tables and keys, types, required keys, value ranges,
 * and that input files exist. Not checked here: the contents of those files (see validate).
 * The reference for users is docs/study-file.md.
 *
 * @throws engine::Error (kStudy) on any problem; (kInput) when the file cannot be read.
 */
Study load_study(const std::filesystem::path& file);

}  // namespace notspot::io
