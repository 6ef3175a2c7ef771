#include "geopackage_bulk.hpp"

#include <sqlite3.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::outputs::detail {
namespace {

// SQLite's R-tree (rtree.c): at most 51 cells per node (RTREE_MAXCELLS) of 8 + 4 * 4 bytes
// (rowid, then min x, max x, min y, max y as big-endian float32) after a 4-byte header (the
// tree's depth, meaningful in the root, and the cell count), so 1228-byte nodes for any page
// size of at least 1292 bytes; SQLite reads the node size back from the root's length.
constexpr std::size_t kMaxCells = 51;
constexpr std::size_t kCellBytes = 24;
constexpr std::size_t kNodeBytes = 4 + kMaxCells * kCellBytes;

class Database {
 public:
  explicit Database(const std::filesystem::path& path) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      fail("cannot open");
    }
  }
  ~Database() { sqlite3_close_v2(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* get() const { return db_; }
  void exec(const std::string& sql) {
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail("cannot write a point layer (" + sql.substr(0, 60) + ")");
    }
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw engine::output_error(path_.string() + ": " + what + ": " +
                               (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"));
  }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      db.fail("cannot prepare " + sql.substr(0, 60));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const { return stmt_; }
  /// Runs an INSERT or UPDATE (no result rows) and resets it for the next one.
  void run() {
    if (sqlite3_step(stmt_) != SQLITE_DONE) db_.fail("cannot write a point layer");
    sqlite3_reset(stmt_);
  }
  /// The first column of the next row, as text; empty at the end.
  bool next_row() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.fail("cannot read the GeoPackage");
    return false;
  }

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string sql_name(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

void put_le(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
void put_le(unsigned char* p, double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(bits >> (8 * i));
}
void put_be(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * (7 - i)));
}
void put_be(unsigned char* p, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(bits >> (8 * (3 - i)));
}

// The R-tree's float32 lower bound of a coordinate: never above it, as SQLite rounds a min
// itself (a max is rounded up: the next float when this one is below the coordinate).
float round_down(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) > v) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

// A node's bounding box, or an internal cell: `id` is a node number.
struct Entry {
  float minx, maxx, miny, maxy;
  std::uint32_t id;
};

// A leaf cell in 12 bytes (40 M premises: 480 MB while the tree is built): the float32 just
// below or at each coordinate, and whether the coordinate lies above it (its max is then the
// next float up), in the two low bits of `tagged`, the fid in the others.
struct Point {
  float x, y;
  std::uint32_t tagged;

  std::uint32_t fid() const { return tagged >> 2; }
  Entry entry() const {
    const float inf = std::numeric_limits<float>::infinity();
    return {x, (tagged & 2u) ? std::nextafter(x, inf) : x, y,
            (tagged & 1u) ? std::nextafter(y, inf) : y, fid()};
  }
};

Point make_point(double x, double y, std::uint32_t fid) {
  const float fx = round_down(x), fy = round_down(y);
  return {fx, fy,
          (fid << 2) | (static_cast<double>(fx) < x ? 2u : 0u) |
              (static_cast<double>(fy) < y ? 1u : 0u)};
}

double centre_x(const Entry& e) {
  return static_cast<double>(e.minx) + e.maxx;
}
double centre_y(const Entry& e) {
  return static_cast<double>(e.miny) + e.maxy;
}
std::uint32_t id_of(const Entry& e) {
  return e.id;
}
double centre_x(const Point& p) {
  return p.x;
}
double centre_y(const Point& p) {
  return p.y;
}
std::uint32_t id_of(const Point& p) {
  return p.fid();
}

// One level of sort-tile-recursive packing: `entries` into runs of at most kMaxCells (the
// nodes, returned as [begin, end) positions of the reordered `entries`), in vertical slices by
// x centre, each slice by y centre. Ties are broken by id, so the tree does not depend on the
// sort's implementation.
template <class T>
std::vector<std::pair<std::size_t, std::size_t>> pack(std::vector<T>& entries) {
  // Parallel sorts, deterministic all the same: ids are unique, so the order is total.
  tbb::parallel_sort(entries.begin(), entries.end(), [](const T& a, const T& b) {
    const double ax = centre_x(a), bx = centre_x(b);
    return ax != bx ? ax < bx : id_of(a) < id_of(b);
  });
  const std::size_t nodes = (entries.size() + kMaxCells - 1) / kMaxCells;
  const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
  const std::size_t per_slice = ((nodes + slices - 1) / slices) * kMaxCells;
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t s = 0; s < entries.size(); s += per_slice) {
    const std::size_t last = std::min(entries.size(), s + per_slice);
    tbb::parallel_sort(entries.begin() + static_cast<std::ptrdiff_t>(s),
                       entries.begin() + static_cast<std::ptrdiff_t>(last),
                       [](const T& a, const T& b) {
                         const double ay = centre_y(a), by = centre_y(b);
                         return ay != by ? ay < by : id_of(a) < id_of(b);
                       });
    for (std::size_t n = s; n < last; n += kMaxCells) {
      out.emplace_back(n, std::min(last, n + kMaxCells));
    }
  }
  return out;
}

