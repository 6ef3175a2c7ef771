#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geometry.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/file_digest.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/zip_archive.hpp"
#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/stats_table.hpp"

namespace notspot::outputs {

/// `[quality]`: data-quality gates; exceeding one makes `notspot run` exit with code 3.
struct QualityLimits {
  double max_rejected_share = 0.01;  ///< Rejected premises rows / rows read. REQUIRES: 0..1.
  double max_outside_share = 1.0;    ///< Premises outside every area / rows read. 0..1.
  /// Assigned premises with no fixed-broadband row in any layer / assigned premises. 0..1.
  double max_no_data_share = 1.0;
  /// Per fixed-broadband layer: usable rows whose key matches no premise / usable rows. 0..1.
  double max_unmatched_share = 1.0;
};

/// One limit of QualityLimits: its `[quality]` key and manifest field, and the member.
struct QualityLimitField {
  std::string_view key;  ///< e.g. "max_rejected_share".
  double QualityLimits::*value;
};

/// The limits in documentation order, for the study file and the manifest.
std::span<const QualityLimitField, 4> quality_limit_fields();

/// The study a run was made from: what names it and what its figures depend on.
struct StudyRecord {
  std::string name;                  ///< `[study] name`.
  std::optional<std::string> place;  ///< `[study] place`, e.g. "Dorset".
  std::string file;                  ///< The study file's name (without its folder).
  std::string sha256;                ///< Of the study file.
  std::string crs;                   ///< The study CRS, described ("EPSG:27700 (OSGB36 / ...)").
  bool crs_geographic = false;
  std::optional<std::string> boundary_vintage;
  /// `[study] as_at`: the date the study describes, "YYYY", "YYYY-MM" or "YYYY-MM-DD".
  std::optional<std::string> as_at;
  std::vector<std::string> attribution;  ///< Licence and attribution lines.
};

/// One input file, as the manifest's `inputs` list holds it. Which fields are set depends on
/// the role: areas (layer, features, crs, transformation), premises (rows, columns, crs,
/// area_of_use, transformation) or a layer (name, kind, and rows or crs and description).
struct InputRecord {
  std::string role;                  ///< "areas", "premises", "layer" or "places".
  std::string name;                  ///< Layers only.
  std::string kind;                  ///< Layers only: the study-file spelling, e.g. "fixed-speeds".
  std::string file;                  ///< As the study names it.
  std::optional<std::string> layer;  ///< Areas and places: the OGR layer read.
  io::FileDigest digest;             ///< Of the file (the whole archive for a ZIP member).
  /// A source GDAL opens that is not a file (PG:, /vsicurl/, WFS:...), as written with any
  /// password hidden; then `digest` is empty and the manifest has no sha256.
  std::optional<std::string> source;
  /// The members of a ZIP archive read (CSV inputs), or the one GDAL opened (vector inputs).
  std::vector<io::MemberRead> members;
  std::optional<std::uint64_t> rows;      ///< Data rows read (premises, CSV layers).
  std::optional<std::uint64_t> features;  ///< Features read (areas, places).
  /// `where` of a vector input as applied: the clause, the layer's features and those selected.
  std::optional<io::AttributeFilterResult> filter;
  struct Columns {
    std::string id, x, y;
  };
  std::optional<Columns> columns;                   ///< Premises only.
  std::optional<std::string> crs;                   ///< The input's own CRS, described.
  std::optional<engine::Box> area_of_use;           ///< Premises: rows outside it are rejected.
  std::optional<std::string> transformation;        ///< PROJ's operation to the study CRS.
  std::optional<double> transformation_accuracy_m;  ///< PROJ's stated accuracy of it, metres.
  /// A more accurate operation PROJ knows but cannot use here (a grid is not installed).
  struct BetterTransformation {
    std::string operation;
    std::optional<double> accuracy_m;
    std::vector<std::string> missing_grids;  ///< File names, e.g. "uk_os_OSTN15_NTv2_...tif".
  };
  std::optional<BetterTransformation> better_transformation;
  std::optional<std::string> description;  ///< Mobile layers: grid or features.
  /// `as_at` of the input's table: the date its data describes ("YYYY", "YYYY-MM" or
  /// "YYYY-MM-DD"); none when the study does not state it.
  std::optional<std::string> as_at;
};

/// Every premises row read is assigned to an area, outside every area, or rejected.
struct PremisesLedger {
  std::uint64_t read = 0;
  std::uint64_t assigned = 0;
  std::uint64_t outside = 0;
  std::uint64_t rejected = 0;
  std::uint64_t blank_lines = 0;
  std::uint64_t duplicate_ids = 0;         ///< Ids held by more than one premise.
  std::uint64_t in_overlapping_areas = 0;  ///< Premises inside more than one area.
  bool balanced() const { return read == assigned + outside + rejected; }
};

/// The rows of one fixed-broadband layer: read = matched + unmatched + duplicate_keys +
/// rejected.
struct FixedLayerLedger {
  std::string name;
  std::string file;
  std::string key_column;  ///< As the header spells it.
  std::uint64_t read = 0;
  std::uint64_t matched = 0;
  std::uint64_t unmatched = 0;
  std::uint64_t duplicate_keys = 0;
  std::uint64_t rejected = 0;
  std::uint64_t blank_lines = 0;
  std::uint64_t premises_with_row = 0;
  std::uint64_t premises_without_row = 0;
  bool balanced() const { return read == matched + unmatched + duplicate_keys + rejected; }
};

/// The rows of one Ofcom postcode-level layer: read = postcodes + duplicate_keys + rejected.
struct PostcodeLayerLedger {
  std::string name;
  std::string file;
  std::uint64_t read = 0;
  std::uint64_t postcodes = 0;  ///< Distinct postcodes with a row.
  std::uint64_t duplicate_keys = 0;
  std::uint64_t rejected = 0;
  std::uint64_t blank_lines = 0;
  std::uint64_t blank_values = 0;  ///< Empty percentage cells, read as 0.
  std::uint64_t postcodes_with_premises = 0;
  std::uint64_t postcodes_without_premises = 0;
  std::uint64_t premises_with_row = 0;
  std::uint64_t premises_without_postcode = 0;
  std::uint64_t premises_postcode_not_found = 0;
  bool balanced() const { return read == postcodes + duplicate_keys + rejected; }
};

/// What one mobile coverage layer contributed.
struct MobileLayerRecord {
  std::string name;
  std::string kind;  ///< "raster" or "polygons".
  std::string file;
  std::string operator_name;
  std::string technology;
  std::string setting;
  std::string crs;
  std::string description;  ///< Grid and cell type (raster) or feature counts (polygons).
  std::optional<io::AttributeFilterResult> filter;  ///< Polygons: `where` as applied.
  std::string rule;                                 ///< covered_when (raster); empty for polygons.
  double scale = 1;   ///< Raster band scale applied before covered_when (1: none).
  double offset = 0;  ///< Raster band offset applied before covered_when (0: none).
  std::uint64_t premises_covered = 0;
  std::uint64_t premises_on_nodata = 0;  ///< Not covered: the layer has no data there.
  std::uint64_t premises_off_layer = 0;  ///< Not covered: outside the layer's extent.
};

/// One technology and setting with its operators.
struct MobileGroupRecord {
  std::string technology;
  std::string setting;
  std::vector<std::string> operators;
  /// How land shares were computed; none when they could not be (rasters on different grids).
  std::optional<std::string> land_method;
};

/// `[digital_exclusion]`: no decent broadband on known speeds and no coverage of this
/// technology and setting from any operator.
struct DigitalExclusionRecord {
  std::string technology;  ///< e.g. "4G".
  std::string setting;     ///< e.g. "indoor".
  bool computed = false;   ///< Whether the study had that mobile group to compute it.
};

/// Two areas that overlap, found while indexing.
struct OverlapRecord {
  std::string first;  ///< The lower id: premises in the overlap go to this area.
  std::string second;
  double area = 0;     ///< Of the overlap, in squared study-CRS units.
  engine::Point near;  ///< A point in or next to the overlap.
};

/// What reading and indexing the areas found.
struct AreasRecord {
  std::uint64_t count = 0;
  std::uint64_t features_read = 0;
  std::uint64_t repaired = 0;
  std::uint64_t without_polygon = 0;
  std::uint64_t merged = 0;             ///< Features folded into another with the same id.
  std::uint64_t overlapping_pairs = 0;  ///< All pairs found (only the first are listed); a
                                        ///< lower bound unless index.overlaps_complete.
  std::vector<OverlapRecord> overlaps;  ///< The first kMaxListedOverlaps pairs.
  engine::AreaIndex::Stats index;
};

/// One data-quality gate of `[quality]`.
struct QualityCheck {
  std::string name;     ///< The gate, e.g. "max_unmatched_share (speeds)".
  std::string measure;  ///< What was measured, e.g. "unmatched_share (speeds)".
  double value = 0;     ///< The measured share.
  double limit = 0;     ///< The configured limit.
  bool passed = true;
  std::string explanation;  ///< What the data says about a failure, when it says something.
  /// Not a `[quality]` limit: a check every run makes and no setting relaxes ("premises_assigned",
  /// "premises_coordinates"); `limit` is then unused and `value` is the share it looked at.
  bool always = false;
};

/// One file the run published.
struct OutputRecord {
  std::string file;  ///< Name inside the outputs folder.
  io::FileDigest digest;
};

/// When and how the run ran: the one part that differs between identical runs.
struct RunTiming {
  std::string started_utc;  ///< ISO 8601, seconds.
  int threads = 1;
  double seconds = 0;                                  ///< Wall time of the whole run.
  std::vector<std::pair<std::string, double>> stages;  ///< Seconds per stage, in run order.
};

/**
 * The typed result of a run: everything the manifest, the report, the workbook, the command
 * line's summary and its JSON log say about it, gathered once by the run's stages. Nothing in
 * it is read back from a file; manifest.json is written from it (write_manifest()).
 */
struct RunRecord {
  std::string notspot_version;
  StudyRecord study;
  engine::Thresholds thresholds;
  QualityLimits quality_limits;
  std::vector<InputRecord> inputs;  ///< Areas, premises, then the layers.
  PremisesLedger premises;
  std::vector<FixedLayerLedger> fixed_layers;
  std::vector<PostcodeLayerLedger> postcode_layers;
  AreasRecord areas;
  std::vector<MobileLayerRecord> mobile_layers;
  std::vector<MobileGroupRecord> mobile_groups;
  DigitalExclusionRecord digital_exclusion;
  engine::AreaCounts study_total;  ///< Fixed-broadband indicators of the whole study.
  StatsTable table;                ///< parish_stats: one row per area, then the study row.
  std::vector<QualityCheck> quality;
  std::vector<io::Warning> warnings;  ///< All of them, in the order found.
  /// The comparison with a previous run, and that run's folder as the study names it.
  std::optional<ChangeReport> changes;
  std::string previous_run;
  std::filesystem::path output_dir;  ///< Where the outputs were published.
  /// The run failed a quality gate and was published in `DIR.failed`, beside the outputs
  /// folder, which was left as it was (output_dir is then `DIR.failed`).
  bool published_beside = false;
  std::vector<OutputRecord> outputs;  ///< Published files, manifest.json excluded.
  RunTiming timing;

  bool quality_passed() const;
};

/// Overlapping pairs beyond this many are counted, not listed.
inline constexpr std::size_t kMaxListedOverlaps = 1000;
/// Warnings beyond this many are counted in the manifest and the report, not listed.
inline constexpr std::size_t kMaxListedWarnings = 200;

}  // namespace notspot::outputs
