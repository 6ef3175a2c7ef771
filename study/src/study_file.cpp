#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "detail/mobile_column_check.hpp"
#include "detail/outputs_folder_check.hpp"
#include "detail/study_name.hpp"
#include "layer_kinds.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/suggest.hpp"
#include "notspot/io/zip_archive.hpp"
#include "notspot/outputs/data_dates.hpp"
#include "notspot/study/study.hpp"

namespace notspot::study {

namespace {

namespace fs = std::filesystem;
using io::AreasSource;
using io::LayerKind;
using io::LayerSource;
using io::MobileTags;
using io::PremisesFormat;
using io::PremisesSource;
using io::SourceLine;

// The schema. Lists are in documentation order, which is also the order in which "expected one
// of" names them.
constexpr std::array<std::string_view, 9> kTopLevelTables = {
    "study",   "areas",   "premises", "layers", "thresholds", "digital_exclusion",
    "quality", "outputs", "report"};
constexpr std::array<std::string_view, 7> kStudyKeys = {
    "name", "place", "crs", "boundary_vintage", "attribution", "require_best_transformation",
    "as_at"};
constexpr std::array<std::string_view, 8> kAreasKeys = {"path", "member", "layer", "where",
                                                        "id",   "name",   "crs",   "as_at"};
constexpr std::array<std::string_view, 11> kPremisesKeys = {
    "path", "member", "format", "layer", "where", "id", "postcode", "x", "y", "crs", "as_at"};
constexpr std::array<std::string_view, 16> kLayerKeys = {
    "kind",     "name",    "path",         "member", "key",   "down",  "up",  "technology",
    "operator", "setting", "covered_when", "band",   "layer", "where", "crs", "as_at"};
constexpr std::array<std::string_view, 2> kDigitalExclusionKeys = {"mobile_technology",
                                                                   "mobile_setting"};
constexpr std::array<std::string_view, 3> kOutputsKeys = {"dir", "previous", "premises"};
constexpr std::array<std::string_view, 1> kReportKeys = {"places"};
constexpr std::array<std::string_view, 7> kPlacesKeys = {
    "path", "layer", "name_field", "where", "rank_field", "crs", "max_labels"};
constexpr std::array<std::string_view, 2> kPremisesFormats = {"csv", "ogr"};
// Mobile coverage: accepted in any case, stored in these spellings.
constexpr std::array<std::string_view, 4> kMobileTechnologies = {"2G", "3G", "4G", "5G"};
constexpr std::array<std::string_view, 2> kMobileSettings = {"indoor", "outdoor"};

// The layer kinds a kind-specific key applies to. `technology` is the one key with two
// meanings: the technology column of a fixed-speeds CSV, and the mobile technology of a raster
// or polygons layer.
constexpr std::array<std::string_view, 3> kKeyedKinds = {"bduk-premises", "fixed-speeds",
                                                         "ofcom-postcode"};
constexpr std::array<std::string_view, 1> kFixedSpeedsKind = {"fixed-speeds"};
constexpr std::array<std::string_view, 3> kTechnologyKinds = {"fixed-speeds", "raster", "polygons"};
constexpr std::array<std::string_view, 2> kMobileKinds = {"raster", "polygons"};
constexpr std::array<std::string_view, 1> kRasterKind = {"raster"};
constexpr std::array<std::string_view, 1> kPolygonsKind = {"polygons"};

struct KindSpecificKey {
  std::string_view key;
  std::span<const std::string_view> kinds;
  std::string_view note;  ///< Said after the kinds, e.g. what the key means for each.
};
constexpr std::array<KindSpecificKey, 10> kKindSpecificKeys = {{
    {"key", kKeyedKinds, " (raster and polygons layers are matched to premises by location)"},
    {"down", kFixedSpeedsKind, ""},
    {"up", kFixedSpeedsKind, ""},
    {"technology", kTechnologyKinds,
     " (for fixed-speeds it names the technology column, for raster and polygons it is the "
     "mobile technology)"},
    {"operator", kMobileKinds, ""},
    {"setting", kMobileKinds, ""},
    {"covered_when", kRasterKind, ""},
    {"band", kRasterKind, ""},
    {"layer", kPolygonsKind, ""},
    {"crs", kMobileKinds, ""},
}};

// Above this a "speed" is surely a unit mistake (kbit/s for Mbit/s): 100 Gbit/s to a premise.
constexpr double kMaxThresholdMbps = 100000;

// Enough to fix a study file in one go without burying the first problem in noise.
constexpr std::size_t kMaxProblemsShown = 20;

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

bool contains(std::span<const std::string_view> words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

// The known word closest to `word`, when it is close enough to be a likely typo.
std::optional<std::string_view> closest(std::string_view word,
                                        std::span<const std::string_view> known) {
  const std::optional<std::string> near = io::nearest_word(word, known);
  if (!near) return std::nullopt;
  return *std::find(known.begin(), known.end(), *near);
}

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::uint32_t line_of(const toml::node& node) {
  return node.source().begin.line;
}
std::uint32_t line_of(const toml::key& key) {
  return key.source().begin.line;
}

/// Collects the problems of a study file so that one run reports all of them, in line order.
class Problems {
 public:
  explicit Problems(fs::path file) : file_(std::move(file)) {}

  const fs::path& file() const { return file_; }

  /// `line` 0: the problem concerns the whole file (e.g. a missing table).
  void add(std::uint32_t line, std::string what) {
    problems_.push_back({line, SourceLine{file_, line}.describe() + ": " + std::move(what)});
  }

  void throw_if_any() {
    if (problems_.empty()) return;
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const Problem& a, const Problem& b) { return a.line < b.line; });
    std::string message;
    const std::size_t shown = std::min(problems_.size(), kMaxProblemsShown);
    for (std::size_t i = 0; i < shown; ++i) {
      if (i > 0) message += '\n';
      message += problems_[i].text;
    }
    if (problems_.size() > shown) {
      message +=
          fmt::format("\n{}: ... and {} more problems", file_.string(), problems_.size() - shown);
    }
    throw engine::study_error(message);
  }

