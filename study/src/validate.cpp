#include "notspot/study/validate.hpp"

#include "layer_kinds.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/areas_reader.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/premises_reader.hpp"
#include "notspot/study/run.hpp"

namespace notspot::study {

ValidationReport validate_study(const Study& study) {
  ValidationReport report;
  auto attempt = [&](auto&& check) {
    try {
      check();
    } catch (const engine::Error& e) {
      (e.kind() == engine::ErrorKind::kStudy ? report.study_problems : report.input_problems)
          .push_back(e.what());
    }
  };
  std::optional<io::Crs> study_crs;
  attempt([&] {
    study_crs =
        io::Crs::from_definition(study.crs, display_path(study, study.file) + ": [study] crs");
    report.notes.push_back("study CRS: " + study_crs->describe());
  });
  // A source's CRS is usable when PROJ can transform it to the study's.
  auto note = [&](const std::string& description, const io::Crs& crs) {
    if (study_crs) io::CoordinateTransform check(crs, *study_crs);
    report.notes.push_back(description + ", CRS " + crs.describe());
  };
  io::ProblemLog log;
  attempt([&] {
    const io::AreasInspection areas =
        io::inspect_areas(study.areas, display_path(study, study.areas.path), log);
    note("areas: " + areas.description, areas.crs);
  });
  attempt([&] {
    const io::PremisesInspection premises =
        io::inspect_premises(study.premises, display_path(study, study.premises.path));
    note("premises: " + premises.description, premises.crs);
  });
  for (const io::LayerSource& layer : study.layers) {
    attempt([&] {
      const LayerInspection inspection =
          layer_kind_info(layer.kind).inspect(layer, display_path(study, layer.path), log);
      if (inspection.crs) {
        note(inspection.description, *inspection.crs);
      } else {
        report.notes.push_back(inspection.description);
      }
    });
  }
  for (const io::Warning& w : log.warnings()) report.notes.push_back("warning: " + w.message);
  return report;
}

}  // namespace notspot::study
