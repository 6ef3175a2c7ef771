#include "notspot/outputs/manifest.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "notspot/engine/error.hpp"
#include "notspot/outputs/data_dates.hpp"

namespace notspot::outputs {
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kBoundaryRule =
    "a premise exactly on a boundary belongs to the area immediately east of it (on an east-west "
    "edge, immediately north); in overlaps, to the area with the lowest id";

constexpr const char* kWhatToDo =
    "point [outputs] previous (or --previous) at an outputs folder written by `notspot run`, or "
    "remove it to run without a change report";

// Six decimals: measurements without floating-point noise.
double tidy(double v) {
  return std::round(v * 1e6) / 1e6;
}

// Three decimals: seconds.
double millis(double seconds) {
  return std::round(seconds * 1000) / 1000;
}

Json optional_json(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json study_json(const RunRecord& r) {
  return {{"name", r.study.name},
          {"place", optional_json(r.study.place)},
          {"file", r.study.file},
          {"sha256", r.study.sha256},
          {"crs", r.study.crs},
          {"boundary_vintage", optional_json(r.study.boundary_vintage)},
          {"as_at", optional_json(r.study.as_at)}};
}

Json thresholds_json(const engine::Thresholds& t) {
  Json j = Json::object();
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds()) {
    j[speed.key] = t.*speed.value;
  }
  j[engine::kFullFibreTechnologiesKey] = t.full_fibre_technologies;
  return j;
}

Json quality_limits_json(const QualityLimits& limits) {
  Json j = Json::object();
  for (const QualityLimitField& f : quality_limit_fields()) j[f.key] = limits.*f.value;
  return j;
}

// The fields of every role in one order; each role sets the ones it has.
Json input_json(const InputRecord& i) {
  Json j{{"role", i.role}};
  if (i.role == "layer") {
    j["name"] = i.name;
    j["kind"] = i.kind;
  }
  j["file"] = i.file;
  if (i.layer) j["layer"] = *i.layer;
  if (i.source) {
    j["source"] = *i.source;  // not a file: no digest; `features` says what was read
  } else {
    j["sha256"] = i.digest.sha256;
    j["size_bytes"] = i.digest.size_bytes;
  }
  if (!i.members.empty()) {
    Json members = Json::array();
    for (const io::MemberRead& m : i.members) {
      char crc[9];
      std::snprintf(crc, sizeof crc, "%08x", m.crc32);
      Json member{{"name", m.name}};
      if (m.uncompressed_size > 0 || m.crc32 != 0) {
        member["uncompressed_size"] = m.uncompressed_size;
        member["crc32"] = crc;
      }
      members.push_back(std::move(member));
    }
    j["members"] = std::move(members);
  }
  if (i.rows) j["rows"] = *i.rows;
  if (i.features) j["features"] = *i.features;
  if (i.filter) {
    j["where"] = {{"clause", i.filter->clause},
                  {"features_in_layer", i.filter->features_in_layer},
                  {"features_selected", i.filter->features_selected}};
  }
  if (i.columns) j["columns"] = {{"id", i.columns->id}, {"x", i.columns->x}, {"y", i.columns->y}};
  if (i.crs) j["crs"] = *i.crs;
  if (i.area_of_use) {
    const engine::Box& b = *i.area_of_use;
    j["area_of_use"] = {tidy(b.xmin), tidy(b.ymin), tidy(b.xmax), tidy(b.ymax)};
  }
  if (i.transformation) j["transformation"] = *i.transformation;
  if (i.transformation_accuracy_m) j["transformation_accuracy_m"] = *i.transformation_accuracy_m;
  if (i.better_transformation) {
    const InputRecord::BetterTransformation& b = *i.better_transformation;
    j["better_transformation_not_installed"] = {{"operation", b.operation},
                                                {"accuracy_m", b.accuracy_m ? Json(*b.accuracy_m) : Json(nullptr)},
                                                {"missing_grids", b.missing_grids}};
  }
  if (i.description) j["description"] = *i.description;
  j["as_at"] = optional_json(i.as_at);
  return j;
}

Json inputs_json(const RunRecord& r) {
  Json inputs = Json::array();
  for (const InputRecord& i : r.inputs) inputs.push_back(input_json(i));
  return inputs;
}

Json fixed_ledger_json(const FixedLayerLedger& l) {
  return {{"name", l.name},
          {"read", l.read},
          {"matched", l.matched},
          {"unmatched", l.unmatched},
          {"duplicate_keys", l.duplicate_keys},
          {"rejected", l.rejected},
          {"balanced", l.balanced()},
          {"blank_lines_skipped", l.blank_lines},
          {"premises_with_row", l.premises_with_row},
          {"premises_without_row", l.premises_without_row}};
}

Json postcode_ledger_json(const PostcodeLayerLedger& p) {
  return {{"name", p.name},
          {"read", p.read},
          {"postcodes", p.postcodes},
          {"duplicate_keys", p.duplicate_keys},
          {"rejected", p.rejected},
          {"balanced", p.balanced()},
          {"blank_lines_skipped", p.blank_lines},
          {"blank_values_read_as_zero", p.blank_values},
          {"postcodes_with_premises", p.postcodes_with_premises},
          {"postcodes_without_premises", p.postcodes_without_premises},
          {"premises_with_row", p.premises_with_row},
          {"premises_without_postcode", p.premises_without_postcode},
          {"premises_postcode_not_found", p.premises_postcode_not_found}};
}

Json ledger_json(const RunRecord& r) {
  const PremisesLedger& p = r.premises;
  Json layers = Json::array();
  for (const FixedLayerLedger& l : r.fixed_layers) layers.push_back(fixed_ledger_json(l));
  for (const PostcodeLayerLedger& l : r.postcode_layers) layers.push_back(postcode_ledger_json(l));
  return {{"premises",
           {{"read", p.read},
            {"assigned", p.assigned},
            {"outside", p.outside},
            {"rejected", p.rejected},
            {"balanced", p.balanced()},
            {"blank_lines_skipped", p.blank_lines},
            {"duplicate_ids", p.duplicate_ids},
            {"in_overlapping_areas", p.in_overlapping_areas}}},
          {"layers", layers}};
}

Json areas_json(const AreasRecord& a) {
  Json overlaps = Json::array();
  for (const OverlapRecord& o : a.overlaps) {
    overlaps.push_back(Json{{"first", o.first},
                            {"second", o.second},
                            {"overlap_area", tidy(o.area)},
                            {"near", {tidy(o.near.x), tidy(o.near.y)}}});
  }
  return {{"count", a.count},         {"features_read", a.features_read},
          {"repaired", a.repaired},   {"without_polygon", a.without_polygon},
          {"merged_by_id", a.merged}, {"overlapping_pairs", a.overlapping_pairs},
          {"overlapping_pairs_complete", a.index.overlaps_complete},
          {"largest_overlap", a.index.largest_overlap},
          {"overlaps", overlaps},     {"boundary_rule", kBoundaryRule}};
}

Json area_index_json(const engine::AreaIndex::Stats& s) {
  return {{"distinct_edges", s.distinct_edges},
          {"top_grid", {s.top_columns, s.top_rows}},
          {"boundary_leaves", s.boundary_leaves},
          {"deepest_level", s.deepest_level},
          {"memory_bytes", s.memory_bytes}};
}

// The fixed-broadband indicators with the catalogue's definitions (the study's thresholds).
Json indicators_json(const ColumnCatalogue& columns) {
  Json indicators = Json::array();
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const ColumnSpec& c = columns[*columns.find(info.column)];
    indicators.push_back(Json{{"column", info.column},
                              {"definition", c.definition},
                              {"measured", c.measured},
                              {"sources", c.sources}});
  }
  return indicators;
}