 private:
  struct Problem {
    std::uint32_t line;
    std::string text;
  };
  fs::path file_;
  std::vector<Problem> problems_;
};

/// Reads the keys of one table. Every accessor reports its own problems and returns nullopt
/// for a value it could not use, so that the caller only decides what is required.
class TableReader {
 public:
  /// @param title as shown in messages, e.g. "[areas]" or "[[layers]]".
  TableReader(const toml::table& table, std::string title, Problems& problems)
      : table_(table), title_(std::move(title)), problems_(problems) {}

  const std::string& title() const { return title_; }

  /// Line of the table header (or of the inline table).
  std::uint32_t line() const { return line_of(table_); }

  /// Where the table starts, for later messages about what it names.
  SourceLine where() const { return SourceLine{problems_.file(), line()}; }

  /// Line of `key`, or of the table when the key is absent.
  std::uint32_t line(std::string_view key) const {
    const auto it = table_.find(key);
    return it == table_.end() ? line() : line_of(it->first);
  }

  bool has(std::string_view key) const { return table_.contains(key); }

  void report(std::uint32_t at, std::string what) { problems_.add(at, std::move(what)); }

  /// Reports every key that is not in `known`, in file order.
  void reject_unknown_keys(std::span<const std::string_view> known) {
    std::vector<const toml::key*> unknown;
    for (auto&& [key, value] : table_) {
      if (!contains(known, key.str())) unknown.push_back(&key);
    }
    for (const toml::key* key : unknown) {
      std::string what = fmt::format("unknown key '{}' in {}; expected one of: {}", key->str(),
                                     title_, join(known));
      if (auto suggestion = closest(key->str(), known)) {
        what += fmt::format("; did you mean '{}'?", *suggestion);
      }
      report(line_of(*key), std::move(what));
    }
  }

  /// A non-empty string; nullopt when absent or unusable.
  std::optional<std::string> optional_string(std::string_view key) {
    return string(key, /*required=*/false);
  }

  /// A CRS definition PROJ knows ("EPSG:27700", WKT, PROJJSON, a PROJ string), checked here
  /// so that a typing error is reported with its line, before any data is read.
  std::optional<std::string> optional_crs(std::string_view key) {
    std::optional<std::string> definition = optional_string(key);
    if (!definition) return std::nullopt;
    try {
      io::Crs::from_definition(*definition, fmt::format("{} {}", title_, key));
    } catch (const engine::Error& e) {
      report(line(key), e.what());
      return std::nullopt;
    }
    return definition;
  }

  /// `as_at`: the date the data describes, "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real month
  /// and day). An unquoted TOML date (as_at = 2025-07-01) is taken as "2025-07-01".
  std::optional<std::string> optional_as_at() {
    constexpr std::string_view kForms =
        "\"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\" in quotes, e.g. as_at = \"2025-07\"";
    const toml::node* node = table_.get("as_at");
    if (node == nullptr) return std::nullopt;
    if (const auto* date = node->as_date()) {
      const toml::date& d = date->get();
      std::string text = fmt::format("{:04}-{:02}-{:02}", int{d.year}, int{d.month}, int{d.day});
      if (outputs::valid_as_at(text)) return text;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      report(line("as_at"), fmt::format("{} as_at must be a date written as a string: {}; not {}",
                                        title_, kForms, type_name(node->type())));
      return std::nullopt;
    }
    if (!outputs::valid_as_at(value->get())) {
      report(line("as_at"),
             fmt::format("{} as_at \"{}\" is not a date the data describes; write {} (a real "
                         "month 01-12 and day of that month)",
                         title_, value->get(), kForms));
      return std::nullopt;
    }
    return value->get();
  }

  /// As optional_string, and reports a missing key; `example` shows what to add.
  std::optional<std::string> required_string(std::string_view key, std::string_view example) {
    if (!has(key)) {
      report(line(), fmt::format("{} is missing the required key '{}'; add e.g. {} = \"{}\"",
                                 title_, key, key, example));
      return std::nullopt;
    }
    return string(key, /*required=*/true);
  }

  /// An integer or floating-point number.
  std::optional<double> optional_number(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node->as_floating_point()) return f->get();
    report(line(key),
           fmt::format("{} {} must be a number, not {}", title_, key, type_name(node->type())));
    return std::nullopt;
  }

