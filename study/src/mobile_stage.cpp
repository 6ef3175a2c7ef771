#include "mobile_stage.hpp"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numbers>
#include <optional>

#include "notspot/engine/coverage_sampling.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/geos_context.hpp"
#include "notspot/engine/grid_coverage.hpp"
#include "notspot/io/coverage_layers.hpp"
#include "notspot/io/gdal.hpp"
#include "notspot/study/study_run.hpp"

namespace notspot::study {
namespace {

struct LoadedLayer {
  const LayerSource* source = nullptr;
  std::optional<io::CoverageRaster> raster;
  std::optional<io::CoverageFootprints> footprints;  // in the study CRS
  engine::BitVector covered;                         // per premise
};

// Area geometry in another CRS: per-thread PROJ transformations.
class AreaProjector {
 public:
  AreaProjector(const io::Crs& from, const io::Crs& to) : from_(from), to_(to) {}
  engine::MultiPolygon operator()(const engine::MultiPolygon& geometry) {
    std::optional<io::CoordinateTransform>& t = transforms_.local();
    if (!t) t.emplace(from_, to_);
    engine::MultiPolygon out = geometry;
    t->transform(out);
    return out;
  }

 private:
  const io::Crs& from_;
  const io::Crs& to_;
  tbb::enumerable_thread_specific<std::optional<io::CoordinateTransform>> transforms_;
};

// A geographic raster's cells shrink towards the poles: weight each by cos(latitude) so that
// land shares are shares of real area.
void weight_by_latitude(std::vector<engine::CellArea>& cells, const engine::Grid& grid,
                        double& area_total, double polygon_area, double fallback_latitude) {
  double on_grid = 0, weighted = 0;
  for (engine::CellArea& c : cells) {
    const double latitude = grid.cell_ymax(c.row) - 0.5 * grid.cell_height;
    on_grid += c.area;
    c.area *= std::cos(latitude * std::numbers::pi / 180.0);
    weighted += c.area;
  }
  area_total = weighted + std::max(0.0, polygon_area - on_grid) *
                              std::cos(fallback_latitude * std::numbers::pi / 180.0);
}

/**
 * Footprints split into small pieces (quadtree of clipping rectangles) in an STRtree, so that
 * intersecting an area with the footprints only touches the pieces near it.
 */
class FootprintIndex {
 public:
  FootprintIndex(const engine::MultiPolygon& footprints, const engine::GeosContext& geos)
      : geos_(geos), tree_(GEOSSTRtree_create_r(geos.handle(), 10)) {
    if (footprints.empty()) return;
    engine::GeosGeometry all = geos.to_geos(footprints);
    const engine::Box box = engine::bounding_box(footprints);
    split(std::move(all), box, 0);
    for (std::size_t i = 0; i < pieces_.size(); ++i) {
      GEOSSTRtree_insert_r(geos.handle(), tree_, pieces_[i].get(), reinterpret_cast<void*>(i));
    }
  }
  ~FootprintIndex() { GEOSSTRtree_destroy_r(geos_.handle(), tree_); }
  FootprintIndex(const FootprintIndex&) = delete;
  FootprintIndex& operator=(const FootprintIndex&) = delete;

  /// The part of `area` covered by the footprints.
  engine::GeosGeometry intersection(const GEOSGeometry* area) const {
    std::vector<std::size_t> hits;
    GEOSSTRtree_query_r(
        geos_.handle(), tree_, area,
        [](void* item, void* user) {
          static_cast<std::vector<std::size_t>*>(user)->push_back(
              reinterpret_cast<std::size_t>(item));
        },
        &hits);
    std::sort(hits.begin(), hits.end());  // deterministic order of the pieces
    std::vector<GEOSGeometry*> parts;
    for (std::size_t i : hits) {
      GEOSGeometry* part = GEOSIntersection_r(geos_.handle(), area, pieces_[i].get());
      if (part != nullptr) parts.push_back(part);
    }
    engine::GeosGeometry collection =
        geos_.own(GEOSGeom_createCollection_r(geos_.handle(), GEOS_GEOMETRYCOLLECTION, parts.data(),
                                              static_cast<unsigned>(parts.size())),
                  "collection");
    return geos_.own(GEOSUnaryUnion_r(geos_.handle(), collection.get()), "union");
  }

