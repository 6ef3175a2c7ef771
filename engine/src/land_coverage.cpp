#include "notspot/engine/land_coverage.hpp"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <utility>

#include "notspot/engine/error.hpp"
#include "notspot/engine/footprint_index.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"

namespace notspot::engine {
namespace {

// A geographic raster's cells shrink towards the poles: weight each by cos(latitude) so that
// land shares are shares of real area.
void weight_by_latitude(std::vector<CellArea>& cells, const Grid& grid, double& area_total,
                        double polygon_area, double fallback_latitude) {
  double on_grid = 0, weighted = 0;
  for (CellArea& c : cells) {
    const double latitude = grid.cell_ymax(c.row) - 0.5 * grid.cell_height;
    on_grid += c.area;
    c.area *= std::cos(latitude * std::numbers::pi / 180.0);
    weighted += c.area;
  }
  area_total = weighted + std::max(0.0, polygon_area - on_grid) *
                              std::cos(fallback_latitude * std::numbers::pi / 180.0);
}

// An area's geometry in another CRS.
MultiPolygon transformed(const MultiPolygon& geometry, const PointTransform& transform) {
  MultiPolygon out = geometry;
  transform.transform(out);
  return out;
}

// Groups whose rasters are on equal grids in the same LandCrs share an area's cells.
struct Frame {
  const Grid* grid;
  std::size_t crs;
  std::vector<std::size_t> members;  // indexes into the groups
};

std::vector<Frame> frames_of(std::span<const RasterLandGroup> groups, std::size_t crs_count) {
  std::vector<Frame> frames;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].rasters.empty() || groups[g].crs >= crs_count) {
      throw internal_error("raster_land_shares: a group without rasters or LandCrs");
    }
    const Grid& grid = groups[g].rasters[0]->grid;
    auto same = [&](const Frame& f) { return *f.grid == grid && f.crs == groups[g].crs; };
    auto frame = std::find_if(frames.begin(), frames.end(), same);
    if (frame == frames.end()) frame = frames.insert(frames.end(), {&grid, groups[g].crs, {}});
    frame->members.push_back(g);
  }
  return frames;
}

}  // namespace

std::vector<std::vector<GroupAreaCoverage>> raster_land_shares(
    std::span<const RasterLandGroup> groups, std::span<const LandCrs> crss,
    std::span<const MultiPolygon* const> areas) {
  const std::vector<Frame> frames = frames_of(groups, crss.size());
  std::vector<std::vector<GroupAreaCoverage>> out(groups.size(),
                                                  std::vector<GroupAreaCoverage>(areas.size()));
  // One transform per thread and CRS (PROJ transformations are not thread-safe).
  using Transforms = std::vector<std::unique_ptr<PointTransform>>;
  tbb::enumerable_thread_specific<Transforms> transforms([&] { return Transforms(crss.size()); });
  tbb::parallel_for(std::size_t{0}, areas.size(), [&](std::size_t a) {
    Transforms& local = transforms.local();
    for (const Frame& f : frames) {
      std::unique_ptr<PointTransform>& transform = local[f.crs];
      if (!transform) transform = crss[f.crs].from_areas();
      const MultiPolygon geometry = transformed(*areas[a], *transform);
      std::vector<CellArea> cells = cell_areas(geometry, *f.grid);
      double total = area(geometry);
      if (crss[f.crs].geographic) {
        const Box b = bounding_box(geometry);
        weight_by_latitude(cells, *f.grid, total, total, 0.5 * (b.ymin + b.ymax));
      }
      for (std::size_t g : f.members) {
        out[g][a] = group_area_coverage(cells, total, groups[g].rasters);
      }
    }
  });
  return out;
}

namespace {

double geos_area(const GeosContext& geos, const GEOSGeometry* g) {
  double a = 0;
  GEOSArea_r(geos.handle(), g, &a);
  return a;
}

// The footprint layers of a group, indexed in the land CRS.
struct FootprintLayers {
  std::vector<std::unique_ptr<FootprintIndex>> indexes;
  std::vector<std::size_t> slots;  // each layer's operator in the group
};

FootprintLayers index_footprints(std::span<const LandLayer> layers, const PointTransform& to_land,
                                 const GeosContext& geos) {
  FootprintLayers out;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    if (layers[k].footprints == nullptr) continue;
    MultiPolygon footprint = *layers[k].footprints;
    if (!to_land.is_identity()) {
      to_land.transform(footprint);
      RepairReport report;
      footprint = geos.repair_polygonal(footprint, report);
    }
    out.indexes.push_back(std::make_unique<FootprintIndex>(footprint, geos));
    out.slots.push_back(k);
  }
  return out;
}

// The part of an area each footprint layer covers, and the union and intersection of those.
struct AreaOverlay {
  std::vector<double> by_layer;  // area covered, per footprint layer
  GeosGeometry any;
  GeosGeometry all;
};

