#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "notspot/engine/indicators.hpp"
#include "notspot/engine/postcode.hpp"

namespace notspot::outputs {

/// How a column's values are typed and written. Formatting is shared by every output, so that
/// the CSV, the GeoPackage, the workbook and the report hold the same figures.
enum class ColumnKind {
  kText,      ///< Written as is.
  kCount,     ///< A whole number of premises.
  kPercent,   ///< A percentage (0-100), two decimals; empty when undefined.
  kEstimate,  ///< An expected (fractional) number of premises, two decimals.
  kArea,      ///< Square kilometres, four decimals.
  // The premises table's kinds (ColumnCatalogue::premises_table()):
  kIdentifier,  ///< A whole-number identifier (the UPRN), written in full.
  kCoordinate,  ///< A coordinate in the study CRS: metres, two decimals (degrees: seven).
  kFlag,        ///< 1 (yes) or 0 (no); empty when not measured.
};

/// What a column measures.
enum class ColumnFamily {
  kIdentity,          ///< level, area_id, area_name.
  kPremises,          ///< premises: the premises assigned to the area.
  kFixedIndicator,    ///< A per-premise fixed-broadband indicator (ColumnSpec::indicator).
  kLandArea,          ///< land_km2.
  kEstimateBase,      ///< est_premises: premises whose postcode has Ofcom data.
  kEstimate,          ///< An Ofcom postcode-level estimate (ColumnSpec::estimate).
  kMobilePremises,    ///< mob_*: premises with mobile coverage (ColumnSpec::mobile).
  kMobileLandShare,   ///< land_*_pct: the share of the area's land with coverage.
  kDigitalExclusion,  ///< digitally_excluded: below the USO and a mobile not-spot.
  kPremiseSource,     ///< Premises table: which fixed-broadband layers answered.
};

/// Who provides the coverage a mobile column counts.
enum class Coverage {
  kOperator,  ///< One operator (MobileSubject::operator_name).
  kAny,       ///< At least one operator.
  kAll,       ///< Every operator of the group.
  kNone,      ///< No operator: a not-spot.
  kPartial,   ///< Some but not all operators: a partial not-spot (premises only).
};

/// What a percentage is a percentage of.
enum class PercentOf {
  kNotAPercentage,
  kPremises,                  ///< The area's premises.
  kLand,                      ///< The area's land.
  kPremisesWithPostcodeData,  ///< est_premises: the base of the estimates.
};

/// Whether a larger figure is good news.
enum class Direction { kNeutral, kHigherIsBetter, kLowerIsBetter };

/// The mobile group, and who covers, of a mob_* or land_* column.
struct MobileSubject {
  std::size_t group = 0;   ///< Position of the group in CatalogueOptions::mobile_groups.
  std::string technology;  ///< As the study names it, e.g. "4G".
  std::string setting;     ///< e.g. "indoor".
  Coverage coverage = Coverage::kAny;
  std::size_t operator_index = 0;  ///< For kOperator: position in the group's operators.
  std::string operator_name;       ///< For kOperator: as the study names it, e.g. "EE".
};

/**
 * One output column, described once: every writer takes its name, type, label, definition
 * and formatting from here instead of working them out from the name.
 */
struct ColumnSpec {
  std::string name;  ///< The CSV header field, e.g. "superfast_pct".
  ColumnKind kind = ColumnKind::kText;
  ColumnFamily family = ColumnFamily::kIdentity;
  std::optional<engine::Indicator> indicator;  ///< For kFixedIndicator.
  std::optional<engine::Estimate> estimate;    ///< For kEstimate.
  std::optional<MobileSubject> mobile;         ///< For kMobilePremises and kMobileLandShare.
  PercentOf percent_of = PercentOf::kNotAPercentage;
  /// The unit in words: "premises", "% of premises", "% of land", "expected premises", "km²";
  /// "text" for text columns.
  std::string unit;
  /// What is measured, shared by a count column and its percentage, e.g. "Superfast (>= 30
  /// Mbit/s)"; thresholds in it are the study's.
  std::string measure;
  /// The measure with its unit, e.g. "Superfast (>= 30 Mbit/s), % of premises": the field
  /// alias in QGIS, the report's table heading.
  std::string label;
  std::string definition;     ///< Plain-language definition, one or two sentences.
  std::string null_meaning;   ///< What an empty cell means, e.g. "The area has no premises."
  std::string number_format;  ///< Excel number format ("#,##0", "0.00"); empty for text.
  int decimals = 0;           ///< Decimals written (CSV and every other output).
  Direction direction = Direction::kNeutral;
  /// A headline figure: shown in the command line's summary, the workbook's Summary sheet and
  /// the report's summary of changes.
  bool summary = false;
  /// The layer kinds (study-file spelling, e.g. "fixed-speeds") the column is computed from,
  /// any one of which makes it measured (indicator_sources()); empty when it needs no layer or
  /// its family exists only with its layers (mobile groups, estimates).
  std::vector<std::string> sources;
  /// False when the run had none of `sources`: every cell of the column is then null (empty in
  /// the CSV, NULL in the GeoPackage, blank in the workbook, "not measured" in the report), never
  /// a measured zero. See docs/null-semantics.md.
  bool measured = true;
};

/// Layer kinds as the study file spells them (`kind = "..."`), for ColumnSpec::sources.
inline constexpr std::string_view kFixedSpeedsKind = "fixed-speeds";
inline constexpr std::string_view kBdukPremisesKind = "bduk-premises";

/**
 * The layer kinds a fixed indicator is computed from; it is measured when the run has at least
 * one of them: gigabit and no_data from fixed-speeds or bduk-premises (a BDUK current_gigabit
 * flag alone makes a premise gigabit-capable); the speed tiers, below_uso and full_fibre from
 * fixed-speeds; the bduk_* statuses from bduk-premises.
 */
std::vector<std::string_view> indicator_sources(engine::Indicator indicator);

/// Whether a column with `sources` is measured by a run whose layers are of `layer_kinds`: it
/// needs no layer (empty sources) or the run has one of them.
bool measured_with(std::span<const std::string> sources, std::span<const std::string> layer_kinds);

/// A mobile group of the run: one technology and setting, its operators in study order.
struct MobileGroupColumns {
  std::string technology;
  std::string setting;
  std::vector<std::string> operators;  ///< As the study names them.
  bool land_shares = false;            ///< Whether the group has land_* columns.
};

/// What a run has, which decides its columns.
struct CatalogueOptions {
  /// The study's `[thresholds]`: the fixed indicators' labels and definitions name them.
  engine::Thresholds thresholds;
  bool land_area = false;  ///< land_km2 (studies with mobile layers).
  bool estimates = false;  ///< est_premises and the measures below (ofcom-postcode layers).
  /// Which estimates the postcode layers have, by engine::Estimate. Only read with estimates.
  std::array<bool, engine::kEstimateCount> estimate_measures{};
  std::vector<MobileGroupColumns> mobile_groups;
  /// `[digital_exclusion]`'s technology and setting, when digital exclusion is computed (a
  /// group of that technology and setting exists); both empty when it is not.
  std::string exclusion_technology;
  std::string exclusion_setting;
  /// The kinds of the study's layers (study-file spelling, e.g. "fixed-speeds"; repeats
  /// allowed): a fixed indicator none of whose indicator_sources() is here is not measured
  /// (ColumnSpec::measured). DEFAULT: both fixed-broadband kinds, every indicator measured.
  std::vector<std::string> layer_kinds = {std::string(kFixedSpeedsKind),
                                          std::string(kBdukPremisesKind)};
  /// The study CRS is geographic: the premises table's x, y are degrees (seven decimals), not
  /// metres (two). Only read by ColumnCatalogue::premises_table().
  bool crs_geographic = false;
};

/// One measure: a count (or estimate, or km²) column and its percentage, or either alone.
struct Measure {
  std::string label;                 ///< ColumnSpec::measure.
  std::optional<std::size_t> value;  ///< Position of the count, estimate or km² column.
  std::optional<std::size_t> share;  ///< Position of the percentage column.
  bool summary = false;              ///< A headline figure (ColumnSpec::summary).
  ColumnFamily family = ColumnFamily::kPremises;
};

/**
 * The columns of parish_stats, in the documented order (README.md): level, area_id,
 * area_name, premises; each fixed indicator and its `_pct`; land_km2 (with mobile layers); the
 * postcode estimates (est_premises, est_<measure>, est_<measure>_pct); for each mobile group
 * its premises counts (mob_<tech>_<setting>_<operator|any|all|none|partial> and `_pct`); then
 * each group's land shares (land_<tech>_<setting>_<operator|any|all|none>_pct);
 * digitally_excluded and its `_pct`.
 *
 * Typical usage:
 * @code
 *   CatalogueOptions options;
 *   options.thresholds = study.thresholds;
 *   options.mobile_groups = {{"4G", "indoor", {"EE", "Three"}, true}};
 *   const ColumnCatalogue columns(options);
 *   for (const ColumnSpec& c : columns) std::puts(c.label.c_str());
 * @endcode
 */
class ColumnCatalogue {
 public:
  ColumnCatalogue() = default;
  /// The columns of a run that has what `options` says.
  explicit ColumnCatalogue(const CatalogueOptions& options);