 private:
  static constexpr int kMaxPieceVertices = 256;

  void split(engine::GeosGeometry g, const engine::Box& box, int depth) {
    if (GEOSisEmpty_r(geos_.handle(), g.get())) return;
    if (GEOSGetNumCoordinates_r(geos_.handle(), g.get()) <= kMaxPieceVertices || depth >= 16) {
      pieces_.push_back(std::move(g));
      return;
    }
    const double xm = 0.5 * (box.xmin + box.xmax), ym = 0.5 * (box.ymin + box.ymax);
    const engine::Box quadrants[4] = {{box.xmin, box.ymin, xm, ym},
                                      {xm, box.ymin, box.xmax, ym},
                                      {box.xmin, ym, xm, box.ymax},
                                      {xm, ym, box.xmax, box.ymax}};
    for (const engine::Box& q : quadrants) {
      GEOSGeometry* clipped =
          GEOSClipByRect_r(geos_.handle(), g.get(), q.xmin, q.ymin, q.xmax, q.ymax);
      if (clipped != nullptr) split(geos_.own(clipped, "clip"), q, depth + 1);
    }
  }

  const engine::GeosContext& geos_;
  GEOSSTRtree* tree_;
  std::vector<engine::GeosGeometry> pieces_;
};

double geos_area(const engine::GeosContext& geos, const GEOSGeometry* g) {
  double a = 0;
  GEOSArea_r(geos.handle(), g, &a);
  return a;
}

// A group whose land shares come from its rasters alone, all on one grid.
struct RasterOnlyGroup {
  std::size_t group;
  std::vector<const engine::CoverageGrid*> grids;
  const io::Crs* crs;
};

// Exact cell shares of every area for the raster-only groups, in parallel over areas (each
// area is summed in a fixed order by one thread, so the result does not depend on the thread
// count). An area's cells are computed once per grid and shared by the groups on it: nationally
// every technology is on the same 100 m grid, and the cells are the costly part.
void shared_raster_land_shares(std::span<const RasterOnlyGroup> groups,
                               std::span<const io::Area> areas, const io::Crs& study_crs,
                               MobileResults& results) {
  struct Frame {
    const engine::Grid* grid;
    const io::Crs* crs;
    bool geographic;
    std::vector<std::size_t> members;  // indexes into `groups`
  };
  std::vector<Frame> frames;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const engine::Grid& grid = groups[g].grids[0]->grid;
    auto same = [&](const Frame& f) {
      return *f.grid == grid && f.crs->equivalent_to(*groups[g].crs);
    };
    auto frame = std::find_if(frames.begin(), frames.end(), same);
    if (frame == frames.end())
      frame =
          frames.insert(frames.end(), {&grid, groups[g].crs, groups[g].crs->is_geographic(), {}});
    frame->members.push_back(g);
  }
  std::vector<std::unique_ptr<AreaProjector>> projectors;
  for (const Frame& f : frames)
    projectors.push_back(std::make_unique<AreaProjector>(study_crs, *f.crs));
  tbb::parallel_for(std::size_t{0}, areas.size(), [&](std::size_t a) {
    for (std::size_t f = 0; f < frames.size(); ++f) {
      const engine::MultiPolygon geometry = (*projectors[f])(areas[a].geometry);
      std::vector<engine::CellArea> cells = engine::cell_areas(geometry, *frames[f].grid);
      double total = engine::area(geometry);
      if (frames[f].geographic) {
        const engine::Box b = engine::bounding_box(geometry);
        weight_by_latitude(cells, *frames[f].grid, total, total, 0.5 * (b.ymin + b.ymax));
      }
      for (std::size_t g : frames[f].members) {
        results.groups[groups[g].group].land[a] =
            engine::group_area_coverage(cells, total, groups[g].grids);
      }
    }
  });
}

}  // namespace

