#include "notspot/io/premises_reader.hpp"

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "detail/gdal_util.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/postcode.hpp"
#include "notspot/io/csv.hpp"
#include "notspot/io/mapped_file.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {
namespace {

constexpr std::string_view kSource = "premises";

struct Columns {
  std::size_t id = 0;
  std::size_t x = 0;
  std::size_t y = 0;
  std::optional<std::size_t> postcode;
  std::string crs;
};

Columns resolve_columns(const PremisesSource& source, const CsvHeader& header,
                        const std::string& display) {
  const std::string key = source.where.describe() + " [premises]";
  Columns c;
  c.id = header.require(source.id_field, display, key + " id");
  if (source.postcode_field)
    c.postcode = header.require(*source.postcode_field, display, key + " postcode");
  if (source.x_field && source.y_field) {
    c.x = header.require(*source.x_field, display, key + " x");
    c.y = header.require(*source.y_field, display, key + " y");
    c.crs = source.crs.value_or("EPSG:27700");
  } else if (!header.candidates("X_COORDINATE").empty() &&
             !header.candidates("Y_COORDINATE").empty()) {
    // OS Open UPRN: British National Grid eastings and northings.
    c.x = *header.find_unambiguous("X_COORDINATE", display, key + " x (detected)");
    c.y = *header.find_unambiguous("Y_COORDINATE", display, key + " y (detected)");
    c.crs = source.crs.value_or("EPSG:27700");
  } else if (!header.candidates("LONGITUDE").empty() && !header.candidates("LATITUDE").empty()) {
    c.x = *header.find_unambiguous("LONGITUDE", display, key + " x (detected)");
    c.y = *header.find_unambiguous("LATITUDE", display, key + " y (detected)");
    c.crs = source.crs.value_or("EPSG:4326");
  } else {
    throw engine::study_error(display +
                              ": cannot tell which columns hold the coordinates; the "
                              "header has: " +
                              header.describe() +
                              ". Name them with x = \"...\" and y = \"...\" (and crs) in " + key);
  }
  return c;
}

// Why a longitude/latitude pair of a geographic CRS is impossible (beyond ±180 or ±90), or "".
std::string beyond_the_globe(double lon, double lat, std::string_view lon_name,
                             std::string_view lat_name, bool has_bounds) {
  if (std::abs(lon) > 360 || std::abs(lat) > 360) {
    // Not degrees gone wrong but no degrees at all (metres?): the CRS is the question, which
    // the area-of-use check asks when the CRS has one.
    if (has_bounds) return {};
    return fmt::format("coordinates ({}, {}) are not longitude and latitude in degrees; are "
                       "they in another CRS (metres?): set [premises] crs",
                       lon, lat);
  }
  if (std::abs(lat) > 90) {
    return fmt::format("latitude {} ({}) is beyond ±90 degrees, so it is not a latitude; are "
                       "{} and {} swapped, or the value cut or mistyped?",
                       lat, lat_name, lon_name, lat_name);
  }
  if (std::abs(lon) > 180) {
    return fmt::format("longitude {} ({}) is beyond ±180 degrees; longitudes run from -180 "
                       "to 180 (write 357.5 as -2.5), or is the value cut or mistyped?",
                       lon, lon_name);
  }
  return {};
}

// What reading one slice of the table (a chunk of the file) found.
struct SliceResult {
  ProblemLog log;
  std::uint64_t rows = 0;
  std::uint64_t blank = 0;
  std::uint64_t kept = 0;              // rows accepted, at the start of the slice
  std::uint64_t without_postcode = 0;  // empty or malformed postcode (the premise is kept)
};

// The postcode key of a field; counts fields that give none.
std::uint64_t read_postcode(std::string_view field, std::uint64_t& without) {
  const std::optional<std::uint64_t> key = engine::postcode_key(field);
  if (!key) ++without;
  return key.value_or(0);
}

// Reprojects rows [begin, begin + out.kept) of the table in place, rejects any that PROJ
// cannot transform and closes the gaps they leave. `line` holds CSV line numbers, or OGR
// feature ids when `by_feature`.
void transform_slice(engine::PremisesTable& table, std::size_t begin, SliceResult& out,
                     const CoordinateTransform& transform, const Crs& from, const Crs& to,
                     const std::string& display, bool by_feature) {
  if (transform.is_identity() || out.kept == 0) return;
  const std::size_t n = out.kept;
  const std::vector<double> x0(table.x.begin() + static_cast<std::ptrdiff_t>(begin),
                               table.x.begin() + static_cast<std::ptrdiff_t>(begin + n));
  const std::vector<double> y0(table.y.begin() + static_cast<std::ptrdiff_t>(begin),
                               table.y.begin() + static_cast<std::ptrdiff_t>(begin + n));
  transform.transform(std::span<double>(table.x.data() + begin, n),
                      std::span<double>(table.y.data() + begin, n));
  std::size_t write = begin;
  for (std::size_t i = begin; i < begin + n; ++i) {
    if (std::isfinite(table.x[i]) && std::isfinite(table.y[i])) {
      if (write != i) table.move_rows(i, 1, write);
      ++write;
      continue;
    }
    const std::uint64_t where = table.line[i];
    out.log.reject(
        {std::string(kSource), display, by_feature ? 0 : where,
         by_feature ? std::optional<std::int64_t>(static_cast<std::int64_t>(where)) : std::nullopt,
         fmt::format("coordinates ({}, {}) cannot be transformed from {} to {}", x0[i - begin],
                     y0[i - begin], from.describe(), to.describe()),
         ""});
  }
  out.kept = write - begin;
}

// An opened premises CSV: its header, where the rows start, and how to read them.
struct CsvSource : CsvFile {
  Columns columns;
  Crs crs;
};

CsvSource open_csv(const PremisesSource& source, const std::string& requested) {
  CsvFile csv = open_csv_file(source.path, source.member, requested,
                              "a header line such as "
                              "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE");
  Columns columns = resolve_columns(source, csv.header, csv.display);
  Crs crs = Crs::from_definition(columns.crs, source.where.describe() + " [premises] crs");
  return {std::move(csv), std::move(columns), std::move(crs)};
}

PremisesLoad read_csv(const PremisesSource& source, const Crs& study_crs,
                      const std::string& requested, ProblemLog& log, Progress& progress) {
  const CsvSource csv = open_csv(source, requested);
  const std::string& display = csv.display;
  const CsvHeader& header = csv.header;
  const Columns& columns = csv.columns;
  const Crs& crs = csv.crs;

  PremisesLoad load;
  if (csv.file.member()) load.members.push_back(*csv.file.member());
  load.id_column = header.names()[columns.id];
  load.x_column = header.names()[columns.x];
  load.y_column = header.names()[columns.y];
  load.crs = crs;
  load.source_crs = crs.describe();
  load.area_of_use = crs.bounds();
  load.transformation = CoordinateTransform(crs, study_crs).description();
  // A name given twice is harmless while the study uses neither column; say so all the same.
  for (const std::string& name : header.duplicate_names()) {
    log.warn(std::string(kSource),
             fmt::format("{}: the header has more than one column named '{}'; none of them is "
                         "used, but a study naming '{}' would be refused as ambiguous",
                         display, name, name));
  }

  const std::string_view rows = csv.rows;
  const std::vector<CsvChunk> chunks = split_csv_rows(
      rows, csv.first_row_line, std::max<std::size_t>(1, rows.size() >> 22), &csv.file);
  csv.file.check_unchanged(display);  // zeros read past a truncation are not binary data
  refuse_binary(chunks, rows, display);
  // Each chunk parses straight into its own slice of the columns (a row per line at most),
  // so nothing is copied between threads; the slices are closed up afterwards.
  std::vector<std::size_t> slice_begin(chunks.size() + 1, 0);
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    slice_begin[c + 1] = slice_begin[c] + chunks[c].line_ends + 1;
  }
  if (columns.postcode) load.table.enable_postcodes();
  load.table.resize(slice_begin.back());
  std::vector<SliceResult> results(chunks.size());
  std::atomic<std::uint64_t> bytes_done{0};
  const std::optional<engine::Box> bounds = crs.bounds();
  const std::string& id_name = load.id_column;
  const std::string& x_name = load.x_column;
  const std::string& y_name = load.y_column;
  const bool identity = CoordinateTransform(crs, study_crs).is_identity();
  const bool geographic = crs.is_geographic();
  // PROJ transformations are costly to create and not thread-safe: one per thread.
  tbb::enumerable_thread_specific<std::optional<CoordinateTransform>> transforms;
  engine::PremisesTable& table = load.table;

