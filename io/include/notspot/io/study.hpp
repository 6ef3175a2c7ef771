#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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
  SourceLine where;
};

enum class LayerKind {
  kBdukPremises,  ///< `bduk-premises`: BDUK "Premises in BDUK plans" CSV, keyed by UPRN.
  kFixedSpeeds,   ///< `fixed-speeds`: uprn,max_down_mbps,max_up_mbps,technology.
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
  SourceLine where;
};

/// `[quality]`: data-quality gates; exceeding one makes `notspot run` exit with code 3.
struct QualityLimits {
  double max_rejected_share = 0.01;  ///< Rejected premises rows / rows read. REQUIRES: 0..1.
  double max_outside_share = 1.0;    ///< Premises outside every area / rows read. 0..1.
};

/// A parsed and checked study file. Paths are absolute (resolved against the study's folder).
struct Study {
  std::filesystem::path file;                   ///< The study file itself (absolute).
  std::string name;                             ///< `[study] name`, required.
  std::string crs = "EPSG:27700";               ///< `[study] crs`.
  std::optional<std::string> boundary_vintage;  ///< `[study] boundary_vintage`.
  AreasSource areas;
  PremisesSource premises;
  std::vector<LayerSource> layers;
  engine::Thresholds thresholds;     ///< `[thresholds]`.
  QualityLimits quality;             ///< `[quality]`.
  std::filesystem::path output_dir;  ///< `[outputs] dir`, default "out"; need not exist yet.
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