Entry bounds(std::span<const Entry> cells, std::uint32_t id) {
  Entry b{cells[0].minx, cells[0].maxx, cells[0].miny, cells[0].maxy, id};
  for (const Entry& e : cells) {
    b.minx = std::min(b.minx, e.minx);
    b.maxx = std::max(b.maxx, e.maxx);
    b.miny = std::min(b.miny, e.miny);
    b.maxy = std::max(b.maxy, e.maxy);
  }
  return b;
}

// Inserts `count` rows of two integers, `row(k)` for k in [0, count), into `into` ("table
// (a, b)"), 256 rows to a statement: one statement per row was most of the R-tree's cost.
template <class Row>
void insert_pairs(Database& db, const std::string& into, std::size_t count, Row row) {
  constexpr std::size_t kRows = 256;
  const auto sql = [&](std::size_t rows) {
    std::string text = "INSERT INTO " + into + " VALUES ";
    for (std::size_t r = 0; r < rows; ++r) text += r == 0 ? "(?, ?)" : ", (?, ?)";
    return text;
  };
  Statement full(db, sql(kRows));
  for (std::size_t start = 0; start < count; start += kRows) {
    const std::size_t rows = std::min(kRows, count - start);
    std::optional<Statement> last;
    if (rows < kRows) last.emplace(db, sql(rows));
    sqlite3_stmt* s = (last ? *last : full).get();
    for (std::size_t r = 0; r < rows; ++r) {
      const auto [a, b] = row(start + r);
      sqlite3_bind_int64(s, static_cast<int>(2 * r + 1), a);
      sqlite3_bind_int64(s, static_cast<int>(2 * r + 2), b);
    }
    (last ? *last : full).run();
  }
}

void write_rtree(Database& db, const std::string& rtree, std::vector<Point> points) {
  for (const char* shadow : {"_node", "_rowid", "_parent"}) {
    db.exec("DELETE FROM " + sql_name(rtree + shadow));
  }
  Statement node(db, "INSERT INTO " + sql_name(rtree + "_node") + " (nodeno, data) VALUES (?, ?)");
  Statement parent(
      db, "INSERT INTO " + sql_name(rtree + "_parent") + " (nodeno, parentnode) VALUES (?, ?)");
  std::array<unsigned char, kNodeBytes> data{};
  auto write_node = [&](std::uint32_t number, std::span<const Entry> cells, int depth) {
    data.fill(0);
    data[0] = static_cast<unsigned char>(depth >> 8);
    data[1] = static_cast<unsigned char>(depth);
    data[2] = static_cast<unsigned char>(cells.size() >> 8);
    data[3] = static_cast<unsigned char>(cells.size());
    unsigned char* p = data.data() + 4;
    for (const Entry& e : cells) {
      put_be(p, static_cast<std::uint64_t>(e.id));
      put_be(p + 8, e.minx);
      put_be(p + 12, e.maxx);
      put_be(p + 16, e.miny);
      put_be(p + 20, e.maxy);
      p += kCellBytes;
    }
    sqlite3_bind_int64(node.get(), 1, number);
    sqlite3_bind_blob(node.get(), 2, data.data(), static_cast<int>(data.size()), SQLITE_STATIC);
    node.run();
  };
  auto write_parents = [&](std::span<const Entry> cells, std::uint32_t number) {
    for (const Entry& e : cells) {
      sqlite3_bind_int64(parent.get(), 1, e.id);
      sqlite3_bind_int64(parent.get(), 2, number);
      parent.run();
    }
  };
  // The leaves (or, with at most kMaxCells points, the root itself).
  std::vector<std::uint32_t> leaf_of(points.size() + 1, 1);  // by fid
  std::uint32_t next_number = 2;                             // 1 is the root
  std::vector<Entry> level;
  std::vector<Entry> cells;
  if (points.size() <= kMaxCells) {
    for (const Point& p : points) cells.push_back(p.entry());
    write_node(1, cells, 0);
  } else {
    for (const auto& [begin, end] : pack(points)) {
      const std::uint32_t number = next_number++;
      cells.clear();
      for (std::size_t k = begin; k < end; ++k) {
        cells.push_back(points[k].entry());
        leaf_of[points[k].fid()] = number;
      }
      write_node(number, cells, 0);
      level.push_back(bounds(cells, number));
    }
  }
  std::vector<Point>().swap(points);
  engine::throw_if_cancelled();
  // The levels above, up to the root.
  int depth = 1;
  while (level.size() > kMaxCells) {
    std::vector<Entry> above;
    for (const auto& [begin, end] : pack(level)) {
      const std::uint32_t number = next_number++;
      const std::span<const Entry> run(level.data() + begin, end - begin);
      write_node(number, run, depth);
      write_parents(run, number);
      above.push_back(bounds(run, number));
    }
    level = std::move(above);
    ++depth;
  }
  if (!level.empty()) {
    write_node(1, level, depth);
    write_parents(level, 1);
  }
  insert_pairs(db, sql_name(rtree + "_rowid") + " (rowid, nodeno)", leaf_of.size() - 1,
               [&](std::size_t k) -> std::pair<std::int64_t, std::int64_t> {
                 return {static_cast<std::int64_t>(k + 1), leaf_of[k + 1]};
               });
}

