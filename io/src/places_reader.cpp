#include "notspot/io/places_reader.hpp"

#include <fmt/format.h>

#include <cmath>

#include "detail/gdal_util.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/polygon_ops.hpp"

namespace notspot::io {

PlacesLoad read_places(const PlacesSource& source, const Crs& study_crs, const std::string& display,
                       ProblemLog& log) {
  const GDALDatasetUniquePtr dataset = detail::open_vector(source.path, display);
  const std::string key = source.where.describe() + " [report] places";
  OGRLayer* layer = detail::pick_layer(*dataset, source.layer, display, key + " layer");
  PlacesLoad load;
  load.layer = layer->GetName();
  if (layer->GetFeatureCount(TRUE) == 0) {
    log.warn("places", display + ": layer '" + layer->GetName() +
                           "' has no features; the maps have no place labels");
    return load;
  }
  const int name_index =
      detail::require_field(*layer, source.name_field, display, key + " name_field");
  int rank_index = -1;
  if (source.rank_field) {
    rank_index = detail::require_field(*layer, *source.rank_field, display, key + " rank_field");
  }
  load.filter =
      detail::apply_attribute_filter(*layer, source.attribute_filter, display, key + " where");
  const Crs crs =
      detail::resolve_crs(layer->GetSpatialRef(), source.crs, display,
                          std::string("layer '") + layer->GetName() + "'", key, "places", log);
  load.source_crs = crs.describe();
  const CoordinateTransform to_study(crs, study_crs);
  const engine::GeosContext geos;
  std::string first_skipped;
  GdalErrorCapture capture;
  layer->ResetReading();
  for (auto& feature : *layer) {
    ++load.features_read;
    Place place;
    if (feature->IsFieldSetAndNotNull(name_index))
      place.name = feature->GetFieldAsString(name_index);
    const OGRGeometry* g = feature->GetGeometryRef();
    bool usable = !place.name.empty() && g != nullptr && !g->IsEmpty();
    if (usable && wkbFlatten(g->getGeometryType()) == wkbPoint) {
      const auto* point = g->toPoint();
      place.anchor = to_study.transform(engine::Point{point->getX(), point->getY()});
    } else if (usable) {
      (void)detail::collect_polygons(g, place.geometry);
      usable = !place.geometry.empty();
      if (usable) {
        to_study.transform(place.geometry);
        usable = engine::all_finite(place.geometry);
      }
      if (usable) {
        engine::RepairReport report;
        place.geometry = geos.repair_polygonal(place.geometry, report);
        const std::optional<engine::Point> p = engine::point_on_surface(geos, place.geometry);
        usable = p.has_value();
        if (p) place.anchor = *p;
      }
    }
    usable = usable && std::isfinite(place.anchor.x) && std::isfinite(place.anchor.y);
    if (usable && rank_index >= 0 && feature->IsFieldSetAndNotNull(rank_index)) {
      place.rank = feature->GetFieldAsDouble(rank_index);
    }
    if (!usable) {
      if (load.skipped++ == 0) first_skipped = fmt::format("feature {}", feature->GetFID());
      continue;
    }
    load.places.push_back(std::move(place));
  }
  if (!capture.last_error().empty()) {
    throw engine::input_error(display + ": reading failed part-way: " + capture.last_error() +
                              "; is the file complete?");
  }
  if (load.skipped > 0) {
    log.warn("places", fmt::format("{}: {} feature(s) have no {} or no point or polygon (e.g. {}); "
                                   "they are not labelled",
                                   display, load.skipped, source.name_field, first_skipped));
  }
  return load;
}

}  // namespace notspot::io
