#include "notspot/io/areas_reader.hpp"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "detail/gdal_util.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/polygon_ops.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {
namespace {

// An opened areas layer, its fields and CRS.
struct OpenedAreas {
  GDALDatasetUniquePtr dataset;
  OGRLayer* layer = nullptr;
  int id_index = -1;
  int name_index = -1;  // -1: the id is the name
  Crs crs;
  std::optional<AttributeFilterResult> filter;  // `where`, applied to `layer`
};

engine::Error no_features_error(const std::string& display, OGRLayer& layer) {
  return engine::input_error(display + ": layer '" + layer.GetName() +
                             "' has no features; a study needs at least one area");
}

OpenedAreas open_areas(const AreasSource& source, const std::string& display, ProblemLog& log) {
  OpenedAreas out;
  out.dataset = detail::open_vector(gdal_input_name(source.path, source.member, display), display);
  const std::string key = source.where.describe() + " [areas]";
  out.layer = detail::pick_layer(*out.dataset, source.layer, display, key + " layer");
  // Before the fields: formats without a schema (GeoJSON) have no fields when empty.
  if (out.layer->GetFeatureCount(TRUE) == 0) throw no_features_error(display, *out.layer);
  out.id_index = detail::require_field(*out.layer, source.id_field, display, key + " id");
  if (source.name_field) {
    out.name_index = detail::require_field(*out.layer, *source.name_field, display, key + " name");
  }
  out.filter =
      detail::apply_attribute_filter(*out.layer, source.attribute_filter, display, key + " where");
  out.crs =
      detail::resolve_crs(out.layer->GetSpatialRef(), source.crs, display,
                          std::string("layer '") + out.layer->GetName() + "'", key, "areas", log);
  return out;
}

}  // namespace

AreasInspection inspect_areas(const AreasSource& source, const std::string& display,
                              ProblemLog& log) {
  OpenedAreas opened = open_areas(source, display, log);
  std::string description =
      fmt::format("{} layer '{}', {} features", display, opened.layer->GetName(),
                  opened.filter ? static_cast<GIntBig>(opened.filter->features_in_layer)
                                : opened.layer->GetFeatureCount(TRUE));
  if (opened.filter) {
    description += fmt::format(", {} selected by where \"{}\"", opened.filter->features_selected,
                               opened.filter->clause);
  }
  AreasInspection inspection{std::move(description), opened.crs, std::nullopt, opened.filter};
  OGREnvelope envelope;
  if (opened.filter) {
    // Drivers with a stored extent (GeoPackage) give the whole layer's, whatever the filter:
    // validate checks the premises against the selected areas, so those are measured.
    for (auto& feature : *opened.layer) {
      OGREnvelope one;
      if (const OGRGeometry* g = feature->GetGeometryRef(); g != nullptr && !g->IsEmpty()) {
        g->getEnvelope(&one);
        envelope.Merge(one);
      }
    }
    opened.layer->ResetReading();
    if (envelope.IsInit()) {
      inspection.extent = engine::Box{envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY};
    }
  } else if (opened.layer->GetExtent(&envelope, TRUE) == OGRERR_NONE && envelope.IsInit()) {
    inspection.extent = engine::Box{envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY};
  }
  return inspection;
}

