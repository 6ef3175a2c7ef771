#include "notspot/io/geopackage_writer.hpp"

#include <cmath>
#include <iterator>
#include <utility>

#include "detail/gdal_util.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

// Fixed so that identical runs write identical bytes.
constexpr const char* kFixedTimestamp = "2000-01-01T00:00:00.000Z";

OGRLinearRing* to_ogr_ring(const engine::Ring& ring) {
  auto* out = new OGRLinearRing();
  out->setNumPoints(static_cast<int>(ring.size() + 1));
  for (std::size_t i = 0; i < ring.size(); ++i)
    out->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
  if (!ring.empty()) out->setPoint(static_cast<int>(ring.size()), ring[0].x, ring[0].y);
  return out;
}

OGRMultiPolygon to_ogr(const engine::MultiPolygon& mp) {
  OGRMultiPolygon out;
  for (const engine::Polygon& p : mp) {
    auto* polygon = new OGRPolygon();
    polygon->addRingDirectly(to_ogr_ring(p.exterior));
    for (const engine::Ring& hole : p.holes) polygon->addRingDirectly(to_ogr_ring(hole));
    out.addGeometryDirectly(polygon);
  }
  return out;
}

void check(OGRErr err, const std::string& what, const std::filesystem::path& path,
           const detail::GdalErrorCapture& capture) {
  if (err != OGRERR_NONE) {
    throw engine::input_error(path.string() + ": cannot write " + what + ": " +
                              capture.last_error());
  }
}

}  // namespace

void write_parish_geopackage(const std::filesystem::path& path, std::span<const Area> areas,
                             const StatsTable& table, const Crs& crs,
                             const engine::PremisesTable& premises,
                             std::span<const std::uint32_t> area_of_premise) {
  detail::ensure_gdal();
  detail::GdalErrorCapture capture;
  // The file is written in a staging folder and made durable by OutputDirectory::publish()
  // before it becomes visible, so SQLite's own journal and syncs would only slow the writing
  // (millions of outside premises took a minute with them); a larger page cache avoids
  // re-reading pages of the growing file.
  const std::pair<const char*, const char*> options[] = {
      {"OGR_CURRENT_DATE", kFixedTimestamp},
      {"OGR_SQLITE_SYNCHRONOUS", "OFF"},
      {"OGR_SQLITE_JOURNAL", "OFF"},
      {"OGR_SQLITE_CACHE", "512"},
  };
  for (const auto& [key, value] : options) CPLSetThreadLocalConfigOption(key, value);
  struct ResetOptions {
    const std::pair<const char*, const char*>* begin;
    const std::pair<const char*, const char*>* end;
    ~ResetOptions() {
      for (auto* o = begin; o != end; ++o) CPLSetThreadLocalConfigOption(o->first, nullptr);
    }
  } reset_options{std::begin(options), std::end(options)};

  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (driver == nullptr) throw engine::input_error("GDAL has no GeoPackage driver");
  GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) {
    throw engine::input_error(path.string() +
                              ": cannot create GeoPackage: " + capture.last_error());
  }
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (srs.SetFromUserInput(crs.wkt().c_str()) != OGRERR_NONE) {
    throw engine::input_error("GDAL cannot use the study CRS " + crs.describe());
  }

  const char* area_options[] = {"FID=fid", "GEOMETRY_NAME=geom",
                                "DESCRIPTION=Fixed-broadband indicators per area (notspot)",
                                nullptr};
  OGRLayer* layer =
      ds->CreateLayer("parish_stats", &srs, wkbMultiPolygon, const_cast<char**>(area_options));
  if (layer == nullptr) {
    throw engine::input_error(path.string() + ": cannot create layer: " + capture.last_error());
  }
  auto add_field = [&](OGRLayer* l, const char* name, OGRFieldType type) {
    OGRFieldDefn field(name, type);
    check(l->CreateField(&field), std::string("field ") + name, path, capture);
  };
  for (const Column& c : table.columns) {
    if (c.name == "level") continue;  // every feature is an area
    add_field(layer, c.name.c_str(),
              c.kind == ColumnKind::kText    ? OFTString
              : c.kind == ColumnKind::kCount ? OFTInteger64
                                             : OFTReal);
  }

  check(ds->StartTransaction(), "transaction", path, capture);
  for (std::size_t a = 0; a < areas.size(); ++a) {
    OGRFeature feature(layer->GetLayerDefn());
    const std::vector<Cell>& row = table.rows[a];
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const Column& c = table.columns[i];
      if (c.name == "level") continue;
      const int field = feature.GetFieldIndex(c.name.c_str());
      if (const auto* text = std::get_if<std::string>(&row[i])) {
        feature.SetField(field, text->c_str());
      } else if (const auto* count = std::get_if<std::uint64_t>(&row[i])) {
        feature.SetField(field, static_cast<GIntBig>(*count));
      } else {
        const double value = cell_number(row[i], c.kind);
        if (std::isnan(value)) {
          feature.SetFieldNull(field);
        } else {
          feature.SetField(field, value);
        }
      }
    }
    if (!areas[a].geometry.empty()) {
      OGRMultiPolygon geometry = to_ogr(areas[a].geometry);
      feature.SetGeometry(&geometry);
    }
    check(layer->CreateFeature(&feature), "area " + areas[a].id, path, capture);
  }
  check(ds->CommitTransaction(), "areas", path, capture);

  // No spatial index for the outside premises: GDAL 3.6 fills a GeoPackage R-tree one SQLite
  // insert at a time, about 20 microseconds per point, which made this diagnostic layer the
  // slowest output of a national run (200,000 points, 5 s). QGIS draws it without one and can
  // add one on demand (Layer Properties > Source > Create Spatial Index).
  const char* point_options[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=NO",
                                 "DESCRIPTION=Premises outside every area (notspot)", nullptr};
  OGRLayer* outside =
      ds->CreateLayer("premises_outside", &srs, wkbPoint, const_cast<char**>(point_options));
  if (outside == nullptr) {
    throw engine::input_error(path.string() + ": cannot create layer: " + capture.last_error());
  }
  add_field(outside, "premise_id", OFTInteger64);
  add_field(outside, "source_line", OFTInteger64);
  check(ds->StartTransaction(), "transaction", path, capture);
  // One feature and point reused for every row: constructing them per premise was half the
  // cost of this layer (tens of thousands of outside premises nationally).
  OGRFeature feature(outside->GetLayerDefn());
  feature.SetGeometryDirectly(new OGRPoint(0, 0));
  OGRPoint* point = feature.GetGeometryRef()->toPoint();
  for (std::size_t i = 0; i < area_of_premise.size(); ++i) {
    if (area_of_premise[i] != engine::AreaIndex::kOutside) continue;
    feature.SetFID(OGRNullFID);
    feature.SetField(0, static_cast<GIntBig>(premises.id[i]));
    feature.SetField(1, static_cast<GIntBig>(premises.line[i]));
    point->setX(premises.x[i]);
    point->setY(premises.y[i]);
    check(outside->CreateFeature(&feature), "premise", path, capture);
  }
  check(ds->CommitTransaction(), "outside premises", path, capture);
  ds.reset();  // closes the file; GDAL reports failures through the capture
  if (!capture.last_error().empty()) {
    throw engine::input_error(path.string() +
                              ": cannot finish GeoPackage: " + capture.last_error());
  }
}

}  // namespace notspot::io