  /// An integer (not a floating-point number: `band = 1.5` is surely a mistake).
  std::optional<std::int64_t> optional_integer(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* i = node->as_integer()) return i->get();
    report(line(key), fmt::format("{} {} must be an integer (a whole number, no quotes), not {}",
                                  title_, key, type_name(node->type())));
    return std::nullopt;
  }

  /// true or false.
  std::optional<bool> optional_bool(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    if (const auto* b = node->as_boolean()) return b->get();
    report(line(key), fmt::format("{} {} must be true or false (no quotes), not {}", title_, key,
                                  type_name(node->type())));
    return std::nullopt;
  }

  /// A non-empty array of non-empty strings.
  std::optional<std::vector<std::string>> optional_string_array(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* array = node->as_array();
    if (array == nullptr) {
      report(line(key), fmt::format("{} {} must be an array of strings, e.g. [\"FTTP\"], not {}",
                                    title_, key, type_name(node->type())));
      return std::nullopt;
    }
    if (array->empty()) {
      report(line(key), fmt::format("{} {} must not be empty; list at least one value, or "
                                    "remove the key to use the default",
                                    title_, key));
      return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      const auto* value = element.as_string();
      if (value == nullptr || value->get().empty()) {
        report(line_of(element),
               fmt::format("{} {}: element {} must be a non-empty string, not {}", title_, key,
                           i + 1, value == nullptr ? type_name(element.type()) : "empty"));
        ok = false;
        continue;
      }
      out.push_back(value->get());
    }
    if (!ok) return std::nullopt;
    return out;
  }

  /// One of `allowed`; reports anything else, suggesting the closest allowed value.
  std::optional<std::string> optional_choice(std::string_view key,
                                             std::span<const std::string_view> allowed) {
    auto value = optional_string(key);
    if (!value || contains(allowed, *value)) return value;
    std::string what = fmt::format("{} {} \"{}\" is not known; expected one of: {}", title_, key,
                                   *value, join(allowed));
    if (auto suggestion = closest(*value, allowed)) {
      what += fmt::format("; did you mean \"{}\"?", *suggestion);
    }
    report(line(key), std::move(what));
    return std::nullopt;
  }

  /// One of `allowed` in any case, returned as spelled in `allowed` ("4g" gives "4G").
  /// Reports anything else, with `note` after the allowed values, and suggests the closest
  /// allowed value when `suggest` (not for values so alike that any typo is close to another).
  std::optional<std::string> optional_choice_any_case(std::string_view key,
                                                      std::span<const std::string_view> allowed,
                                                      bool suggest, std::string_view note = "") {
    auto value = optional_string(key);
    if (!value) return std::nullopt;
    for (std::string_view candidate : allowed) {
      if (iequals(*value, candidate)) return std::string(candidate);
    }
    std::string what = fmt::format("{} {} \"{}\" is not known; expected one of: {}{}", title_, key,
                                   *value, join(allowed), note);
    if (auto suggestion = suggest ? closest(*value, allowed) : std::nullopt) {
      what += fmt::format("; did you mean \"{}\"?", *suggestion);
    }
    report(line(key), std::move(what));
    return std::nullopt;
  }

  /// As optional_choice_any_case, and reports a missing key; `example` shows what to add.
  std::optional<std::string> required_choice_any_case(std::string_view key,
                                                      std::span<const std::string_view> allowed,
                                                      bool suggest, std::string_view example,
                                                      std::string_view note = "") {
    if (!has(key)) return required_string(key, example);
    return optional_choice_any_case(key, allowed, suggest, note);
  }

 private:
  std::optional<std::string> string(std::string_view key, bool required) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    const auto* value = node->as_string();
    if (value == nullptr) {
      report(line(key), fmt::format("{} {} must be a string (in quotes), not {}", title_, key,
                                    type_name(node->type())));
      return std::nullopt;
    }
    if (value->get().empty()) {
      report(line(key), fmt::format("{} {} must not be empty; give a value{}", title_, key,
                                    required ? "" : ", or remove the key to use the default"));
      return std::nullopt;
    }
    return value->get();
  }

  const toml::table& table_;
  std::string title_;
  Problems& problems_;
};

