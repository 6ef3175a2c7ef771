#pragma once

#include <geos_c.h>

#include <memory>
#include <optional>
#include <string>

#include "notspot/engine/geometry.hpp"

namespace notspot::engine {

/// Deleter for GEOS geometries: needs the context that made them.
struct GeosGeometryDeleter {
  GEOSContextHandle_t handle = nullptr;
  void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(handle, g); }
};
using GeosGeometry = std::unique_ptr<GEOSGeometry, GeosGeometryDeleter>;

struct GeosPreparedDeleter {
  GEOSContextHandle_t handle = nullptr;
  void operator()(const GEOSPreparedGeometry* g) const noexcept {
    GEOSPreparedGeom_destroy_r(handle, g);
  }
};
using GeosPrepared = std::unique_ptr<const GEOSPreparedGeometry, GeosPreparedDeleter>;

/// What repair_polygonal() did to one geometry.
struct RepairReport {
  bool was_invalid = false;
  std::string reason;  ///< GEOS's validity reason, e.g. "Self-intersection[412 87]".
  double area_before = 0;
  double area_after = 0;
};

/**
 * A GEOS context (reentrant C API) and move-only conversions between engine geometry and GEOS.
 * One context per thread: a GeosContext must not be used by two threads at once.
 *
 * Typical usage:
 * @code
 *   GeosContext geos;
 *   GeosGeometry g = geos.to_geos(parish);
 *   RepairReport report;
 *   MultiPolygon valid = geos.repair_polygonal(parish, report);
 * @endcode
 */
class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  GEOSContextHandle_t handle() const { return handle_; }

  /// Takes ownership of a raw result; throws Error (kInternal) with GEOS's message on null.
  GeosGeometry own(GEOSGeometry* g, const char* what) const;

  GeosGeometry to_geos(const MultiPolygon& multipolygon) const;
  GeosGeometry to_geos(Point p) const;

  /// The polygonal parts of any geometry (Polygon, MultiPolygon, or those inside a collection);
  /// points and lines are dropped.
  MultiPolygon polygonal_parts(const GEOSGeometry* g) const;

  /// nullopt when valid, else GEOS's reason.
  std::optional<std::string> invalid_reason(const GEOSGeometry* g) const;

  /// Returns a valid version of the multipolygon (GEOS make-valid, "structure" method, which
  /// keeps the area a ring encloses), and says what was wrong. Valid input is returned as is;
  /// when only some parts are invalid and the repaired parts touch nothing else, only those
  /// parts are repaired (the rest kept exactly), otherwise the whole multipolygon is.
  MultiPolygon repair_polygonal(const MultiPolygon& multipolygon, RepairReport& report) const;

  /// GEOS make-valid ("structure" method, collapsed parts dropped): the polygonal result.
  MultiPolygon make_valid(const GEOSGeometry* g) const;

  GeosPrepared prepare(const GEOSGeometry* g) const;

  /// Error text from the last GEOS call that failed on this context.
  const std::string& last_error() const { return last_error_; }

 private:
  std::optional<MultiPolygon> repair_invalid_parts(const MultiPolygon& multipolygon) const;

  GEOSContextHandle_t handle_;
  std::string last_error_;
};

}  // namespace notspot::engine
