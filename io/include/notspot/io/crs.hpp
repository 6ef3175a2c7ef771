#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "notspot/engine/geometry.hpp"
#include "notspot/engine/point_transform.hpp"

namespace notspot::io {

/**
 * A coordinate reference system, as PROJ understands it. Immutable and thread-safe: it keeps
 * the CRS's WKT and facts about it, and each transformation makes its own PROJ context.
 * Coordinates are always in "GIS order": x = easting or longitude, y = northing or latitude,
 * whatever the CRS's official axis order (EPSG:4326 is latitude first), so that lon/lat data
 * never comes out axis-swapped.
 */
class Crs {
 public:
  /**
   * @param definition "EPSG:27700", WKT, PROJJSON or a PROJ string.
   * @param context prefix for error messages, e.g. "study.toml:3: [study] crs".
   * @throws engine::Error (kStudy) when PROJ does not know the CRS.
   */
  static Crs from_definition(const std::string& definition, const std::string& context);

  /// From a WKT read out of a data file. @throws engine::Error (kInput).
  static Crs from_wkt(const std::string& wkt, const std::string& context);

  const std::string& definition() const { return definition_; }
  const std::string& wkt() const { return wkt_; }
  const std::string& name() const { return name_; }
  /// "EPSG:27700" when PROJ can identify the CRS in its database, else empty.
  const std::string& authority_code() const { return authority_code_; }
  bool is_geographic() const { return geographic_; }
  /// The CRS's area of use in its own coordinates (x = east), when PROJ knows it.
  const std::optional<engine::Box>& bounds() const { return bounds_; }
  /// "EPSG:27700 (OSGB36 / British National Grid)", for logs and the manifest.
  std::string describe() const;

  /// Same CRS, ignoring the official axis order of geographic CRSs.
  bool equivalent_to(const Crs& other) const;

 private:
  friend struct CrsBuilder;
  std::string definition_;
  std::string wkt_;
  std::string name_;
  std::string authority_code_;
  bool geographic_ = false;
  std::optional<engine::Box> bounds_;
};

/**
 * Transforms coordinates between two CRSs with PROJ (the best transformation PROJ selects
 * for the area; datum grids are used when installed). One instance per thread: it owns a PROJ
 * context. Points that cannot be transformed come out as infinity. It is the
 * engine::PointTransform that engine functions are given (see transform_factory()).
 *
 * Typical usage:
 * @code
 *   CoordinateTransform to_study(layer_crs, study_crs);
 *   to_study.transform(xs, ys);
 * @endcode
 */
class CoordinateTransform final : public engine::PointTransform {
 public:
  /// @throws engine::Error (kInput) when PROJ finds no transformation.
  CoordinateTransform(const Crs& from, const Crs& to);
  ~CoordinateTransform();
  CoordinateTransform(CoordinateTransform&&) noexcept;
  CoordinateTransform& operator=(CoordinateTransform&&) noexcept;

  /// True when the two CRSs are the same: transform() is then a no-op.
  bool is_identity() const override;

  /// Transforms in place. REQUIRES: x.size() == y.size().
  void transform(std::span<double> x, std::span<double> y) const override;
  /// And a point, or every vertex of a multipolygon.
  using engine::PointTransform::transform;

  /// PROJ's description of the operation, e.g. "Inverse of British National Grid + ...".
  std::string description() const;

  /// True when notspot evaluates PROJ's operation itself (engine::PipelineTransform): its
  /// PROJ pipeline has only steps notspot implements as PROJ does (axisswap, unitconvert,
  /// push/pop v_3, cart, helmert, tmerc/etmerc/utm, longlat) and, on a grid over the area of
  /// use, every point agrees with PROJ within 1 mm. Points outside that operation's area of
  /// use still go through PROJ.
  bool uses_pipeline() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/**
 * The coordinate operation PROJ uses to go from one CRS to another near a point, and, when a more
 * accurate operation exists that this PROJ installation cannot use (its grid is not installed),
 * that operation and the grids it needs. For the manifest and the "install the grid" warning.
 *
 * Typical usage:
 * @code
 *   TransformationChoice c = choose_transformation(premises_crs, study_crs, premise_in_study_crs);
 *   if (!c.is_best()) log.warn(...c.missing_grids...);
 * @endcode
 */
struct TransformationChoice {
  /// PROJ's name of the operation, e.g. "Inverse of OSGB36 to WGS 84 (6) + British National
  /// Grid"; "none (same CRS)" when the CRSs are the same.
  std::string operation;
  /// PROJ's stated accuracy in metres; empty when PROJ does not know it (e.g. a ballpark
  /// transformation) and for the same CRS.
  std::optional<double> accuracy_m;
  bool identity = false;
  /// A more accurate operation that cannot be used here; empty when `operation` is the best.
  std::string best_operation;
  std::optional<double> best_accuracy_m;
  /// The grids `best_operation` needs that PROJ cannot find, by file name
  /// (e.g. "uk_os_OSTN15_NTv2_OSGBtoETRS.tif").
  std::vector<std::string> missing_grids;

  bool is_best() const { return best_operation.empty(); }
  /// "Inverse of ... (accuracy 2 m)", for logs.
  std::string describe() const;
};

/**
 * Chooses as PROJ does when it transforms a point near `near` (in the coordinates of `to`, e.g.
 * a premise already in the study CRS): the operation PROJ actually uses there, found by
 * transforming that point, and the most accurate operation PROJ knows for that place whether or
 * not its grids are installed. Without `near`, the centre of `to`'s area of use stands in.
 * @throws engine::Error (kInput) when PROJ finds no transformation.
 */
TransformationChoice choose_transformation(const Crs& from, const Crs& to,
                                           std::optional<engine::Point> near);

/// PROJ's search path for data files (grids), as PROJ reports it: "/root/.local/share/proj:...".
std::string proj_search_path();

/**
 * Makes CoordinateTransforms from `from` to `to`, a new one each call: for the engine functions
 * that reproject in parallel with one transformation per thread. The factory keeps its own
 * copies of the two CRSs.
 */
engine::PointTransformFactory transform_factory(const Crs& from, const Crs& to);

}  // namespace notspot::io