/// Resolves a path from the study file: absolute paths are kept, relative ones are taken from
/// the study file's folder, so that a study runs the same from any working directory. `~` is
/// deliberately not expanded: that is the shell's job, and a study file must mean the same for
/// every user who runs it.
fs::path resolve(const fs::path& study_folder, const std::string& written) {
  // A connection string or URL GDAL opens (PG:..., /vsicurl/https://...): taken as written.
  if (io::is_non_file_source(written)) return fs::path(written);
  fs::path path(written);
  if (!path.is_absolute()) path = study_folder / path;
  path = path.lexically_normal();
  // "shapes/" names the same folder as "shapes"; without the separator the stem (the default
  // layer name) and messages come out right.
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

/// Reports an input path (the table's `path`) that does not name an existing file, or folder
/// when `allow_folder`. @param folder_hint what to do instead of naming a folder.
void check_input(TableReader& table, const fs::path& resolved, const std::string& written,
                 bool allow_folder, std::string_view folder_hint) {
  const std::uint32_t at = table.line("path");
  if (io::is_non_file_source(written)) return;  // GDAL connects when the run reads it
  const std::string subject = fmt::format("{} path '{}'", table.title(), written);
  std::error_code ec;
  const fs::file_status status = fs::status(resolved, ec);
  if (status.type() == fs::file_type::not_found) {
    std::string what = subject + " does not exist";
    if (!fs::path(written).is_absolute()) {
      what += fmt::format(" (resolved to {})", resolved.string());
    }
    if (written.starts_with('~')) {
      what +=
          "; '~' is not expanded in a study file: write the full path, or a path relative to the "
          "study file's folder";
    } else if (!fs::path(written).is_absolute()) {
      what += "; relative paths are relative to the study file's folder: check the spelling";
    } else {
      what += "; check the spelling";
    }
    table.report(at, std::move(what));
  } else if (ec) {
    table.report(at, fmt::format("{} cannot be checked: {} (resolved to {}); check the "
                                 "permissions of its folders",
                                 subject, ec.message(), resolved.string()));
  } else if (status.type() == fs::file_type::directory) {
    if (!allow_folder) {
      table.report(at, fmt::format("{} is a folder, not a file{}", subject, folder_hint));
    }
  } else if (status.type() != fs::file_type::regular) {
    table.report(at, fmt::format("{} is not a regular file (resolved to {}); name a data file",
                                 subject, resolved.string()));
  }
}

/// `member` of an input: a glob naming the member(s) of a ZIP archive `path`. Reported when
/// the path is not a .zip archive, or (`vector_only`) when it names a non-file source.
std::optional<std::string> read_member(TableReader& t, const fs::path& path, bool has_path) {
  std::optional<std::string> member = t.optional_string("member");
  if (member && has_path && !io::has_zip_extension(path)) {
    t.report(t.line("member"),
             fmt::format("{} member = \"{}\" names a member of a ZIP archive, but path '{}' is "
                         "not a .zip archive; remove member, or set path to the archive",
                         t.title(), *member, path.filename().string()));
  }
  return member;
}

/// Whether `path` names a source GDAL opens that is not a file; reported for a CSV input.
bool refuse_non_file_for_csv(TableReader& t, const std::string& written, std::string_view what) {
  if (!io::is_non_file_source(written)) return false;
  t.report(t.line("path"),
           fmt::format("{} path '{}' is a connection string or URL, which only vector inputs "
                       "read through GDAL accept ({}); download the file and name it, or give "
                       "it as an OGR layer",
                       t.title(), io::redact_source(written), what));
  return true;
}

void read_study_table(TableReader& t, Study& study) {
  t.reject_unknown_keys(kStudyKeys);
  if (auto name = t.required_string("name", "Dorset connectivity")) {
    if (auto problem = detail::study_name_problem(*name)) {
      t.report(t.line("name"), std::move(*problem));
    } else {
      study.name = *name;
    }
  }
  if (auto place = t.optional_string("place")) {
    if (auto problem = detail::study_name_problem(*place, "place")) {
      t.report(t.line("place"), std::move(*problem));
    } else {
      study.place = *place;
    }
  }
  if (auto crs = t.optional_crs("crs")) study.crs = *crs;
  study.boundary_vintage = t.optional_string("boundary_vintage");
  study.as_at = t.optional_as_at();
  if (auto lines = t.optional_string_array("attribution")) study.attribution = std::move(*lines);
  if (auto strict = t.optional_bool("require_best_transformation")) {
    study.require_best_transformation = *strict;
  }
}

void read_areas(TableReader& t, const fs::path& study_folder, AreasSource& areas) {
  t.reject_unknown_keys(kAreasKeys);
  areas.where = t.where();
  if (auto path = t.required_string("path", "parishes.gpkg")) {
    areas.path = resolve(study_folder, *path);
    // An OGR dataset may be a folder, e.g. of Shapefiles.
    check_input(t, areas.path, *path, /*allow_folder=*/true, "");
  }
  areas.member = read_member(t, areas.path, !areas.path.empty());
  areas.layer = t.optional_string("layer");
  areas.attribute_filter = t.optional_string("where");
  if (auto id = t.required_string("id", "PAR23CD")) areas.id_field = *id;
  areas.name_field = t.optional_string("name");
  areas.crs = t.optional_crs("crs");
  areas.as_at = t.optional_as_at();
}

bool has_csv_extension(const fs::path& path) {
  const std::string extension = path.extension().string();
  return iequals(extension, ".csv") || iequals(extension, ".txt");
}

void read_premises(TableReader& t, const fs::path& study_folder, PremisesSource& premises) {
  t.reject_unknown_keys(kPremisesKeys);
  premises.where = t.where();
  const auto path = t.required_string("path", "premises.csv");
  if (path) premises.path = resolve(study_folder, *path);

  // The format decides which of the other keys apply, so it comes first. `format_reason` says
  // where the format came from, for messages about keys that do not apply to it.
  const auto format = t.optional_choice("format", kPremisesFormats);
  std::string format_reason;
  if (format) {
    premises.format = *format == "csv" ? PremisesFormat::kCsv : PremisesFormat::kOgr;
    format_reason = fmt::format("format = \"{}\" at line {}", *format, t.line("format"));
  } else if (!t.has("format") && path) {
    // A ZIP archive of premises is a zipped CSV (OS Open UPRN) unless its member is not.
    const std::optional<std::string> member = t.optional_string("member");
    const bool zipped = io::has_zip_extension(premises.path);
    const bool csv_extension = zipped ? (!member || has_csv_extension(fs::path(*member)))
                                      : has_csv_extension(premises.path);
    premises.format = csv_extension ? PremisesFormat::kCsv : PremisesFormat::kOgr;
    format_reason = premises.path.has_extension()
                        ? fmt::format("from the extension '{}'", premises.path.extension().string())
                        : "the default for a path without a .csv or .txt extension";
  }
  const bool format_known = !format_reason.empty();
  const bool csv = premises.format == PremisesFormat::kCsv;

  if (path && !(format_known && csv &&
                refuse_non_file_for_csv(t, *path, "these premises are read as CSV"))) {
    // While the format is unknown (reported already) a folder gets the benefit of the doubt.
    check_input(t, premises.path, *path, /*allow_folder=*/!(format_known && csv),
                "; CSV premises must be a file (set format = \"ogr\" for a folder of OGR data)");
  }
  premises.member = read_member(t, premises.path, path.has_value());

  premises.layer = t.optional_string("layer");
  if (premises.layer && format_known && csv) {
    t.report(t.line("layer"),
             fmt::format("{} layer applies only to format \"ogr\", and these premises are read "
                         "as CSV ({}); remove layer, or set format = \"ogr\"",
                         t.title(), format_reason));
  }
  premises.attribute_filter = t.optional_string("where");
  if (t.has("where") && format_known && csv) {
    t.report(t.line("where"),
             fmt::format("{} where applies to vector sources read through GDAL, and these "
                         "premises are read as CSV ({}); remove where and cut the file first "
                         "(e.g. ogr2ogr -where), or give the premises as an OGR point layer "
                         "(e.g. a GeoPackage) with format = \"ogr\"",
                         t.title(), format_reason));
  }
  if (auto id = t.optional_string("id")) premises.id_field = *id;
  premises.postcode_field = t.optional_string("postcode");
  premises.x_field = t.optional_string("x");
  premises.y_field = t.optional_string("y");
  for (std::string_view key : {"x", "y"}) {
    if (t.has(key) && format_known && !csv) {
      t.report(t.line(key),
               fmt::format("{} {} applies only to format \"csv\", and these premises are read "
                           "with OGR ({}); OGR layers carry their own geometry: remove {}",
                           t.title(), key, format_reason, key));
    }
  }
  // Only one of the pair: the other is needed to read a point, and guessing it would hide a
  // typo in the other's column name.
  if (t.has("x") != t.has("y")) {
    const std::string_view given = t.has("x") ? "x" : "y";
    const std::string_view missing = t.has("x") ? "y" : "x";
    t.report(t.line(given),
             fmt::format("{} {} is given without {}; give both x and y, or neither to detect "
                         "X_COORDINATE/Y_COORDINATE or LONGITUDE/LATITUDE",
                         t.title(), given, missing));
  }
  premises.crs = t.optional_crs("crs");
  premises.as_at = t.optional_as_at();
}

/// `kind = "a"`, `kind = "a" or "b"`, `kind = "a", "b" or "c"`.
std::string kinds_phrase(std::span<const std::string_view> kinds) {
  std::string out = "kind = ";
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    if (i > 0) out += i + 1 == kinds.size() ? " or " : ", ";
    out += fmt::format("\"{}\"", kinds[i]);
  }
  return out;
}