  tbb::parallel_for(std::size_t{0}, chunks.size(), [&](std::size_t c) {
    engine::throw_if_cancelled();  // SIGINT/SIGTERM: stop within one chunk (4 MB)
    SliceResult& out = results[c];
    std::size_t at = slice_begin[c];
    auto reject = [&](const CsvRow& row, std::string reason) {
      out.log.reject({std::string(kSource), display, row.line, std::nullopt, std::move(reason),
                      ProblemLog::record(row.raw)});
    };
    const RowTally tally = for_each_row(chunks[c], header.size(), reject, [&](const CsvRow& row) {
      const std::string_view id_field = row.fields[columns.id];
      const auto id = parse_uint64(id_field);
      if (!id) {
        reject(row, trim(id_field).empty()
                        ? fmt::format("{} is empty", id_name)
                        : fmt::format("{} '{}' is not a whole number (UPRN-style ids expected)",
                                      id_name, ProblemLog::field(id_field)));
        return;
      }
      const auto x = parse_double(row.fields[columns.x]);
      const auto y = parse_double(row.fields[columns.y]);
      if (!x || !y) {
        const bool x_bad = !x;
        const std::string& name = x_bad ? x_name : y_name;
        const std::string_view value = row.fields[x_bad ? columns.x : columns.y];
        reject(row, trim(value).empty() ? fmt::format("{} is empty", name)
                                        : fmt::format("{} '{}' is not a number", name, ProblemLog::field(value)));
        return;
      }
      if (!std::isfinite(*x) || !std::isfinite(*y)) {
        reject(row, fmt::format("coordinates ({}, {}) are not finite numbers", *x, *y));
        return;
      }
      if (geographic) {
        if (std::string why = beyond_the_globe(*x, *y, x_name, y_name, bounds.has_value()); !why.empty()) {
          reject(row, std::move(why));
          return;
        }
      }
      if (bounds && !bounds->contains({*x, *y})) {
        reject(row, fmt::format("coordinates ({}, {}) are outside the area of use of {}; are "
                                "they in another CRS, or are {} and {} swapped?",
                                *x, *y, crs.describe(), x_name, y_name));
        return;
      }
      table.set_row(at++, *id, *x, *y, row.line,
                    columns.postcode
                        ? read_postcode(row.fields[*columns.postcode], out.without_postcode)
                        : 0);
    });
    out.rows = tally.rows;
    out.blank = tally.blank;
    out.kept = at - slice_begin[c];
    csv.file.release(chunks[c].text);
    if (!identity) {
      std::optional<CoordinateTransform>& transform = transforms.local();
      if (!transform) transform.emplace(crs, study_crs);
      transform_slice(table, slice_begin[c], out, *transform, crs, study_crs, display, false);
    }
    progress.advance(bytes_done += chunks[c].text.size(), rows.size());
  });
  // Rows parsed from a file another process truncated or rewrote meanwhile are not the file.
  csv.file.check_unchanged(display);