AreaOverlay overlay_area(const FootprintLayers& footprints, const GEOSGeometry* area,
                         const GeosContext& geos) {
  AreaOverlay out;
  std::vector<GeosGeometry> pieces;
  for (const std::unique_ptr<FootprintIndex>& index : footprints.indexes) {
    pieces.push_back(index->intersection(area));
    out.by_layer.push_back(geos_area(geos, pieces.back().get()));
  }
  out.any = geos.own(GEOSGeom_clone_r(geos.handle(), pieces[0].get()), "clone");
  out.all = geos.own(GEOSGeom_clone_r(geos.handle(), pieces[0].get()), "clone");
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    out.any = geos.own(GEOSUnion_r(geos.handle(), out.any.get(), pieces[i].get()), "union");
    out.all =
        geos.own(GEOSIntersection_r(geos.handle(), out.all.get(), pieces[i].get()), "intersection");
  }
  return out;
}

// With rasters: per cell, rasters either cover the whole cell or none of it, so "any" is the
// whole cell where a raster covers and the footprints' union elsewhere, and "all" is the
// footprints' intersection where every raster covers.
void combine_with_cells(const AreaOverlay& overlay, const MultiPolygon& geometry,
                        std::span<const CoverageGrid* const> grids,
                        std::span<const std::size_t> raster_slots, const GeosContext& geos,
                        GroupAreaCoverage& land) {
  const Grid& grid = grids[0]->grid;
  std::vector<CellArea> cells = cell_areas(geometry, grid);
  std::map<std::pair<std::uint32_t, std::uint32_t>, double> any_cells, all_cells;
  for (const CellArea& c : cell_areas(geos.polygonal_parts(overlay.any.get()), grid))
    any_cells[{c.col, c.row}] = c.area;
  for (const CellArea& c : cell_areas(geos.polygonal_parts(overlay.all.get()), grid))
    all_cells[{c.col, c.row}] = c.area;
  const GroupAreaCoverage raster_part = group_area_coverage(cells, land.area, grids);
  for (std::size_t r = 0; r < grids.size(); ++r) {
    land.by_operator[raster_slots[r]] = raster_part.by_operator[r];
  }
  land.nodata = raster_part.nodata;
  // Footprint coverage beyond the grid's cells (where the rasters have no data) still counts
  // as covered by at least one operator.
  double any_on_grid = 0;
  for (const auto& [cell, cell_area] : any_cells) any_on_grid += cell_area;
  land.any += std::max(0.0, geos_area(geos, overlay.any.get()) - any_on_grid);
  for (const CellArea& c : cells) {
    std::size_t covering = 0;
    for (const CoverageGrid* raster : grids) {
      const std::size_t k = raster->cell_index(c.col, c.row);
      covering += !raster->nodata.test(k) && raster->covered.test(k);
    }
    const auto key = std::pair{c.col, c.row};
    const double footprint_any = any_cells.count(key) ? any_cells[key] : 0.0;
    const double footprint_all = all_cells.count(key) ? all_cells[key] : 0.0;
    land.any += covering > 0 ? c.area : footprint_any;
    land.all += covering == grids.size() ? footprint_all : 0.0;
  }
}

}  // namespace

std::vector<GroupAreaCoverage> overlay_land_shares(std::span<const LandLayer> layers,
                                                   const LandCrs& crs,
                                                   std::span<const MultiPolygon* const> areas) {
  const std::unique_ptr<PointTransform> to_land = crs.from_areas();
  GeosContext geos;
  const FootprintLayers footprints = index_footprints(layers, *to_land, geos);
  if (footprints.indexes.empty()) {
    throw internal_error("overlay_land_shares: a group without footprints");
  }
  std::vector<const CoverageGrid*> grids;
  std::vector<std::size_t> raster_slots;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    if (layers[k].raster == nullptr) continue;
    grids.push_back(layers[k].raster);
    raster_slots.push_back(k);
  }
  std::vector<GroupAreaCoverage> out(areas.size());
  for (std::size_t a = 0; a < areas.size(); ++a) {
    GroupAreaCoverage& land = out[a];
    land.by_operator.assign(layers.size(), 0.0);
    const MultiPolygon geometry = transformed(*areas[a], *to_land);
    land.area = area(geometry);
    if (geometry.empty()) continue;
    const GeosGeometry area_geos = geos.to_geos(geometry);
    const AreaOverlay overlay = overlay_area(footprints, area_geos.get(), geos);
    for (std::size_t i = 0; i < footprints.slots.size(); ++i) {
      land.by_operator[footprints.slots[i]] = overlay.by_layer[i];
    }
    if (grids.empty()) {
      land.any = geos_area(geos, overlay.any.get());
      land.all = geos_area(geos, overlay.all.get());
    } else {
      combine_with_cells(overlay, geometry, grids, raster_slots, geos, land);
    }
  }
  return out;
}

}  // namespace notspot::engine