/// `operator`, `technology` and `setting` of a raster or polygons layer; whether all three
/// could be read.
bool read_mobile_tags(TableReader& t, std::string_view kind, MobileTags& tags) {
  const auto operator_name = t.required_string("operator", "EE");
  if (operator_name) tags.operator_name = *operator_name;
  // For fixed-speeds `technology` names a column, so a column name here is a likely slip.
  const auto technology = t.required_choice_any_case(
      "technology", kMobileTechnologies, /*suggest=*/false, "4G",
      fmt::format(" (with kind = \"{}\", technology is the mobile technology, not a column name)",
                  kind));
  if (technology) tags.technology = *technology;
  const auto setting =
      t.required_choice_any_case("setting", kMobileSettings, /*suggest=*/true, "indoor");
  if (setting) tags.setting = *setting;
  return operator_name && technology && setting;
}

/// The rule of a raster layer, required.
void read_covered_when(TableReader& t, engine::CoverageRule& rule) {
  const auto text = t.required_string("covered_when", ">= -105");
  if (!text) return;
  if (auto parsed = engine::CoverageRule::parse(*text)) {
    rule = *parsed;
    return;
  }
  t.report(t.line("covered_when"),
           fmt::format("{} covered_when \"{}\" is not a rule; write one of: >= N, > N, <= N, "
                       "< N, == N, != N or in [A, B, ...], e.g. \">= -105\" for a signal in dBm, "
                       "\"== 1\" for a 0/1 raster or \"in [2, 3]\" for classes",
                       t.title(), *text));
}

void read_band(TableReader& t, int& band) {
  const auto value = t.optional_integer("band");
  if (!value) return;
  if (*value < 1) {
    t.report(t.line("band"), fmt::format("{} band must be 1 or more (the first band is 1), not {}",
                                         t.title(), *value));
  } else if (*value > std::numeric_limits<int>::max()) {
    t.report(t.line("band"), fmt::format("{} band {} is too large; give the number of a band of "
                                         "the raster, counting from 1",
                                         t.title(), *value));
  } else {
    band = static_cast<int>(*value);
  }
}

/// A layer as read. `usable` is false when its kind, path or name is unusable (the problem is
/// reported); `mobile_tags` says whether its operator, technology and setting are known.
struct LayerRead {
  LayerSource layer;
  bool usable = false;
  bool mobile_tags = false;
};

LayerRead read_layer(TableReader& t, const fs::path& study_folder) {
  t.reject_unknown_keys(kLayerKeys);
  LayerRead read;
  LayerSource& layer = read.layer;
  layer.where = t.where();
  bool ok = true;
  static const std::vector<std::string_view> kind_names = [] {
    std::vector<std::string_view> out;
    for (const LayerKindInfo& k : layer_kinds()) out.push_back(k.name);
    return out;
  }();
  const auto kind = t.has("kind") ? t.optional_choice("kind", kind_names)
                                  : t.required_string("kind", "fixed-speeds");
  const LayerKindInfo* info = kind ? find_layer_kind(*kind) : nullptr;
  if (info) {
    layer.kind = info->kind;
  } else {
    ok = false;
  }
  if (auto path = t.required_string("path", info ? info->example_path : "speeds.csv")) {
    layer.path = resolve(study_folder, *path);
    layer.name = io::is_non_file_source(*path) ? fs::path(io::redact_source(*path)).stem().string()
                                               : layer.path.stem().string();
    const bool csv_kind =
        info && (info->kind == LayerKind::kBdukPremises || info->kind == LayerKind::kFixedSpeeds ||
                 info->kind == LayerKind::kOfcomPostcode);
    if (csv_kind && refuse_non_file_for_csv(t, *path, "this kind is read as CSV")) {
      ok = false;
    } else {
      // While the kind is unknown (reported already) a folder gets the benefit of the doubt.
      check_input(t, layer.path, *path, !info || info->folder_allowed,
                  info ? info->folder_hint : "");
    }
    layer.member = read_member(t, layer.path, true);
  } else {
    ok = false;
  }
  if (auto name = t.optional_string("name")) {
    layer.name = *name;
  } else if (t.has("name")) {
    ok = false;
  }
  layer.as_at = t.optional_as_at();
  if (!kind) return read;  // Which of the other keys apply, and what they mean, is unknown.

  for (const KindSpecificKey& specific : kKindSpecificKeys) {
    if (t.has(specific.key) && !contains(specific.kinds, *kind)) {
      t.report(t.line(specific.key),
               fmt::format("{} {} applies only to {}, not \"{}\"{}; remove it", t.title(),
                           specific.key, kinds_phrase(specific.kinds), *kind, specific.note));
    }
  }
  if (t.has("where") && layer.kind != LayerKind::kPolygons) {
    const bool raster = layer.kind == LayerKind::kRaster;
    t.report(
        t.line("where"),
        fmt::format("{} where applies to vector sources read through GDAL (kind = "
                    "\"polygons\", [areas], OGR [premises]), not kind = \"{}\", {}; "
                    "remove where{}",
                    t.title(), *kind,
                    raster ? "a raster, which has cells, not features" : "which is read as CSV",
                    raster ? "" : " and cut the file first (e.g. ogr2ogr -where)"));
  }
  switch (layer.kind) {
    case LayerKind::kBdukPremises:
    case LayerKind::kFixedSpeeds:
    case LayerKind::kOfcomPostcode:
      // Ofcom's postcode files are keyed by postcode, and carry no UPRN.
      if (layer.kind == LayerKind::kOfcomPostcode) layer.key_field = "postcode";
      if (auto key = t.optional_string("key")) layer.key_field = *key;
      if (layer.kind == LayerKind::kFixedSpeeds) {
        if (auto down = t.optional_string("down")) layer.down_field = *down;
        if (auto up = t.optional_string("up")) layer.up_field = *up;
        if (auto technology = t.optional_string("technology")) layer.technology_field = *technology;
      }
      break;
    case LayerKind::kRaster:
    case LayerKind::kPolygons:
      read.mobile_tags = read_mobile_tags(t, *kind, layer.tags);
      if (layer.kind == LayerKind::kRaster) {
        read_covered_when(t, layer.covered_when);
        read_band(t, layer.band);
      } else {
        layer.ogr_layer = t.optional_string("layer");
        layer.attribute_filter = t.optional_string("where");
      }
      layer.crs = t.optional_crs("crs");
      break;
  }
  read.usable = ok;
  return read;
}