  std::size_t write = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    SliceResult& r = results[c];
    if (write != slice_begin[c]) table.move_rows(slice_begin[c], r.kept, write);
    write += r.kept;
    load.rows_read += r.rows;
    load.blank_lines += r.blank;
    load.rejected += r.log.rejected().size();
    load.without_postcode += r.without_postcode;
    log.append(std::move(r.log));
  }
  table.resize(write);
  if (columns.postcode) load.postcode_column = header.names()[*columns.postcode];
  // A file cut short by a failed copy ends inside a row: "1024,401500,101" for 101500 parses
  // as a wrong coordinate. Files written whole end with a line end; say when this one does not.
  if (!rows.empty() && rows.back() != '\n') {
    const std::size_t start = rows.rfind('\n') + 1;  // npos + 1 == 0: the only row
    const std::string_view last = rows.substr(start);
    std::uint64_t line = csv.first_row_line;
    for (const CsvChunk& chunk : chunks) line += chunk.line_ends;
    if (!trim(last).empty() && last != "\r") {
      log.warn(std::string(kSource),
               fmt::format("{}:{}: the last line has no line end, so the file may have been cut "
                           "short and that row's last field truncated ('{}'); check the line "
                           "against the source, or end the file with a newline",
                           display, line, ProblemLog::field(last)));
    }
  }
  return load;
}