// The layer's srs_id, from gpkg_geometry_columns.
std::int64_t srs_id_of(Database& db, const std::string& table) {
  Statement srs(db, "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?");
  sqlite3_bind_text(srs.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  if (!srs.next_row()) db.fail("the layer " + table + " has no geometry column");
  return sqlite3_column_int64(srs.get(), 0);
}

// The table's triggers (R-tree upkeep and GDAL's feature count), as name and SQL.
std::vector<std::pair<std::string, std::string>> triggers_of(Database& db,
                                                             const std::string& table) {
  std::vector<std::pair<std::string, std::string>> triggers;
  Statement list(db,
                 "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                 "ORDER BY name");
  sqlite3_bind_text(list.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
  while (list.next_row()) {
    triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list.get(), 0)),
                          reinterpret_cast<const char*>(sqlite3_column_text(list.get(), 1)));
  }
  return triggers;
}

// "INSERT INTO table (fid, geom, columns...) VALUES (?, ...), ..." for `rows` rows.
std::string insert_sql(const PointLayerRows& layer, std::size_t rows) {
  std::string sql = "INSERT INTO " + sql_name(layer.table) + " (fid, geom";
  std::string row = "(?, ?";
  for (const std::string& c : layer.columns) {
    sql += ", " + sql_name(c);
    row += ", ?";
  }
  row += ")";
  sql += ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) sql += (r == 0 ? "" : ", ") + row;
  return sql;
}

// A GeoPackage point blob: binary header (GP, version 0, little-endian, no envelope), srs_id,
// then the point as little-endian WKB.
using PointBlob = std::array<unsigned char, 29>;
PointBlob point_blob(std::int64_t srs_id) {
  PointBlob blob{'G', 'P', 0, 1};
  put_le(blob.data() + 4, static_cast<std::uint32_t>(srs_id));
  blob[8] = 1;
  put_le(blob.data() + 9, std::uint32_t{1});
  return blob;
}

void set_contents(Database& db, const std::string& table, std::uint64_t count,
                  const std::array<double, 4>& extent) {
  Statement features(db,
                     "UPDATE gpkg_ogr_contents SET feature_count = ? WHERE lower(table_name) = "
                     "lower(?)");
  sqlite3_bind_int64(features.get(), 1, static_cast<sqlite3_int64>(count));
  sqlite3_bind_text(features.get(), 2, table.c_str(), -1, SQLITE_TRANSIENT);
  features.run();
  if (count == 0) return;
  Statement bounds(db,
                   "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE "
                   "table_name = ?");
  for (int k = 0; k < 4; ++k) sqlite3_bind_double(bounds.get(), k + 1, extent[k]);
  sqlite3_bind_text(bounds.get(), 5, table.c_str(), -1, SQLITE_TRANSIENT);
  bounds.run();
}

}  // namespace