// Unmeasured indicators (no source layer) are null, never a measured zero.
Json study_totals_json(const engine::AreaCounts& c, const ColumnCatalogue& columns) {
  Json j{{"premises", c.premises}};
  for (const engine::IndicatorInfo& info : engine::indicator_catalogue()) {
    const std::string name(info.column);
    if (!columns[*columns.find(name)].measured) {
      j[name] = nullptr;
      j[name + "_pct"] = nullptr;
      continue;
    }
    const std::uint64_t n = c.count(info.indicator);
    j[name] = n;
    const double pct = engine::percentage(n, c.premises);
    j[name + "_pct"] = std::isnan(pct) ? Json(nullptr) : Json(tidy(pct));
  }
  return j;
}

Json mobile_json(const RunRecord& r) {
  Json layers = Json::array();
  for (const MobileLayerRecord& m : r.mobile_layers) {
    layers.push_back(Json{{"name", m.name},
                          {"operator", m.operator_name},
                          {"technology", m.technology},
                          {"setting", m.setting},
                          {"covered_when", m.rule.empty() ? Json(nullptr) : Json(m.rule)},
                          {"scale", m.rule.empty() ? Json(nullptr) : Json(m.scale)},
                          {"offset", m.rule.empty() ? Json(nullptr) : Json(m.offset)},
                          {"premises_covered", m.premises_covered},
                          {"premises_on_nodata", m.premises_on_nodata},
                          {"premises_off_layer", m.premises_off_layer}});
  }
  Json groups = Json::array();
  for (const MobileGroupRecord& g : r.mobile_groups) {
    groups.push_back(Json{{"technology", g.technology},
                          {"setting", g.setting},
                          {"operators", g.operators},
                          {"land_method", optional_json(g.land_method)}});
  }
  return {{"layers", layers},
          {"groups", groups},
          {"digital_exclusion",
           {{"definition", "below the USO (known speed) and no " + r.digital_exclusion.technology +
                               " " + r.digital_exclusion.setting + " coverage from any operator"},
            {"technology", r.digital_exclusion.technology},
            {"setting", r.digital_exclusion.setting},
            {"computed", r.digital_exclusion.computed}}}};
}

