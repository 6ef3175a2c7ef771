#include "mobile_stage.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <optional>

#include "layer_kinds.hpp"
#include "notspot/engine/coverage_sampling.hpp"
#include "notspot/engine/land_coverage.hpp"
#include "notspot/io/coverage_layers.hpp"
#include "notspot/study/run.hpp"

namespace notspot::study {
namespace {

struct LoadedLayer {
  const io::LayerSource* source = nullptr;
  std::optional<io::CoverageRaster> raster;
  std::optional<io::CoverageFootprints> footprints;  // in the study CRS
  engine::BitVector covered;                         // per premise
};

// Reads every layer at once: each thread opens its own GDAL dataset, and decoding a compressed
// national raster is the slow part. Logs are kept per layer and appended in study order.
std::vector<LoadedLayer> read_layers(const Study& study, const io::Crs& study_crs,
                                     io::ProblemLog& log) {
  std::vector<const io::LayerSource*> sources;
  for (const io::LayerSource& source : study.layers) {
    if (layer_kind_info(source.kind).family == LayerFamily::kMobileCoverage) {
      sources.push_back(&source);
    }
  }
  std::vector<LoadedLayer> loaded(sources.size());
  std::vector<io::ProblemLog> logs(sources.size());
  tbb::parallel_for(std::size_t{0}, sources.size(), [&](std::size_t i) {
    const io::LayerSource& source = *sources[i];
    loaded[i].source = &source;
    const std::string file = display_path(study, source.path);
    if (source.kind == io::LayerKind::kRaster) {
      loaded[i].raster = io::read_coverage_raster(source, file, logs[i]);
    } else {
      loaded[i].footprints = io::read_coverage_footprints(source, study_crs, file, logs[i]);
    }
  });
  for (io::ProblemLog& l : logs) log.append(std::move(l));
  return loaded;
}

// Coverage at premises, per layer. Rasters on one grid are sampled together, in one pass over
// the premises (the national case: every operator's rasters on the 100 m British National
// Grid).
std::vector<engine::PremisesCoverage> sample_layers(std::span<const LoadedLayer> loaded,
                                                    const engine::PremisesTable& premises,
                                                    const io::Crs& study_crs) {
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
  return coverage_of;
}

// What one layer contributed, for the manifest; warns about premises it says nothing about.
outputs::MobileLayerRecord layer_ledger(const Study& study, const LoadedLayer& layer,
                                        const engine::PremisesCoverage& coverage,
                                        io::ProblemLog& log) {
  const io::LayerSource& source = *layer.source;
  outputs::MobileLayerRecord ledger;
  ledger.name = source.name;
  ledger.file = display_path(study, source.path);
  ledger.operator_name = source.tags.operator_name;
  ledger.technology = source.tags.technology;
  ledger.setting = source.tags.setting;
  if (layer.raster) {
    ledger.kind = "raster";
    ledger.crs = layer.raster->crs.describe();
    ledger.description = layer.raster->description;
    ledger.rule = source.covered_when.describe();
    ledger.scale = layer.raster->scale;
    ledger.offset = layer.raster->offset;
  } else {
    ledger.kind = "polygons";
    ledger.crs = layer.footprints->source_crs;
    ledger.description = fmt::format("{} features, {} repaired, {} polygons after merging",
                                     layer.footprints->features, layer.footprints->repaired,
                                     layer.footprints->union_geometry.size());
    if (const auto& filter = layer.footprints->filter) {
      ledger.description += fmt::format(" (selected by where \"{}\" from {} features)",
                                        filter->clause, filter->features_in_layer);
    }
    ledger.filter = layer.footprints->filter;
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
  return ledger;
}

// Puts layer `index` in its group (technology and setting), making the group on first sight.
void place_in_group(const io::LayerSource& source, std::size_t index, MobileResults& results,
                    std::vector<std::vector<std::size_t>>& group_layers) {
  for (std::size_t g = 0; g < results.groups.size(); ++g) {
    if (results.groups[g].technology == source.tags.technology &&
        results.groups[g].setting == source.tags.setting) {
      group_layers[g].push_back(index);
      results.groups[g].operators.push_back(source.tags.operator_name);
      return;
    }
  }
  MobileGroupResult group;
  group.technology = source.tags.technology;
  group.setting = source.tags.setting;
  group.operators.push_back(source.tags.operator_name);
  results.groups.push_back(std::move(group));
  group_layers.push_back({index});
}

// The raster-only groups, whose land shares are computed together at the end (engine::
// raster_land_shares), with one LandCrs per distinct raster CRS.
struct RasterOnlyGroups {
  std::vector<std::size_t> group;  // position in MobileResults::groups
  std::vector<engine::RasterLandGroup> land;
  std::vector<const io::Crs*> crs;
  std::vector<engine::LandCrs> land_crs;

  void add(std::size_t g, std::vector<const engine::CoverageGrid*> grids, const io::Crs& raster,
           const io::Crs& study_crs) {
    std::size_t k = 0;
    while (k < crs.size() && !crs[k]->equivalent_to(raster)) ++k;
    if (k == crs.size()) {
      crs.push_back(&raster);
      land_crs.push_back({io::transform_factory(study_crs, raster), raster.is_geographic()});
    }
    group.push_back(g);
    land.push_back({std::move(grids), k});
  }
};

// Land shares of one group: raster-only groups are queued in `raster_only`; groups with
// footprints are overlaid at once.
void group_land_shares(MobileGroupResult& group, std::size_t g,
                       std::span<const LoadedLayer* const> members, const io::Crs& study_crs,
                       std::span<const engine::MultiPolygon* const> areas,
                       RasterOnlyGroups& raster_only, io::ProblemLog& log) {
  const LoadedLayer* first_raster = nullptr;
  bool one_grid = true, with_footprints = false;
  for (const LoadedLayer* m : members) {
    with_footprints |= !m->raster;
    if (!m->raster) continue;
    if (first_raster == nullptr) first_raster = m;
    one_grid &= m->raster->coverage.grid == first_raster->raster->coverage.grid &&
                m->raster->crs.equivalent_to(first_raster->raster->crs);
  }
  if (!one_grid) {
    log.warn("mobile", fmt::format("the {} {} rasters are not on one grid (same CRS, cell size "
                                   "and alignment), so land shares are not computed for "
                                   "them; resample them to one grid (e.g. gdalwarp -tap)",
                                   group.technology, group.setting));
    return;
  }
  const io::Crs& land_crs = first_raster == nullptr ? study_crs : first_raster->raster->crs;
  if (!with_footprints) {
    group.land_method = "exact area of each area in every raster cell";
    std::vector<const engine::CoverageGrid*> grids;
    for (const LoadedLayer* m : members) grids.push_back(&m->raster->coverage);
    raster_only.add(g, std::move(grids), land_crs, study_crs);
    return;
  }
  group.land_method = first_raster == nullptr
                          ? "overlay of each area with the footprints (tile index)"
                          : "overlay with the footprints, combined with exact raster cells";
  std::vector<engine::LandLayer> layers;
  for (const LoadedLayer* m : members) {
    layers.push_back(m->raster ? engine::LandLayer{&m->raster->coverage, nullptr}
                               : engine::LandLayer{nullptr, &m->footprints->union_geometry});
  }
  if (land_crs.is_geographic()) {
    log.warn("mobile",
             "land shares of a group mixing footprints with geographic rasters are "
             "computed in degrees, without latitude weighting");
  }
  group.land = engine::overlay_land_shares(
      layers, {io::transform_factory(study_crs, land_crs), land_crs.is_geographic()}, areas);
}

}  // namespace

MobileResults run_mobile_layers(const Study& study, const io::Crs& study_crs,
                                std::span<const io::Area> areas,
                                const engine::PremisesTable& premises,
                                std::span<const std::uint32_t> area_of_premise, io::ProblemLog& log,
                                io::Progress& progress) {
  progress.stage("Reading mobile layers");
  std::vector<LoadedLayer> loaded = read_layers(study, study_crs, log);
  progress.stage("Coverage at premises");
  std::vector<engine::PremisesCoverage> coverage_of = sample_layers(loaded, premises, study_crs);

  // Groups in order of first appearance; operators in study order within a group.
  MobileResults results;
  std::vector<std::vector<std::size_t>> group_layers;
  for (std::size_t index = 0; index < loaded.size(); ++index) {
    results.layers.push_back(layer_ledger(study, loaded[index], coverage_of[index], log));
    results.layer_crs.push_back(loaded[index].raster ? loaded[index].raster->crs
                                                     : loaded[index].footprints->layer_crs);
    loaded[index].covered = std::move(coverage_of[index].covered);
    place_in_group(*loaded[index].source, index, results, group_layers);
  }

  std::vector<const engine::MultiPolygon*> geometries;
  for (const io::Area& a : areas) geometries.push_back(&a.geometry);
  RasterOnlyGroups raster_only;
  for (std::size_t g = 0; g < results.groups.size(); ++g) {
    MobileGroupResult& group = results.groups[g];
    progress.stage("Coverage " + group.technology + " " + group.setting);
    std::vector<engine::BitVector> covered;
    std::vector<const LoadedLayer*> members;
    group.any_covered = engine::BitVector(premises.size());
    for (std::size_t m : group_layers[g]) {
      covered.push_back(loaded[m].covered);
      group.any_covered |= loaded[m].covered;
      members.push_back(&loaded[m]);
    }
    group.premises = engine::count_group_premises(area_of_premise, covered, areas.size());
    if (study.premises_table) group.operator_covered = std::move(covered);
    group_land_shares(group, g, members, study_crs, geometries, raster_only, log);
  }
  std::vector<std::vector<engine::GroupAreaCoverage>> land =
      engine::raster_land_shares(raster_only.land, raster_only.land_crs, geometries);
  for (std::size_t k = 0; k < land.size(); ++k) {
    results.groups[raster_only.group[k]].land = std::move(land[k]);
  }
  return results;
}

}  // namespace notspot::study