void fill_point_layer(const std::filesystem::path& path, const PointLayerRows& layer) {
  Database db(path);
  // The file is in the staging folder and synced by the publish step (as GDAL writes it).
  db.exec("PRAGMA journal_mode = OFF");
  db.exec("PRAGMA synchronous = OFF");
  // 8 MB: the table is only appended to, so a page once written is not read again; a large
  // cache (256 MB was tried) only made SQLite allocate and fault in a fresh page for every
  // page written, 30% slower for two million outside premises.
  db.exec("PRAGMA cache_size = -8192");
  if (layer.count >= (std::size_t{1} << 30)) {  // Point keeps the fid in 30 bits
    throw engine::output_error(path.string() + ": too many points for the layer " + layer.table);
  }
  const std::int64_t srs_id = srs_id_of(db, layer.table);
  const auto triggers = triggers_of(db, layer.table);
  db.exec("BEGIN");
  for (const auto& [name, sql] : triggers) db.exec("DROP TRIGGER " + sql_name(name));

  // Several rows to a statement: one sqlite3_step per row was a third of the time. SQLite
  // 3.32+ allows 32,766 parameters to a statement.
  const std::size_t per_row = layer.columns.size() + 2;
  const std::size_t batch = std::clamp<std::size_t>(8000 / per_row, 1, kMaxRowsPerInsert);
  Statement full(db, insert_sql(layer, batch));
  std::vector<PointBlob> blobs(batch, point_blob(srs_id));
  std::vector<Point> entries;
  entries.reserve(layer.count);
  const double inf = std::numeric_limits<double>::infinity();
  std::array<double, 4> extent{inf, inf, -inf, -inf};
  for (std::size_t start = 0; start < layer.count; start += batch) {
    engine::throw_if_cancelled();
    const std::size_t rows = std::min(batch, layer.count - start);
    std::optional<Statement> last;
    if (rows < batch) last.emplace(db, insert_sql(layer, rows));
    Statement& insert = last ? *last : full;
    sqlite3_stmt* s = insert.get();
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t row = start + r;
      const int first = static_cast<int>(r * per_row) + 1;
      const auto [x, y] = layer.bind(row, s, first + 2);
      const auto fid = static_cast<std::uint32_t>(row + 1);
      put_le(blobs[r].data() + 13, x);
      put_le(blobs[r].data() + 21, y);
      sqlite3_bind_int64(s, first, fid);
      sqlite3_bind_blob(s, first + 1, blobs[r].data(), static_cast<int>(blobs[r].size()),
                        SQLITE_STATIC);
      entries.push_back(make_point(x, y, fid));
      extent = {std::min(extent[0], x), std::min(extent[1], y), std::max(extent[2], x),
                std::max(extent[3], y)};
    }
    insert.run();
  }
  const std::uint64_t count = entries.size();
  write_rtree(db, "rtree_" + layer.table + "_geom", std::move(entries));
  set_contents(db, layer.table, count, extent);
  for (const auto& [name, sql] : triggers) db.exec(sql);
  db.exec("COMMIT");
}

void fill_premises_layer(const std::filesystem::path& path, const ColumnCatalogue& columns,
                         const PremisesResults& results) {
  const PremisesCells cells(columns, results);
  const std::optional<std::size_t> x_column = columns.find("x"), y_column = columns.find("y");
  const engine::PremisesTable& premises = *results.premises;
  // Cells of a whole batch of rows are bound before the statement runs: one row buffer per
  // row of a batch, reused batch after batch (the text they point to lives in `cells`).
  std::vector<std::vector<PremisesCell>> rows(kMaxRowsPerInsert,
                                              std::vector<PremisesCell>(columns.size()));
  PointLayerRows layer{"premises", {}, premises.size(), {}};
  for (const ColumnSpec& c : columns) layer.columns.push_back(c.name);
  layer.bind = [&](std::size_t i, sqlite3_stmt* s, int first) -> std::array<double, 2> {
    std::vector<PremisesCell>& row = rows[i % rows.size()];
    cells.row(i, row);
    for (std::size_t c = 0; c < row.size(); ++c) {
      const int k = static_cast<int>(c) + first;
      const PremisesCell& cell = row[c];
      switch (cell.type) {
        case PremisesCell::Type::kNull:
          sqlite3_bind_null(s, k);
          break;
        case PremisesCell::Type::kText:
          sqlite3_bind_text(s, k, cell.text.data(), static_cast<int>(cell.text.size()),
                            SQLITE_STATIC);
          break;
        case PremisesCell::Type::kInteger:
        case PremisesCell::Type::kFlag:
          sqlite3_bind_int64(s, k, cell.integer);
          break;
        case PremisesCell::Type::kReal:
          sqlite3_bind_double(s, k, cell.real);
          break;
      }
    }
    return {x_column ? row[*x_column].real : premises.x[i],
            y_column ? row[*y_column].real : premises.y[i]};
  };
  fill_point_layer(path, layer);
}

void fill_outside_layer(const std::filesystem::path& path, const engine::PremisesTable& premises,
                        std::span<const std::uint32_t> area_of_premise) {
  std::vector<std::uint32_t> outside;
  for (std::size_t i = 0; i < area_of_premise.size(); ++i) {
    if (area_of_premise[i] == engine::AreaIndex::kOutside) {
      outside.push_back(static_cast<std::uint32_t>(i));
    }
  }
  PointLayerRows layer{"premises_outside", {"premise_id", "source_line"}, outside.size(), {}};
  layer.bind = [&](std::size_t row, sqlite3_stmt* s, int first) -> std::array<double, 2> {
    const std::uint32_t i = outside[row];
    sqlite3_bind_int64(s, first, static_cast<sqlite3_int64>(premises.id[i]));
    sqlite3_bind_int64(s, first + 1, static_cast<sqlite3_int64>(premises.line[i]));
    return {premises.x[i], premises.y[i]};
  };
  fill_point_layer(path, layer);
}

}  // namespace notspot::outputs::detail