// An opened premises layer.
struct OgrSource {
  GDALDatasetUniquePtr dataset;
  OGRLayer* layer = nullptr;
  int id_index = -1;
  int postcode_index = -1;
  Crs crs;
  std::optional<AttributeFilterResult> filter;  // `where`, applied to `layer`
};

OgrSource open_ogr(const PremisesSource& source, const std::string& display, ProblemLog& log) {
  OgrSource out;
  out.dataset = detail::open_vector(gdal_input_name(source.path, source.member, display), display);
  const std::string key = source.where.describe() + " [premises]";
  out.layer = detail::pick_layer(*out.dataset, source.layer, display, key + " layer");
  out.id_index = detail::require_field(*out.layer, source.id_field, display, key + " id");
  if (source.postcode_field) {
    out.postcode_index =
        detail::require_field(*out.layer, *source.postcode_field, display, key + " postcode");
  }
  out.filter =
      detail::apply_attribute_filter(*out.layer, source.attribute_filter, display, key + " where");
  out.crs = detail::resolve_crs(out.layer->GetSpatialRef(), source.crs, display,
                                std::string("layer '") + out.layer->GetName() + "'", key,
                                std::string(kSource), log);
  return out;
}

PremisesLoad read_ogr(const PremisesSource& source, const Crs& study_crs,
                      const std::string& display, ProblemLog& log, Progress& progress) {
  OgrSource ogr = open_ogr(source, display, log);
  OGRLayer* layer = ogr.layer;
  const int id_index = ogr.id_index;
  const std::optional<Crs> crs = ogr.crs;

  PremisesLoad load;
  load.id_column = source.id_field;
  load.crs = crs;
  load.filter = ogr.filter;
  load.source_crs = crs->describe();
  load.area_of_use = crs->bounds();
  const std::optional<engine::Box> bounds = crs->bounds();
  SliceResult out;
  engine::PremisesTable table;
  if (ogr.postcode_index >= 0) table.enable_postcodes();
  const std::int64_t total = ogr.filter ? static_cast<std::int64_t>(ogr.filter->features_selected)
                                        : layer->GetFeatureCount(FALSE);
  GdalErrorCapture capture;
  layer->ResetReading();
  for (auto& feature : *layer) {
    if ((out.rows & 0xFFFF) == 0) engine::throw_if_cancelled();
    ++out.rows;
    const std::int64_t fid = feature->GetFID();
    auto reject = [&](std::string reason) {
      out.log.reject({std::string(kSource), display, 0, fid, std::move(reason), ""});
    };
    const std::string id_text = feature->IsFieldSetAndNotNull(id_index)
                                    ? feature->GetFieldAsString(id_index)
                                    : std::string();
    const auto id = parse_uint64(id_text);
    if (!id) {
      reject(id_text.empty()
                 ? source.id_field + " is empty"
                 : fmt::format("{} '{}' is not a whole number", source.id_field, ProblemLog::field(id_text)));
      continue;
    }
    const OGRGeometry* g = feature->GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) {
      reject("the feature has no geometry");
      continue;
    }
    if (wkbFlatten(g->getGeometryType()) != wkbPoint) {
      reject(fmt::format("the geometry is a {}, not a point",
                         OGRGeometryTypeToName(g->getGeometryType())));
      continue;
    }
    const double x = g->toPoint()->getX();
    const double y = g->toPoint()->getY();
    if (!std::isfinite(x) || !std::isfinite(y)) {
      reject(fmt::format("coordinates ({}, {}) are not finite numbers", x, y));
      continue;
    }
    if (crs->is_geographic()) {
      if (std::string why = beyond_the_globe(x, y, "x", "y", bounds.has_value()); !why.empty()) {
        reject(std::move(why));
        continue;
      }
    }
    if (bounds && !bounds->contains({x, y})) {
      reject(
          fmt::format("coordinates ({}, {}) are outside the area of use of {}; is the "
                      "layer's CRS right?",
                      x, y, crs->describe()));
      continue;
    }
    // OGR has no line numbers: the feature id stands in.
    const std::uint64_t postcode =
        ogr.postcode_index < 0 ? 0
                               : read_postcode(feature->IsFieldSetAndNotNull(ogr.postcode_index)
                                                   ? feature->GetFieldAsString(ogr.postcode_index)
                                                   : "",
                                               out.without_postcode);
    table.push_back(*id, x, y, static_cast<std::uint64_t>(fid), postcode);
    if (total > 0 && out.rows % 65536 == 0) {
      progress.advance(out.rows, static_cast<std::uint64_t>(total));
    }
  }
  if (!capture.last_error().empty()) {
    throw engine::input_error(display + ": reading failed part-way: " + capture.last_error() +
                              "; is the file complete?");
  }
  out.kept = table.size();
  transform_slice(table, 0, out, CoordinateTransform(*crs, study_crs), *crs, study_crs, display,
                  true);
  table.resize(out.kept);
  load.transformation = CoordinateTransform(*crs, study_crs).description();
  load.rows_read = out.rows;
  load.rejected = out.log.rejected().size();
  load.without_postcode = out.without_postcode;
  if (source.postcode_field) load.postcode_column = *source.postcode_field;
  log.append(std::move(out.log));
  load.table = std::move(table);
  return load;
}

