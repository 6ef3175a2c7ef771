// The report and the workbook of a run, from its record.

#include "notspot/outputs/data_dates.hpp"
#include "detail/report_input.hpp"
#include "detail/run_description.hpp"
#include "notspot/outputs/html_report.hpp"
#include "notspot/outputs/quality_status.hpp"
#include "notspot/outputs/xlsx_writer.hpp"

namespace notspot::outputs {

void write_html_report(const std::filesystem::path& path, const RunRecord& record,
                       std::span<const io::Area> areas, std::vector<ReportPlace> places,
                       std::size_t max_place_labels) {
  ReportInput input = detail::report_input(record, areas);
  input.places = std::move(places);
  input.max_place_labels = max_place_labels;
  write_html_report(path, input);
}

std::vector<std::string> write_parish_workbook(const std::filesystem::path& path,
                                               const RunRecord& record) {
  detail::RunDescription description = detail::describe_run(record);
  WorkbookInfo info{record.study.name, record.study.crs, record.study.boundary_vintage,
                    record.notspot_version, std::move(description.thresholds),
                    std::move(description.sources)};
  info.quality = quality_status(record.quality);
  info.data_dates = data_dates(record);
  return write_parish_workbook(path, record.table, info);
}

}  // namespace notspot::outputs