Json quality_json(const RunRecord& r) {
  Json checks = Json::array();
  for (const QualityCheck& q : r.quality) {
    Json check{
        {"name", q.name}, {"value", tidy(q.value)}, {"limit", q.limit}, {"passed", q.passed}};
    if (q.always) check.erase("limit");  // no [quality] key relaxes it
    if (q.always) check["always"] = true;
    if (!q.explanation.empty()) check["explanation"] = q.explanation;
    checks.push_back(std::move(check));
  }
  return {{"passed", r.quality_passed()}, {"checks", checks}};
}

Json warnings_json(const std::vector<io::Warning>& warnings) {
  Json listed = Json::array();
  for (const io::Warning& w : warnings) {
    if (listed.size() == kMaxListedWarnings) break;
    listed.push_back(Json{{"source", w.source}, {"message", w.message}});
  }
  return listed;
}

Json changes_json(const ChangeReport& c, const std::string& previous) {
  Json not_compared = Json::array();
  for (const ColumnNotCompared& n : c.not_compared) {
    not_compared.push_back(Json{{"column", n.column}, {"reason", n.reason}});
  }
  return {{"previous", previous},
          {"previous_as_at", optional_json(c.previous.as_at)},
          {"current_as_at", optional_json(c.current.as_at)},
          {"compared", run_comparison(c.current.as_at, c.previous.as_at, previous)},
          {"previous_notspot_version", c.previous.notspot_version},
          {"comparable", c.comparable},
          {"not_comparable_reasons", c.reasons},
          {"notes", c.notes},
          {"columns_compared", c.columns.size()},
          {"columns_not_compared", not_compared},
          {"areas_new", c.count(AreaStatus::kNewArea)},
          {"areas_removed", c.count(AreaStatus::kRemovedArea)},
          {"crossings", c.crossing_count()}};
}

Json outputs_json(const std::vector<OutputRecord>& outputs) {
  Json j = Json::array();
  for (const OutputRecord& o : outputs) {
    j.push_back(
        Json{{"file", o.file}, {"sha256", o.digest.sha256}, {"size_bytes", o.digest.size_bytes}});
  }
  return j;
}

Json run_json(const RunTiming& t) {
  Json stages = Json::object();
  for (const auto& [stage, seconds] : t.stages) stages[stage] = millis(seconds);
  return {{"started_utc", t.started_utc},
          {"threads", t.threads},
          {"seconds", millis(t.seconds)},
          {"timings_seconds", stages}};
}

Json manifest_json(const RunRecord& r) {
  Json columns = Json::array();
  for (const ColumnSpec& c : r.table.columns) columns.push_back(c.name);
  Json m{{"notspot_version", r.notspot_version},
         {"study", study_json(r)},
         {"thresholds", thresholds_json(r.thresholds)},
         {"quality_limits", quality_limits_json(r.quality_limits)},
         {"inputs", inputs_json(r)},
         {"ledger", ledger_json(r)},
         {"areas", areas_json(r.areas)},
         {"area_index", area_index_json(r.areas.index)},
         {"indicators", indicators_json(r.table.columns)},
         {"study_totals", study_totals_json(r.study_total, r.table.columns)},
         {"mobile", mobile_json(r)},
         {"columns", columns},
         {"quality", quality_json(r)},
         {"warnings_total", r.warnings.size()},
         {"warnings", warnings_json(r.warnings)}};
  if (r.changes) m["changes"] = changes_json(*r.changes, r.previous_run);
  m["outputs"] = outputs_json(r.outputs);
  m["run"] = run_json(r.timing);
  return m;
}