void read_thresholds(TableReader& t, engine::Thresholds& thresholds) {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const engine::SpeedThreshold& speed : engine::speed_thresholds()) out.push_back(speed.key);
    out.push_back(engine::kFullFibreTechnologiesKey);
    return out;
  }();
  t.reject_unknown_keys(keys);
  struct Speed {
    std::string_view key;
    double* value;
    bool ok = true;
  };
  std::vector<Speed> speeds;  // gigabit, ultrafast, superfast, decent down, decent up
  for (const engine::SpeedThreshold& speed : engine::speed_thresholds())
    speeds.push_back({speed.key, &(thresholds.*speed.value)});
  for (Speed& speed : speeds) {
    const auto value = t.optional_number(speed.key);
    if (!value) {
      speed.ok = !t.has(speed.key);
      continue;
    }
    // Written so that NaN fails too.
    if (!(*value > 0 && *value <= kMaxThresholdMbps)) {
      t.report(t.line(speed.key),
               fmt::format("{} {} must be more than 0 and at most {} (Mbit/s), not {}", t.title(),
                           speed.key, kMaxThresholdMbps, *value));
      speed.ok = false;
      continue;
    }
    *speed.value = *value;
  }
  // The tiers are nested (a gigabit-capable premise is also ultrafast and superfast), so the
  // thresholds must be ordered or the tier counts would contradict each other.
  const auto check_order = [&](const Speed& lower_tier, const Speed& upper_tier) {
    if (!lower_tier.ok || !upper_tier.ok || *lower_tier.value <= *upper_tier.value) return;
    const std::string_view blamed = t.has(lower_tier.key) ? lower_tier.key : upper_tier.key;
    t.report(t.line(blamed),
             fmt::format("{} {} ({}) must not exceed {} ({}); the tiers are nested, so "
                         "superfast_mbps <= ultrafast_mbps <= gigabit_mbps must hold",
                         t.title(), lower_tier.key, *lower_tier.value, upper_tier.key,
                         *upper_tier.value));
  };
  check_order(speeds[2], speeds[1]);
  check_order(speeds[1], speeds[0]);
  if (auto technologies = t.optional_string_array(engine::kFullFibreTechnologiesKey)) {
    thresholds.full_fibre_technologies = std::move(*technologies);
  }
}

void read_digital_exclusion(TableReader& t, DigitalExclusion& exclusion) {
  t.reject_unknown_keys(kDigitalExclusionKeys);
  if (auto technology = t.optional_choice_any_case("mobile_technology", kMobileTechnologies,
                                                   /*suggest=*/false)) {
    exclusion.mobile_technology = *technology;
  }
  if (auto setting =
          t.optional_choice_any_case("mobile_setting", kMobileSettings, /*suggest=*/true)) {
    exclusion.mobile_setting = *setting;
  }
}

void read_quality(TableReader& t, outputs::QualityLimits& quality, bool& publish_failing) {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> out;
    for (const outputs::QualityLimitField& f : outputs::quality_limit_fields())
      out.push_back(f.key);
    out.push_back("publish_failing");
    return out;
  }();
  t.reject_unknown_keys(keys);
  if (const auto publish = t.optional_bool("publish_failing")) publish_failing = *publish;
  for (const outputs::QualityLimitField& f : outputs::quality_limit_fields()) {
    const auto value = t.optional_number(f.key);
    if (!value) continue;
    if (!(*value >= 0 && *value <= 1)) {
      t.report(t.line(f.key),
               fmt::format("{} {} must be a share between 0 and 1 (e.g. 0.01 for 1%), not {}",
                           t.title(), f.key, *value));
      continue;
    }
    quality.*f.value = *value;
  }
}