  /**
   * The columns of the premises table (`[outputs] premises = true`: premises.csv and the
   * `premises` layer of parish_stats.gpkg), one row per premise read, in this order: uprn, x,
   * y, area_id, area_name, status (`assigned` or `outside`); each fixed indicator as a flag
   * named like its parish_stats count column (gigabit ... no_data; empty when not measured);
   * fixed_source (the fixed-broadband layers with a row for the premise, or `none`) and
   * gigabit_source (the layers that make it gigabit-capable); for each mobile group a flag per
   * operator and for any, all, none and partial (mob_<tech>_<setting>_<subject>); then
   * digitally_excluded when computed. A flag counted over the assigned premises of an area
   * gives that area's count column in parish_stats.
   */
  static ColumnCatalogue premises_table(const CatalogueOptions& options);

  std::size_t size() const { return columns_.size(); }
  bool empty() const { return columns_.empty(); }
  const ColumnSpec& operator[](std::size_t i) const { return columns_[i]; }
  std::vector<ColumnSpec>::const_iterator begin() const { return columns_.begin(); }
  std::vector<ColumnSpec>::const_iterator end() const { return columns_.end(); }

  /// Position of the column called `name`; nullopt when the run has no such column.
  std::optional<std::size_t> find(std::string_view name) const;