// ---- reading ------------------------------------------------------------------------------

Json parse_manifest(const fs::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw engine::input_error(file + ": cannot be read; check its permissions, or " + kWhatToDo);
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    return Json::parse(text.str());
  } catch (const Json::exception& e) {
    throw engine::input_error(file + ": not valid JSON (" + e.what() +
                              "); the previous run's manifest is damaged: " + kWhatToDo);
  }
}

// `field` names what is being read, for the message when it is missing or mistyped.
void read_identity_fields(const Json& manifest, RunIdentity& id, std::string& field) {
  field = "study";
  const Json& study = manifest.at("study");
  field = "study.name";
  id.study_name = study.value("name", std::string());
  field = "study.crs";
  id.crs = study.at("crs").get<std::string>();
  field = "study.boundary_vintage";
  if (study.contains("boundary_vintage") && !study.at("boundary_vintage").is_null()) {
    id.boundary_vintage = study.at("boundary_vintage").get<std::string>();
  }
  // Informational: a missing or malformed date only means the run is named by its folder.
  if (const auto it = study.find("as_at");
      it != study.end() && it->is_string() && valid_as_at(it->get<std::string>())) {
    id.as_at = it->get<std::string>();
  }
  field = "thresholds";
  const Json& t = manifest.at("thresholds");
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds()) {
    field = "thresholds." + std::string(speed.key);
    id.thresholds.*speed.value = t.at(speed.key).get<double>();
  }
  field = "thresholds." + std::string(engine::kFullFibreTechnologiesKey);
  id.thresholds.full_fibre_technologies =
      t.at(engine::kFullFibreTechnologiesKey).get<std::vector<std::string>>();
  field = "inputs";
  if (manifest.contains("inputs")) {
    for (const Json& input : manifest.at("inputs")) {
      if (input.value("role", std::string()) == "areas") {
        id.areas_sha256 = input.value("sha256", std::string());
      }
    }
  }
  field = "notspot_version";
  id.notspot_version = manifest.value("notspot_version", std::string());
  // What the indicators were measured from. Every manifest since layers have kinds lists them
  // in `inputs`; one with neither a layer nor the `indicators` list does not say.
  field = "inputs";
  std::vector<std::string> kinds;
  if (manifest.contains("inputs")) {
    for (const Json& input : manifest.at("inputs")) {
      if (input.value("role", std::string()) != "layer") continue;
      field = "inputs[].kind";
      kinds.push_back(input.at("kind").get<std::string>());
    }
  }
  if (!kinds.empty() || manifest.contains("indicators")) id.layer_kinds = std::move(kinds);
  field = "mobile";
  if (manifest.contains("mobile")) {
    const Json& mobile = manifest.at("mobile");
    field = "mobile.groups";
    std::vector<RunMobileGroup> groups;
    if (mobile.contains("groups")) {
      for (const Json& g : mobile.at("groups")) {
        groups.push_back({g.at("technology").get<std::string>(), g.at("setting").get<std::string>(),
                          g.at("operators").get<std::vector<std::string>>()});
      }
    }
    id.mobile_groups = std::move(groups);
    field = "mobile.digital_exclusion";
    if (mobile.contains("digital_exclusion")) {
      const Json& d = mobile.at("digital_exclusion");
      if (d.contains("technology") && d.contains("setting")) {
        id.exclusion_group = std::pair(d.at("technology").get<std::string>(),
                                       d.at("setting").get<std::string>());
      }
    }
  }
}

}  // namespace

void write_manifest(const fs::path& path, const RunRecord& record) {
  std::ofstream file(path, std::ios::binary);
  if (!file) throw engine::output_error("cannot create " + path.string());
  file << manifest_json(record).dump(2) << '\n';
  if (!file.flush()) throw engine::output_error("cannot write " + path.string() + " (disk full?)");
}

RunIdentity read_run_identity(const fs::path& manifest) {
  const Json json = parse_manifest(manifest);
  // A missing or mistyped field means the file is not a notspot manifest (or a damaged one).
  std::string field;
  try {
    RunIdentity id;
    read_identity_fields(json, id, field);
    return id;
  } catch (const Json::exception&) {
    throw engine::input_error(manifest.string() + ": not a notspot manifest: '" + field +
                              "' is missing or of the wrong type; " + kWhatToDo);
  }
}

bool is_notspot_manifest(const fs::path& manifest) {
  std::ifstream in(manifest);
  if (!in) return false;
  std::string head(512, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.find("\"notspot_version\"") != std::string::npos;
}

}  // namespace notspot::outputs