void read_outputs(TableReader& t, const fs::path& study_folder, fs::path& output_dir,
                  std::optional<fs::path>& previous_dir, bool& premises_table) {
  t.reject_unknown_keys(kOutputsKeys);
  if (const auto premises = t.optional_bool("premises")) premises_table = *premises;
  if (const auto previous = t.optional_string("previous")) {
    // The previous run may be the outputs folder itself (compared before it is replaced), so
    // it only has to exist by the time the run starts; a missing one is reported then, with
    // the run's other input problems.
    previous_dir = resolve(study_folder, *previous);
  }
  const auto dir = t.optional_string("dir");
  if (!dir) return;
  output_dir = resolve(study_folder, *dir);
  // The folder need not exist (the run creates it), but a file in its place cannot work.
  std::error_code ec;
  const fs::file_status status = fs::status(output_dir, ec);
  if (!ec && status.type() != fs::file_type::directory) {
    t.report(t.line("dir"),
             fmt::format("{} dir '{}' exists and is not a folder (resolved to {}); choose "
                         "another output folder",
                         t.title(), *dir, output_dir.string()));
  }
}

// `[report] places = { path = "...", name_field = "..." }` (or a [report.places] table).
void read_report(TableReader& t, const toml::table& table, const fs::path& study_folder,
                 Problems& problems, std::optional<io::PlacesSource>& places) {
  t.reject_unknown_keys(kReportKeys);
  const toml::node* node = table.get("places");
  if (node == nullptr) return;
  const toml::table* p = node->as_table();
  if (p == nullptr) {
    t.report(t.line("places"),
             fmt::format("[report] places must be a table, e.g. places = {{ path = "
                         "\"built_up_areas.geojson\", name_field = \"name\" }}, not {}",
                         type_name(node->type())));
    return;
  }
  TableReader r(*p, "[report] places", problems);
  r.reject_unknown_keys(kPlacesKeys);
  io::PlacesSource source;
  source.where = SourceLine{problems.file(), t.line("places")};
  bool ok = true;
  if (auto path = r.required_string("path", "built_up_areas.geojson")) {
    source.path = resolve(study_folder, *path);
    check_input(r, source.path, *path, /*allow_folder=*/true, "");
  } else {
    ok = false;
  }
  if (auto name = r.required_string("name_field", "name")) {
    source.name_field = *name;
  } else {
    ok = false;
  }
  source.layer = r.optional_string("layer");
  source.attribute_filter = r.optional_string("where");
  source.rank_field = r.optional_string("rank_field");
  source.crs = r.optional_crs("crs");
  if (auto n = r.optional_integer("max_labels")) {
    if (*n < 0 || *n > 1000) {
      r.report(r.line("max_labels"),
               fmt::format("[report] places max_labels must be between 0 and 1000, not {}", *n));
    } else {
      source.max_labels = static_cast<std::size_t>(*n);
    }
  }
  if (ok) places = std::move(source);
}

std::string read_text(const fs::path& file, const fs::path& absolute) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (status.type() == fs::file_type::not_found) {
    throw engine::input_error(
        fmt::format("{}: the study file does not exist (resolved to {}); "
                    "check the path",
                    file.string(), absolute.string()));
  }
  if (status.type() == fs::file_type::directory) {
    throw engine::input_error(fmt::format(
        "{}: is a folder, not a study file; name the .toml file inside it", file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw engine::input_error(
        fmt::format("{}: cannot open the study file: {}; check that it is readable", file.string(),
                    error != 0 ? std::generic_category().message(error) : "unknown error"));
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) {
    throw engine::input_error(fmt::format(
        "{}: cannot read the study file; check that it is a readable text file", file.string()));
  }
  return text;
}

}  // namespace

