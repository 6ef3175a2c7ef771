// The mobile stage: coverage layers at premises and over land (mobile_stage.cpp does the work).

#include "layer_kinds.hpp"
#include "notspot/io/zip_archive.hpp"
#include "stages.hpp"

namespace notspot::study {
namespace {

void record_layer(Run& run, const outputs::MobileLayerRecord& m, const io::Crs& crs) {
  const auto source = std::find_if(run.study.layers.begin(), run.study.layers.end(),
                                   [&](const io::LayerSource& l) { return l.name == m.name; });
  outputs::InputRecord input;
  input.role = "layer";
  input.name = m.name;
  input.kind = m.kind;
  input.file = m.file;
  input.crs = m.crs;
  input.description = m.description;
  input.filter = m.filter;
  input.as_at = source->as_at;
  if (source->member) {
    std::string member = *source->member;  // the member GDAL read, as for the areas
    io::gdal_input_name(source->path, source->member, input.file, &member);
    input.members.push_back({member, 0, 0});
  }
  engine::Box extent;
  for (const io::Area& a : run.areas.areas) extent.expand(engine::bounding_box(a.geometry));
  std::optional<engine::Point> near;
  if (!run.areas.areas.empty()) {
    near = engine::Point{(extent.xmin + extent.xmax) / 2, (extent.ymin + extent.ymax) / 2};
  }
  record_transformation(run, input, crs, near, m.file);
  run.record.inputs.push_back(std::move(input));
  run.input_paths.push_back(source->path);
  run.record.mobile_layers.push_back(m);
}

}  // namespace

void measure_mobile_coverage(Run& run) {
  run.mobile = run_mobile_layers(run.study, run.crs, run.areas.areas, run.premises.table,
                                 run.area_of, run.log, run.progress);
  for (std::size_t i = 0; i < run.mobile.layers.size(); ++i) {
    record_layer(run, run.mobile.layers[i], run.mobile.layer_crs[i]);
  }
  for (const MobileGroupResult& g : run.mobile.groups) {
    run.record.mobile_groups.push_back(
        {g.technology, g.setting, g.operators,
         g.land.empty() ? std::nullopt : std::optional<std::string>(g.land_method)});
  }
  run.time_stage("mobile_coverage");
}

}  // namespace notspot::study
