#include "geopackage_bulk.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"

namespace notspot::outputs::detail {
namespace {

constexpr const char* kTable = "premises";
constexpr const char* kRtree = "rtree_premises_geom";
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
      fail("cannot write the premises layer (" + sql.substr(0, 60) + ")");
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
    if (sqlite3_step(stmt_) != SQLITE_DONE) db_.fail("cannot write the premises layer");
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
  std::sort(entries.begin(), entries.end(), [](const T& a, const T& b) {
    const double ax = centre_x(a), bx = centre_x(b);
    return ax != bx ? ax < bx : id_of(a) < id_of(b);
  });
  const std::size_t nodes = (entries.size() + kMaxCells - 1) / kMaxCells;
  const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
  const std::size_t per_slice = ((nodes + slices - 1) / slices) * kMaxCells;
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t s = 0; s < entries.size(); s += per_slice) {
    const std::size_t last = std::min(entries.size(), s + per_slice);
    std::sort(entries.begin() + static_cast<std::ptrdiff_t>(s),
              entries.begin() + static_cast<std::ptrdiff_t>(last), [](const T& a, const T& b) {
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

void write_rtree(Database& db, std::vector<Point> points) {
  for (const char* shadow : {"_node", "_rowid", "_parent"}) {
    db.exec("DELETE FROM " + sql_name(std::string(kRtree) + shadow));
  }
  Statement node(db, "INSERT INTO " + sql_name(std::string(kRtree) + "_node") +
                         " (nodeno, data) VALUES (?, ?)");
  Statement parent(db, "INSERT INTO " + sql_name(std::string(kRtree) + "_parent") +
                           " (nodeno, parentnode) VALUES (?, ?)");
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
  Statement rowid(db, "INSERT INTO " + sql_name(std::string(kRtree) + "_rowid") +
                          " (rowid, nodeno) VALUES (?, ?)");
  for (std::size_t fid = 1; fid < leaf_of.size(); ++fid) {
    sqlite3_bind_int64(rowid.get(), 1, static_cast<sqlite3_int64>(fid));
    sqlite3_bind_int64(rowid.get(), 2, leaf_of[fid]);
    rowid.run();
  }
}

}  // namespace

void fill_premises_layer(const std::filesystem::path& path, const ColumnCatalogue& columns,
                         const PremisesResults& results) {
  Database db(path);
  // The file is in the staging folder and synced by the publish step (as GDAL writes it).
  db.exec("PRAGMA journal_mode = OFF");
  db.exec("PRAGMA synchronous = OFF");
  db.exec("PRAGMA cache_size = -262144");  // 256 MB

  std::int64_t srs_id = 0;
  {
    Statement srs(db, "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'premises'");
    if (!srs.next_row()) db.fail("the premises layer has no geometry column");
    srs_id = sqlite3_column_int64(srs.get(), 0);
  }
  // The triggers (R-tree upkeep and GDAL's feature count), kept to be recreated afterwards.
  std::vector<std::pair<std::string, std::string>> triggers;
  {
    Statement list(db,
                   "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                   "'premises' ORDER BY name");
    while (list.next_row()) {
      triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(list.get(), 0)),
                            reinterpret_cast<const char*>(sqlite3_column_text(list.get(), 1)));
    }
  }
  db.exec("BEGIN");
  for (const auto& [name, sql] : triggers) db.exec("DROP TRIGGER " + sql_name(name));

  std::string insert = "INSERT INTO " + sql_name(kTable) + " (fid, geom";
  std::string values = "?, ?";
  for (const ColumnSpec& c : columns) {
    insert += ", " + sql_name(c.name);
    values += ", ?";
  }
  Statement row_insert(db, insert + ") VALUES (" + values + ")");
  const PremisesCells cells(columns, results);
  std::vector<PremisesCell> row(columns.size());
  const std::optional<std::size_t> x_column = columns.find("x"), y_column = columns.find("y");
  const engine::PremisesTable& premises = *results.premises;
  if (premises.size() >= (std::size_t{1} << 30)) {  // Point keeps the fid in 30 bits
    throw engine::output_error(path.string() + ": too many premises for one layer");
  }
  std::vector<Point> entries;
  entries.reserve(premises.size());
  // GeoPackage binary header (GP, version 0, little-endian, no envelope), srs_id, then the
  // point as little-endian WKB.
  std::array<unsigned char, 29> blob{'G', 'P', 0, 1};
  put_le(blob.data() + 4, static_cast<std::uint32_t>(srs_id));
  blob[8] = 1;
  put_le(blob.data() + 9, std::uint32_t{1});
  double minx = std::numeric_limits<double>::infinity(), miny = minx, maxx = -minx, maxy = -minx;
  for (std::size_t i = 0; i < premises.size(); ++i) {
    if ((i & 0xFFFF) == 0) engine::throw_if_cancelled();
    cells.row(i, row);
    const double x = x_column ? row[*x_column].real : premises.x[i];
    const double y = y_column ? row[*y_column].real : premises.y[i];
    const auto fid = static_cast<std::uint32_t>(i + 1);
    put_le(blob.data() + 13, x);
    put_le(blob.data() + 21, y);
    sqlite3_stmt* s = row_insert.get();
    sqlite3_bind_int64(s, 1, fid);
    sqlite3_bind_blob(s, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
    for (std::size_t c = 0; c < row.size(); ++c) {
      const int k = static_cast<int>(c) + 3;
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
    row_insert.run();
    entries.push_back(make_point(x, y, fid));
    minx = std::min(minx, x);
    maxx = std::max(maxx, x);
    miny = std::min(miny, y);
    maxy = std::max(maxy, y);
  }
  const std::uint64_t count = entries.size();
  write_rtree(db, std::move(entries));
  db.exec("UPDATE gpkg_ogr_contents SET feature_count = " + std::to_string(count) +
          " WHERE lower(table_name) = 'premises'");
  if (count > 0) {
    Statement extent(db,
                     "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE "
                     "table_name = 'premises'");
    sqlite3_bind_double(extent.get(), 1, minx);
    sqlite3_bind_double(extent.get(), 2, miny);
    sqlite3_bind_double(extent.get(), 3, maxx);
    sqlite3_bind_double(extent.get(), 4, maxy);
    extent.run();
  }
  for (const auto& [name, sql] : triggers) db.exec(sql);
  db.exec("COMMIT");
}

}  // namespace notspot::outputs::detail