Study load_study(const fs::path& file) {
  std::error_code ec;
  const fs::path absolute = fs::absolute(file, ec).lexically_normal();
  if (ec) {
    throw engine::input_error(
        fmt::format("{}: cannot resolve the study file's path: {}", file.string(), ec.message()));
  }
  const fs::path study_folder = absolute.parent_path();
  const std::string text = read_text(file, absolute);

  toml::table root;
  try {
    root = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw engine::study_error(fmt::format(
        "{}:{}:{}: TOML syntax error: {}; fix the syntax (see https://toml.io) and run again",
        file.string(), e.source().begin.line, e.source().begin.column, e.description()));
  }

  Problems problems(file);
  Study study;
  study.file = absolute;
  study.output_dir = study_folder / "out";

  // Top level: tables only, each known. File order, so that messages read top to bottom.
  std::vector<std::pair<const toml::key*, const toml::node*>> top;
  for (auto&& [key, node] : root) top.emplace_back(&key, &node);
  std::sort(top.begin(), top.end(),
            [](const auto& a, const auto& b) { return line_of(*a.first) < line_of(*b.first); });
  for (const auto& [key, node] : top) {
    const std::uint32_t at = line_of(*key);
    const std::string_view name = key->str();
    if (!contains(kTopLevelTables, name)) {
      std::string what =
          node->is_table()
              ? fmt::format("unknown table [{}]; expected one of: {}", name, join(kTopLevelTables))
              : fmt::format(
                    "'{}' is outside every table; put it under the right table header, "
                    "which is one of: {}",
                    name, join(kTopLevelTables));
      if (auto suggestion = closest(name, kTopLevelTables); suggestion && node->is_table()) {
        what += fmt::format("; did you mean [{}]?", *suggestion);
      }
      problems.add(at, std::move(what));
    } else if (name == "layers") {
      const toml::array* array = node->as_array();
      if (node->is_table()) {
        problems.add(at, "[layers] must be written [[layers]] (double brackets), once per layer");
      } else if (array == nullptr ||
                 !std::all_of(array->begin(), array->end(),
                              [](const toml::node& element) { return element.is_table(); })) {
        problems.add(at, fmt::format("layers must be a list of [[layers]] tables, not {}",
                                     array == nullptr ? type_name(node->type())
                                                      : "an array of other values"));
      }
    } else if (node->is_array() && node->as_array()->is_array_of_tables()) {
      problems.add(
          at, fmt::format("[{}] must be a single table: write [{}], not [[{}]]", name, name, name));
    } else if (!node->is_table()) {
      problems.add(at, fmt::format("'{}' must be a table ([{}]), not {}", name, name,
                                   type_name(node->type())));
    }
  }

  // Required tables. An absent table has no line, so its message names only the file.
  const auto table = [&](std::string_view name) { return root.get_as<toml::table>(name); };
  for (std::string_view name : {"study", "areas", "premises"}) {
    if (!root.contains(name)) {
      problems.add(0, fmt::format("the study file has no [{}] table; add one (see "
                                  "docs/study-file.md)",
                                  name));
    }
  }

  if (const toml::table* t = table("study")) {
    TableReader reader(*t, "[study]", problems);
    read_study_table(reader, study);
  }
  if (const toml::table* t = table("areas")) {
    TableReader reader(*t, "[areas]", problems);
    read_areas(reader, study_folder, study.areas);
  }
  if (const toml::table* t = table("premises")) {
    TableReader reader(*t, "[premises]", problems);
    read_premises(reader, study_folder, study.premises);
  }
  if (const toml::array* layers = root.get_as<toml::array>("layers")) {
    // Mobile layers with known tags, for the check that each covers something different.
    std::vector<std::pair<MobileTags, std::uint32_t>> mobile;
    detail::MobileColumnCheck mobile_columns;
    for (const toml::node& element : *layers) {
      const toml::table* t = element.as_table();
      if (t == nullptr) continue;  // Reported above.
      TableReader reader(*t, "[[layers]]", problems);
      LayerRead read = read_layer(reader, study_folder);
      if (read.mobile_tags) {
        // One operator's coverage of one technology and setting twice (say as a raster and as
        // polygons) would count that operator twice in its group's "all operators" figures.
        const MobileTags& tags = read.layer.tags;
        const auto same = std::find_if(mobile.begin(), mobile.end(), [&](const auto& other) {
          return iequals(other.first.operator_name, tags.operator_name) &&
                 other.first.technology == tags.technology && other.first.setting == tags.setting;
        });
        if (same != mobile.end()) {
          problems.add(
              reader.line(),
              fmt::format("[[layers]] operator \"{}\", technology \"{}\", setting "
                          "\"{}\" are the same as for the layer at line {}; that "
                          "operator's coverage would be counted twice: keep one of the "
                          "two layers",
                          tags.operator_name, tags.technology, tags.setting, same->second));
        } else if (auto clash = mobile_columns.add(tags, read.layer.name, reader.line())) {
          problems.add(reader.line("operator"), std::move(*clash));
        } else {
          mobile.emplace_back(tags, reader.line());
        }
      }
      if (read.layer.kind == LayerKind::kOfcomPostcode) {  // Only set when the kind is known.
        // The layer is joined to premises by postcode: without premises postcodes it would
        // match nothing. (A missing [premises] table is reported already.)
        const toml::table* premises = table("premises");
        if (premises != nullptr && !premises->contains("postcode")) {
          problems.add(reader.line("kind"),
                       fmt::format("[[layers]] kind = \"ofcom-postcode\" is matched to premises "
                                   "by postcode, but [premises] (line {}) names no postcode "
                                   "column; add e.g. postcode = \"POSTCODE\" to [premises]",
                                   line_of(*premises)));
        }
      }
      if (read.usable) {
        LayerSource& layer = read.layer;
        // Layer names label output columns, so two layers with one name would be ambiguous.
        const auto same = std::find_if(study.layers.begin(), study.layers.end(),
                                       [&](const LayerSource& l) { return l.name == layer.name; });
        if (same != study.layers.end()) {
          const bool defaulted = !reader.has("name");
          problems.add(
              reader.line(defaulted ? "path" : "name"),
              fmt::format("[[layers]] name '{}'{} is already used by the layer at line "
                          "{}; give each layer a distinct name = \"...\"",
                          layer.name, defaulted ? " (from the file name)" : "", same->where.line));
        }
        study.layers.push_back(std::move(layer));
      }
    }
  }
  if (const toml::table* t = table("thresholds")) {
    TableReader reader(*t, "[thresholds]", problems);
    read_thresholds(reader, study.thresholds);
  }
  if (const toml::table* t = table("digital_exclusion")) {
    TableReader reader(*t, "[digital_exclusion]", problems);
    read_digital_exclusion(reader, study.digital_exclusion);
  }
  if (const toml::table* t = table("quality")) {
    TableReader reader(*t, "[quality]", problems);
    read_quality(reader, study.quality, study.publish_failing);
  }
  if (const toml::table* t = table("outputs")) {
    TableReader reader(*t, "[outputs]", problems);
    read_outputs(reader, study_folder, study.output_dir, study.previous_dir, study.premises_table);
  }
  if (const toml::table* t = table("report")) {
    TableReader reader(*t, "[report]", problems);
    read_report(reader, *t, study_folder, problems, study.report_places);
  }
  // An outputs folder that holds inputs would have them replaced by the first run.
  if (auto conflict = detail::outputs_folder_conflict(study, study.output_dir)) {
    const toml::table* t = table("outputs");
    const bool named = t != nullptr && t->contains("dir");
    problems.add(named ? line_of(t->find("dir")->first) : 0,
                 fmt::format("[outputs] dir{}: {}", named ? "" : " (default \"out\")", *conflict));
  }

  problems.throw_if_any();
  return study;
}

}  // namespace notspot::study