// Keeps at most `max_points` of the points, evenly spread (the k-th of max_points at k*n/max).
void thin_out(PremisesSample& sample, std::size_t max_points) {
  const std::size_t n = sample.x.size();
  if (n <= max_points) return;
  std::vector<double> x, y;
  x.reserve(max_points);
  y.reserve(max_points);
  for (std::size_t k = 0; k < max_points; ++k) {
    const std::size_t i = k * n / max_points;
    x.push_back(sample.x[i]);
    y.push_back(sample.y[i]);
  }
  sample.x = std::move(x);
  sample.y = std::move(y);
}

PremisesSample sample_csv(const PremisesSource& source, const std::string& requested,
                          std::size_t max_points, std::size_t whole_file_bytes) {
  const CsvSource csv = open_csv(source, requested);
  const std::string& display = csv.display;
  PremisesSample sample{{}, {}, csv.crs, csv.header.names()[csv.columns.x],
                        csv.header.names()[csv.columns.y]};
  const std::string_view rows = csv.rows;
  const std::size_t field_count = csv.header.size();
  auto take = [&](const CsvRow& row) {
    if (row.fields.size() != field_count) {
      ++sample.unparsed;
      return;
    }
    const auto x = parse_double(row.fields[csv.columns.x]);
    const auto y = parse_double(row.fields[csv.columns.y]);
    if (!x || !y || !std::isfinite(*x) || !std::isfinite(*y)) {
      ++sample.unparsed;
      return;
    }
    sample.x.push_back(*x);
    sample.y.push_back(*y);
  };
  if (rows.size() <= whole_file_bytes) {
    sample.whole_file = true;
    const std::vector<CsvChunk> chunks = split_csv_rows(rows, csv.first_row_line, 1);
    refuse_binary(chunks, rows, display);
    for (const CsvChunk& chunk : chunks) {
      for_each_row(chunk, field_count, [&](const CsvRow&, const std::string&) { ++sample.unparsed; },
                   take);
    }
    thin_out(sample, max_points);
  } else {
    // The row starting at or after each of max_points evenly spaced offsets, read up to its
    // line end (at most 64 kB): a row with a line end inside quotes, or a seek that lands
    // inside a quoted field, is an unterminated quote, left out and counted.
    constexpr std::size_t kMaxRow = std::size_t{1} << 16;
    csv.file.expect_random_access();
    std::size_t previous = std::string_view::npos;
    std::size_t last_line_end = std::string_view::npos;
    for (std::size_t k = 0; k < max_points; ++k) {
      const std::size_t offset = k * rows.size() / max_points;  // < 2^64 for any real file
      std::size_t start = 0;
      if (offset > 0) {
        // Offsets increase: one inside the line found last has that line end too, so a long
        // line is scanned once, not once per offset that lands in it (a 100 MB line: 4,096
        // scans).
        const bool same_line =
            last_line_end != std::string_view::npos && offset - 1 <= last_line_end;
        const std::size_t line_end = same_line ? last_line_end : rows.find('\n', offset - 1);
        if (line_end == std::string_view::npos) break;
        last_line_end = line_end;
        start = line_end + 1;
      }
      if (start >= rows.size()) break;
      if (start == previous) continue;
      previous = start;
      // Up to its line end only: the cursor may look ahead, and every page touched is read.
      const std::string_view window = rows.substr(start, kMaxRow);
      CsvCursor cursor(window.substr(0, window.find('\n') + 1), 0);  // npos + 1: the window
      CsvRow row;
      if (!cursor.next(row)) continue;
      if (row.raw.find('\0') != std::string_view::npos) {
        csv.file.check_unchanged(display);  // zeros read past a truncation are not binary data
        throw engine::input_error(fmt::format(
            "{}: holds NUL bytes in the row at byte {} after the header: binary data, not CSV "
            "text; is it the right file?",
            display, start));
      }
      if (row.blank()) continue;
      if (row.unterminated_quote) {
        ++sample.unparsed;
        continue;
      }
      take(row);
    }
  }
  csv.file.check_unchanged(display);
  return sample;
}