MobileResults run_mobile_layers(const Study& study, const io::Crs& study_crs,
                                std::span<const io::Area> areas,
                                const engine::PremisesTable& premises,
                                std::span<const std::uint32_t> area_of_premise, io::ProblemLog& log,
                                io::Progress& progress) {
  MobileResults results;
  std::vector<const LayerSource*> sources;
  for (const LayerSource& source : study.layers) {
    if (source.kind == LayerKind::kRaster || source.kind == LayerKind::kPolygons) {
      sources.push_back(&source);
    }
  }
  // Read every layer at once: each thread opens its own GDAL dataset, and decoding a
  // compressed national raster is the slow part. Logs are kept per layer and appended in
  // study order.
  progress.stage("Reading mobile layers");
  std::vector<LoadedLayer> loaded(sources.size());
  std::vector<io::ProblemLog> logs(sources.size());
  tbb::parallel_for(std::size_t{0}, sources.size(), [&](std::size_t i) {
    const LayerSource& source = *sources[i];
    loaded[i].source = &source;
    const std::string file = display_path(study, source.path);
    if (source.kind == LayerKind::kRaster) {
      loaded[i].raster = io::read_coverage_raster(source, file, logs[i]);
    } else {
      loaded[i].footprints = io::read_coverage_footprints(source, study_crs, file, logs[i]);
    }
  });
  for (io::ProblemLog& l : logs) log.append(std::move(l));

  // Coverage at premises. Rasters on one grid are sampled together, in one pass over the
  // premises (the national case: every operator's rasters on the 100 m British National Grid).
  progress.stage("Coverage at premises");
  std::vector<engine::PremisesCoverage> coverage_of(loaded.size());
  std::vector<bool> sampled(loaded.size(), false);
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    if (sampled[i]) continue;
    if (!loaded[i].raster) {
      coverage_of[i] =
          engine::premises_coverage(loaded[i].footprints->union_geometry, premises.x, premises.y);
      continue;
    }
    std::vector<std::size_t> together;
    std::vector<const engine::CoverageGrid*> rasters;
    for (std::size_t j = i; j < loaded.size(); ++j) {
      const std::optional<io::CoverageRaster>& r = loaded[j].raster;
      if (r && r->coverage.grid == loaded[i].raster->coverage.grid &&
          r->crs.equivalent_to(loaded[i].raster->crs)) {
        together.push_back(j);
        rasters.push_back(&r->coverage);
        sampled[j] = true;
      }
    }
    std::vector<engine::PremisesCoverage> sampled_together = engine::premises_coverage(
        rasters, premises.x, premises.y, io::transform_factory(study_crs, loaded[i].raster->crs));
    for (std::size_t k = 0; k < together.size(); ++k) {
      coverage_of[together[k]] = std::move(sampled_together[k]);
    }
  }

  // Groups in order of first appearance; operators in study order within a group.
  std::vector<std::vector<std::size_t>> group_layers;
  for (std::size_t index = 0; index < loaded.size(); ++index) {
    LoadedLayer& layer = loaded[index];
    const LayerSource& source = *layer.source;
    MobileLayerLedger ledger;
    ledger.name = source.name;
    ledger.file = display_path(study, source.path);
    ledger.operator_name = source.tags.operator_name;
    ledger.technology = source.tags.technology;
    ledger.setting = source.tags.setting;
    engine::PremisesCoverage& coverage = coverage_of[index];
    if (layer.raster) {
      ledger.kind = "raster";
      ledger.crs = layer.raster->crs.describe();
      ledger.description = layer.raster->description;
      ledger.rule = source.covered_when.describe();
    } else {
      ledger.kind = "polygons";
      ledger.crs = layer.footprints->source_crs;
      ledger.description = fmt::format("{} features, {} repaired, {} polygons after merging",
                                       layer.footprints->features, layer.footprints->repaired,
                                       layer.footprints->union_geometry.size());
    }
    ledger.premises_covered = coverage.covered.count();
    ledger.premises_on_nodata = coverage.on_nodata;
    ledger.premises_off_layer = coverage.off_layer;
    if (coverage.on_nodata + coverage.off_layer > 0) {
      std::string where;
      if (coverage.on_nodata > 0) where = fmt::format("{} on nodata cells", coverage.on_nodata);
      if (coverage.off_layer > 0) {
        where +=
            fmt::format("{}{} outside the layer", where.empty() ? "" : " and ", coverage.off_layer);
      }
      log.warn(source.name, fmt::format("{}: premises the layer says nothing about ({}) count "
                                        "as not covered by {}",
                                        ledger.file, where, source.tags.operator_name));
    }
    layer.covered = std::move(coverage.covered);
    results.layers.push_back(std::move(ledger));

    bool placed = false;
    for (std::size_t g = 0; g < results.groups.size(); ++g) {
      if (results.groups[g].technology == source.tags.technology &&
          results.groups[g].setting == source.tags.setting) {
        group_layers[g].push_back(index);
        results.groups[g].operators.push_back(source.tags.operator_name);
        placed = true;
      }
    }
    if (!placed) {
      MobileGroupResult group;
      group.technology = source.tags.technology;
      group.setting = source.tags.setting;
      group.operators.push_back(source.tags.operator_name);
      results.groups.push_back(std::move(group));
      group_layers.push_back({index});
    }
  }

  std::vector<RasterOnlyGroup> raster_only;
  for (std::size_t g = 0; g < results.groups.size(); ++g) {
    MobileGroupResult& group = results.groups[g];
    const std::vector<std::size_t>& members = group_layers[g];
    progress.stage("Coverage " + group.technology + " " + group.setting);

    std::vector<engine::BitVector> covered;
    group.any_covered = engine::BitVector(premises.size());
    for (std::size_t m : members) {
      covered.push_back(loaded[m].covered);
      group.any_covered |= loaded[m].covered;
    }
    group.premises = engine::count_group_premises(area_of_premise, covered, areas.size());

    // Land shares.
    std::vector<const LoadedLayer*> rasters, polygons;
    for (std::size_t m : members) (loaded[m].raster ? rasters : polygons).push_back(&loaded[m]);
    bool one_grid = true;
    for (const LoadedLayer* r : rasters) {
      one_grid &= r->raster->coverage.grid == rasters[0]->raster->coverage.grid &&
                  r->raster->crs.equivalent_to(rasters[0]->raster->crs);
    }
    if (!one_grid) {
      log.warn("mobile", fmt::format("the {} {} rasters are not on one grid (same CRS, cell size "
                                     "and alignment), so land shares are not computed for "
                                     "them; resample them to one grid (e.g. gdalwarp -tap)",
                                     group.technology, group.setting));
      continue;
    }
    group.land.resize(areas.size());
    const io::Crs& land_crs = rasters.empty() ? study_crs : rasters[0]->raster->crs;
    const bool geographic = land_crs.is_geographic();
    AreaProjector project(study_crs, land_crs);
    std::vector<const engine::CoverageGrid*> grids;
    for (const LoadedLayer* r : rasters) grids.push_back(&r->raster->coverage);

    if (polygons.empty()) {
      // Rasters only: exact cell shares, computed below for all such groups at once.
      group.land_method = "exact area of each area in every raster cell";
      raster_only.push_back({g, std::move(grids), &land_crs});
      continue;
    }

    // Footprints (and any rasters on one grid): overlay through the footprint index.
    group.land_method = rasters.empty()
                            ? "overlay of each area with the footprints (tile index)"
                            : "overlay with the footprints, combined with exact raster cells";
    engine::GeosContext geos;
    std::vector<std::unique_ptr<FootprintIndex>> indexes;
    for (const LoadedLayer* p : polygons) {
      engine::MultiPolygon footprint = p->footprints->union_geometry;
      if (!land_crs.equivalent_to(study_crs)) {
        io::CoordinateTransform(study_crs, land_crs).transform(footprint);
        engine::RepairReport report;
        footprint = geos.repair_polygonal(footprint, report);
      }
      indexes.push_back(std::make_unique<FootprintIndex>(footprint, geos));
    }
    // Where each operator sits in the group's operator list.
    std::vector<std::size_t> raster_slot, polygon_slot;
    for (std::size_t k = 0; k < members.size(); ++k) {
      (loaded[members[k]].raster ? raster_slot : polygon_slot).push_back(k);
    }
    if (geographic) {
      log.warn("mobile",
               "land shares of a group mixing footprints with geographic rasters are "
               "computed in degrees, without latitude weighting");
    }
    for (std::size_t a = 0; a < areas.size(); ++a) {
      engine::GroupAreaCoverage& land = group.land[a];
      land.by_operator.assign(members.size(), 0.0);
      const engine::MultiPolygon geometry = project(areas[a].geometry);
      land.area = engine::area(geometry);
      if (geometry.empty()) continue;
      engine::GeosGeometry area_geos = geos.to_geos(geometry);
      std::vector<engine::GeosGeometry> pieces;
      for (std::size_t i = 0; i < polygons.size(); ++i) {
        pieces.push_back(indexes[i]->intersection(area_geos.get()));
        land.by_operator[polygon_slot[i]] = geos_area(geos, pieces.back().get());
      }
      // Union and intersection of the footprint pieces.
      engine::GeosGeometry any =
          geos.own(GEOSGeom_clone_r(geos.handle(), pieces[0].get()), "clone");
      engine::GeosGeometry all =
          geos.own(GEOSGeom_clone_r(geos.handle(), pieces[0].get()), "clone");
      for (std::size_t i = 1; i < pieces.size(); ++i) {
        any = geos.own(GEOSUnion_r(geos.handle(), any.get(), pieces[i].get()), "union");
        all =
            geos.own(GEOSIntersection_r(geos.handle(), all.get(), pieces[i].get()), "intersection");
      }
      if (rasters.empty()) {
        land.any = geos_area(geos, any.get());
        land.all = geos_area(geos, all.get());
        continue;
      }
      // With rasters: per cell, rasters either cover the whole cell or none of it, so
      // "any" is the whole cell where a raster covers and the footprints' union elsewhere,
      // and "all" is the footprints' intersection where every raster covers.
      const engine::Grid& grid = grids[0]->grid;
      std::vector<engine::CellArea> cells = engine::cell_areas(geometry, grid);
      std::map<std::pair<std::uint32_t, std::uint32_t>, double> any_cells, all_cells;
      for (const engine::CellArea& c : engine::cell_areas(geos.polygonal_parts(any.get()), grid))
        any_cells[{c.col, c.row}] = c.area;
      for (const engine::CellArea& c : engine::cell_areas(geos.polygonal_parts(all.get()), grid))
        all_cells[{c.col, c.row}] = c.area;
      const engine::GroupAreaCoverage raster_part =
          engine::group_area_coverage(cells, land.area, grids);
      for (std::size_t r = 0; r < rasters.size(); ++r) {
        land.by_operator[raster_slot[r]] = raster_part.by_operator[r];
      }
      land.nodata = raster_part.nodata;
      // Footprint coverage beyond the grid's cells (where the rasters have no data) still
      // counts as covered by at least one operator.
      double any_on_grid = 0;
      for (const auto& [cell, cell_area] : any_cells) any_on_grid += cell_area;
      land.any += std::max(0.0, geos_area(geos, any.get()) - any_on_grid);
      for (const engine::CellArea& c : cells) {
        std::size_t covering = 0;
        for (const engine::CoverageGrid* raster : grids) {
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
  }
  shared_raster_land_shares(raster_only, areas, study_crs, results);
  return results;
}

}  // namespace notspot::study
