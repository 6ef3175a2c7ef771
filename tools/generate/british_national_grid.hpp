#pragma once

#include <memory>
#include <span>

class OGRCoordinateTransformation;
class OGRSpatialReference;

namespace notspot::generate {

/**
 * Transforms between WGS84 longitude/latitude and British National Grid (EPSG:27700) with one
 * fixed coordinate operation: the EPSG "OSGB36 to WGS 84 (6)" Helmert transformation (about
 * 2 m accurate). PROJ would pick OSTN15 instead where its grid happens to be installed, which
 * would make the generated sample differ between machines; pinning the operation keeps it
 * reproducible. Longitude comes first (traditional GIS order), whatever EPSG:4326 says.
 *
 * Typical usage:
 * @code
 *   BritishNationalGrid bng;
 *   bng.from_wgs84(xs, ys);   // in: lon, lat; out: easting, northing
 * @endcode
 */
class BritishNationalGrid {
 public:
  /// @throws Error (kInput) when PROJ cannot build the transformations (broken proj.db).
  BritishNationalGrid();
  ~BritishNationalGrid();
  BritishNationalGrid(const BritishNationalGrid&) = delete;
  BritishNationalGrid& operator=(const BritishNationalGrid&) = delete;

  /// In place: longitudes/latitudes become eastings/northings. @throws Error on failure.
  void from_wgs84(std::span<double> x, std::span<double> y) const;
  /// In place: eastings/northings become longitudes/latitudes. @throws Error on failure.
  void to_wgs84(std::span<double> x, std::span<double> y) const;

  /// EPSG:27700 with traditional axis order, for layers being written.
  const OGRSpatialReference& bng() const { return *bng_; }
  /// EPSG:4326 with traditional axis order (longitude first).
  const OGRSpatialReference& wgs84() const { return *wgs84_; }
  /// The WGS84 → BNG transformation, for OGRGeometry::transform().
  OGRCoordinateTransformation& wgs84_to_bng() const { return *to_bng_; }

 private:
  struct TransformDeleter {
    void operator()(OGRCoordinateTransformation* t) const noexcept;
  };
  struct SrsDeleter {
    void operator()(OGRSpatialReference* s) const noexcept;
  };
  std::unique_ptr<OGRSpatialReference, SrsDeleter> wgs84_;
  std::unique_ptr<OGRSpatialReference, SrsDeleter> bng_;
  std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> to_bng_;
  std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> to_wgs84_;
};

}  // namespace notspot::generate