PremisesSample sample_ogr(const PremisesSource& source, const std::string& display,
                          std::size_t max_points) {
  ProblemLog ignored;  // warnings come again when the run reads the layer
  OgrSource ogr = open_ogr(source, display, ignored);
  OGRLayer* layer = ogr.layer;
  PremisesSample sample{{}, {}, ogr.crs, "", ""};
  auto take = [&](const OGRFeature& feature) {
    const OGRGeometry* g = feature.GetGeometryRef();
    if (g == nullptr || g->IsEmpty() || wkbFlatten(g->getGeometryType()) != wkbPoint ||
        !std::isfinite(g->toPoint()->getX()) || !std::isfinite(g->toPoint()->getY())) {
      ++sample.unparsed;
      return;
    }
    sample.x.push_back(g->toPoint()->getX());
    sample.y.push_back(g->toPoint()->getY());
  };
  const std::int64_t count = layer->GetFeatureCount(TRUE);
  layer->ResetReading();
  // A filtered layer is read whole: fast SetNextByIndex may skip the attribute filter.
  if (count > static_cast<std::int64_t>(max_points) && !ogr.filter &&
      layer->TestCapability(OLCFastSetNextByIndex)) {
    for (std::size_t k = 0; k < max_points; ++k) {
      const auto index =
          static_cast<GIntBig>(k * static_cast<std::uint64_t>(count) / max_points);
      if (layer->SetNextByIndex(index) != OGRERR_NONE) break;
      const OGRFeatureUniquePtr feature(layer->GetNextFeature());
      if (feature) take(*feature);
    }
  } else {
    sample.whole_file = true;
    for (auto& feature : *layer) take(*feature);
    thin_out(sample, max_points);
  }
  return sample;
}

}  // namespace

PremisesInspection inspect_premises(const PremisesSource& source, const std::string& display) {
  if (source.format == PremisesFormat::kOgr) {
    ProblemLog ignored;  // inspection only: warnings come again when the run reads the layer
    OgrSource ogr = open_ogr(source, display, ignored);
    std::string description =
        fmt::format("{} layer '{}', {} features", display, ogr.layer->GetName(),
                    ogr.filter ? static_cast<GIntBig>(ogr.filter->features_in_layer)
                               : ogr.layer->GetFeatureCount(TRUE));
    if (ogr.filter) {
      description += fmt::format(", {} selected by where \"{}\"", ogr.filter->features_selected,
                                 ogr.filter->clause);
    }
    return {std::move(description), ogr.crs, ogr.filter};
  }
  CsvSource csv = open_csv(source, display);
  return {fmt::format("{} ({:.1f} MB), columns {}", csv.display,
                      static_cast<double>(csv.file.size()) / 1e6, csv.header.describe()),
          csv.crs};
}

PremisesSample sample_premises(const PremisesSource& source, const std::string& display,
                               std::size_t max_points, std::size_t whole_file_bytes) {
  max_points = std::max<std::size_t>(1, max_points);
  return source.format == PremisesFormat::kOgr
             ? sample_ogr(source, display, max_points)
             : sample_csv(source, display, max_points, whole_file_bytes);
}

PremisesLoad read_premises(const PremisesSource& source, const Crs& study_crs,
                           const std::string& display, ProblemLog& log, Progress& progress) {
  progress.stage("Reading premises");
  PremisesLoad load = source.format == PremisesFormat::kCsv
                          ? read_csv(source, study_crs, display, log, progress)
                          : read_ogr(source, study_crs, display, log, progress);
  // Every quality share is a share of the rows read: with none, no gate could trip and an
  // empty extract would be published as a study of nobody.
  if (load.rows_read == 0) {
    throw engine::input_error(display +
                              ": has no rows (a header, or nothing, but no premises): there "
                              "is nothing to assign; is the file complete?");
  }
  return load;
}

}  // namespace notspot::io