AreasLoad read_areas(const AreasSource& source, const Crs& study_crs, const std::string& display,
                     ProblemLog& log) {
  OpenedAreas opened = open_areas(source, display, log);
  OGRLayer* layer = opened.layer;
  const int id_index = opened.id_index;
  const int name_index = opened.name_index;
  const Crs& crs = opened.crs;

  AreasLoad load;
  load.layer = layer->GetName();
  load.source_crs = crs.describe();
  load.crs = crs;
  load.filter = opened.filter;
  const CoordinateTransform to_study(crs, study_crs);
  load.transformation = to_study.description();

  // GDAL hands features over one at a time; checking and repairing them with GEOS is most of
  // the work (nationally 5 million vertices), so it runs in parallel between two serial passes
  // that keep the file's order for warnings and merging.
  struct Feature {
    std::int64_t fid;
    std::string id;
    std::string name;
    std::string label;
    std::string not_polygon;  // why the feature has no polygon, or ""
    std::string kind;         // its geometry type when it has no polygon ("Point")
    std::size_t unclosed_rings = 0;
    engine::MultiPolygon geometry;
    engine::RepairReport report;
  };
  std::vector<Feature> features;
  std::uint64_t curved = 0;  // features whose arcs were linearised
  GdalErrorCapture capture;
  layer->ResetReading();
  for (auto& feature : *layer) {
    ++load.features_read;
    Feature& f = features.emplace_back();
    f.fid = feature->GetFID();
    const std::string where = fmt::format("{}: feature {}", display, f.fid);
    if (!feature->IsFieldSetAndNotNull(id_index) ||
        std::string(feature->GetFieldAsString(id_index)).empty()) {
      throw engine::input_error(where + " has no " + source.id_field +
                                "; every area needs an id: fill it in or remove the feature");
    }
    f.id = feature->GetFieldAsString(id_index);
    f.name = name_index >= 0 && feature->IsFieldSetAndNotNull(name_index)
                 ? feature->GetFieldAsString(name_index)
                 : f.id;
    f.label = fmt::format("{} ({})", where, f.id);
    const OGRGeometry* g = feature->GetGeometryRef();
    std::size_t curved_parts = 0;
    f.unclosed_rings = detail::collect_polygons(g, f.geometry, &curved_parts);
    curved += curved_parts > 0;
    if (f.geometry.empty()) {
      f.kind = g == nullptr ? "no geometry"
               : g->IsEmpty() ? "empty geometry"
                              : OGRGeometryTypeToName(g->getGeometryType());
      f.not_polygon =
          g == nullptr ? "no geometry"
          : g->IsEmpty()
              ? "an empty geometry"
              : std::string("a ") + OGRGeometryTypeToName(g->getGeometryType()) + ", not a polygon";
      continue;
    }
    to_study.transform(f.geometry);
    if (!engine::all_finite(f.geometry)) {
      throw engine::input_error(f.label + ": coordinates cannot be transformed from " +
                                crs.describe() + " to the study CRS " + study_crs.describe() +
                                "; is the layer's CRS right?");
    }
  }

  tbb::enumerable_thread_specific<engine::GeosContext> contexts;
  tbb::parallel_for(std::size_t{0}, features.size(), [&](std::size_t i) {
    Feature& f = features[i];
    if (!f.geometry.empty()) f.geometry = contexts.local().repair_polygonal(f.geometry, f.report);
  });

  if (curved > 0) log.warn("areas", detail::curve_warning(display, curved));
  engine::GeosContext geos;
  std::map<std::string, Area> by_id;  // sorted by id, byte order
  for (Feature& f : features) {
    engine::MultiPolygon& geometry = f.geometry;
    if (!f.not_polygon.empty()) {
      ++load.without_polygon;
      log.warn("areas", f.label + " has " + f.not_polygon +
                            "; the area is kept with no extent and gets "
                            "no premises");
    } else if (f.report.was_invalid || f.unclosed_rings > 0) {
      ++load.repaired;
      if (f.unclosed_rings > 0) {
        log.warn("areas", fmt::format("{}: {} ring(s) not closed (the last point is not the "
                                      "first); closed by joining the last point to the first",
                                      f.label, f.unclosed_rings));
      }
      if (f.report.was_invalid) {
        log.warn("areas",
                 fmt::format("{}: invalid polygon ({}) repaired with GEOS make-valid; "
                             "area {:.1f} -> {:.1f} square units",
                             f.label, f.report.reason, f.report.area_before, f.report.area_after));
      }
    }

    auto [it, inserted] = by_id.try_emplace(f.id);
    Area& area = it->second;
    if (inserted) {
      area.id = f.id;
      area.name = f.name;
    } else {
      if (area.name != f.name) {
        throw engine::input_error(fmt::format(
            "{}: features {} and {} share the id '{}' but have different names ('{}', '{}'); "
            "ids must identify one area: correct the ids or names",
            display, area.features.front(), f.fid, f.id, area.name, f.name));
      }
      ++load.merged;
      log.warn("areas", fmt::format("{}: feature {} has the same id '{}' as feature {}; merged "
                                    "into one area",
                                    display, f.fid, f.id, area.features.front()));
      if (!geometry.empty()) {
        geometry = engine::dissolve(geos, {std::move(area.geometry), std::move(geometry)});
        area.geometry.clear();
      }
    }
    area.features.push_back(f.fid);
    for (engine::Polygon& p : geometry) area.geometry.push_back(std::move(p));
  }
  if (!capture.last_error().empty()) {
    throw engine::input_error(display + ": reading failed part-way: " + capture.last_error() +
                              "; is the file complete?");
  }
  if (load.features_read == 0) throw no_features_error(display, *layer);
  if (load.without_polygon == load.features_read) {
    // Not one polygon: points or lines given as areas. Every premise would be outside, so
    // the run would publish a study of nobody; name what the layer holds instead.
    std::map<std::string, std::uint64_t> kinds;
    for (const Feature& f : features) ++kinds[f.kind];
    std::string found;
    for (const auto& [kind, count] : kinds) {
      if (!found.empty()) found += ", ";
      found += fmt::format("{}: {}", kind, count);
    }
    // A study error (exit 2): what to fix is which layer the study names as its areas.
    throw engine::study_error(fmt::format(
        "{}: layer '{}' has no polygons at all (geometry types found, with counts: {}); areas must be polygons or multipolygons "
        "(boundaries, not points or lines): point [areas] path at the boundary layer",
        display, load.layer, found));
  }
  load.areas.reserve(by_id.size());
  for (auto& [id, area] : by_id) load.areas.push_back(std::move(area));
  return load;
}

}  // namespace notspot::io