  /**
   * The listed columns only, in catalogue order, described as in this catalogue (mobile
   * groups keep their positions): for writing part of a table.
   * @throws engine::Error (kInternal) naming a column the catalogue does not have.
   */
  ColumnCatalogue subset(std::span<const std::string_view> names) const;

  /// The measures in column order, each a value column and its percentage as far as the
  /// catalogue has them; identity columns (level, area_id, area_name) are not measures.
  std::vector<Measure> measures() const;

 private:
  std::vector<ColumnSpec> columns_;
};

/// "EE" -> "ee", "Virgin Media O2" -> "virgin_media_o2": operator names, technologies and
/// settings as they appear in column names.
std::string column_slug(std::string_view text);

/// "4G", "indoor", "Virgin Media" -> "4g_indoor_virgin_media": the part of a mobile column's
/// name after `mob_` or `land_` (`subject` is an operator or any, all, none, partial).
std::string mobile_column_stem(std::string_view technology, std::string_view setting,
                               std::string_view subject);

/// The names the columns of one operator (or combination) of a mobile group may take:
/// mob_<stem>, mob_<stem>_pct, land_<stem>_pct. The study loader checks with them that no two
/// layers, and no layer and its group's combinations, share a column.
std::vector<std::string> mobile_column_names(std::string_view technology, std::string_view setting,
                                             std::string_view subject);

/// The names of a mobile group's combination columns (any, all, none, partial), as
/// mobile_column_names() gives them.
std::vector<std::string> mobile_group_column_names(std::string_view technology,
                                                   std::string_view setting);

}  // namespace notspot::outputs
