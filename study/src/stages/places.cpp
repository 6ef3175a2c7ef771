// The places stage: the names labelled on the report's maps.

#include <limits>

#include "notspot/engine/area_index.hpp"
#include "notspot/io/places_reader.hpp"
#include "stages.hpp"

namespace notspot::study {

void read_places(Run& run) {
  if (!run.study.report_places) return;
  const io::PlacesSource& source = *run.study.report_places;
  io::PlacesLoad load = io::read_places(source, run.crs, run.display(source.path), run.log);
  // In the manifest and the report's sources, with its checksum, like every input.
  outputs::InputRecord input;
  input.role = "places";
  input.file = run.display(source.path);
  input.layer = load.layer;
  input.features = load.features_read;
  input.filter = load.filter;
  if (!load.source_crs.empty()) input.crs = load.source_crs;
  run.record.inputs.push_back(std::move(input));
  run.input_paths.push_back(source.path);
  // Without a rank field, a built-up area ranks by the study's premises inside it: the
  // towns, not the largest polygons (a village's generalised outline can be larger).
  std::vector<double> premises_in(load.places.size(), 0);
  if (!source.rank_field) {
    std::vector<engine::MultiPolygon> polygons;
    std::vector<std::size_t> place_of;
    for (std::size_t i = 0; i < load.places.size(); ++i) {
      if (load.places[i].geometry.empty()) continue;
      polygons.push_back(load.places[i].geometry);
      place_of.push_back(i);
    }
    if (!polygons.empty()) {
      const engine::AreaIndex index(polygons);
      const engine::PremisesTable& premises = run.premises.table;
      std::vector<std::uint32_t> in(premises.size());
      index.locate_all(premises.x, premises.y, in);
      for (std::uint32_t p : in) {
        if (p != engine::AreaIndex::kOutside) ++premises_in[place_of[p]];
      }
    }
  }
  for (std::size_t i = 0; i < load.places.size(); ++i) {
    io::Place& p = load.places[i];
    double rank = 0;
    if (source.rank_field) {
      rank = p.rank.value_or(-std::numeric_limits<double>::infinity());
    } else if (!p.geometry.empty()) {
      rank = premises_in[i];
    } else {
      rank = -static_cast<double>(i);  // points in file order
    }
    run.places.push_back({std::move(p.name), p.anchor, rank});
  }
  run.time_stage("read_places");
}

}  // namespace notspot::study
