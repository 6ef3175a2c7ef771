// Runs one data-driven AreaIndex scenario (a tests/cases/area_index/*.case file): builds the
// areas, locates the listed points under several index shapes, prints every difference, and
// exits 0 when all expectations hold, 1 when some do not, 2 when the file cannot be used.
//
// Case file format, one statement per line; '#' starts a comment (WKT never contains '#'):
//
//   area NAME WKT              an area, parsed by GEOS's WKT reader; only its polygonal parts
//                              are kept. Areas are numbered in file order.
//   area NAME repair WKT       the same, passed through GeosContext::repair_polygonal first.
//   expect X Y NAME            AreaIndex must put the point (X, Y) in NAME, and in no other
//                              area; NAME "-" means outside every area.
//   expect-several X Y NAME    the point lies in several (overlapping) areas; NAME, the lowest
//                              numbered of them, must be returned and flagged as several.
//   expect-invalid NAME TEXT   NAME was given with `repair`, was found invalid, and GEOS's
//                              reason contains TEXT (the rest of the line, before any '#').
//
// Coordinates are decimal (or hexadecimal) floating-point numbers, read with strtod.
//
// Besides the index's answer, the runner checks each expectation against two independent
// oracles, so that a wrong hand expectation is caught too: contains_half_open (the documented
// boundary rule, by brute force) and, for points that GEOS finds strictly inside one area or
// off every area, GEOS itself.
//
// Usage: scenario_case_runner FILE.case

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/geos_context.hpp"

namespace {

using notspot::engine::AreaIndex;
using notspot::engine::AreaIndexOptions;
using notspot::engine::GeosContext;
using notspot::engine::GeosGeometry;
using notspot::engine::MultiPolygon;
using notspot::engine::Point;
using notspot::engine::RepairReport;

struct CaseError {
  std::string message;
};

struct AreaSpec {
  std::string name;
  int line = 0;
  bool repair = false;
  MultiPolygon geometry;
  RepairReport report;
};

struct Expectation {
  int line = 0;
  Point p;
  std::string area;  // "-" for outside
  bool several = false;
};

struct InvalidExpectation {
  int line = 0;
  std::string area;
  std::string reason_contains;
};

struct Case {
  std::vector<AreaSpec> areas;
  std::vector<Expectation> expects;
  std::vector<InvalidExpectation> invalids;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

double parse_number(const std::string& text, const std::string& where) {
  if (text.empty()) throw CaseError{where + ": missing coordinate"};
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0') {
    throw CaseError{where + ": '" + text + "' is not a number"};
  }
  return v;
}

Case parse_case(const std::string& path, const GeosContext& geos) {
  std::ifstream in(path);
  if (!in) throw CaseError{path + ": cannot open"};
  Case c;
  std::map<std::string, std::size_t> names;
  GEOSWKTReader* reader = GEOSWKTReader_create_r(geos.handle());
  struct ReaderGuard {
    const GeosContext& geos;
    GEOSWKTReader* reader;
    ~ReaderGuard() { GEOSWKTReader_destroy_r(geos.handle(), reader); }
  } guard{geos, reader};

  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no);
    const std::string line = trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    if (keyword == "area") {
      AreaSpec a;
      a.line = line_no;
      words >> a.name;
      if (a.name.empty() || a.name == "-") throw CaseError{where + ": area needs a name"};
      if (names.count(a.name)) throw CaseError{where + ": area '" + a.name + "' defined twice"};
      std::string rest;
      std::getline(words, rest);
      rest = trim(rest);
      if (rest.rfind("repair ", 0) == 0) {
        a.repair = true;
        rest = trim(rest.substr(7));
      }
      GEOSGeometry* g = GEOSWKTReader_read_r(geos.handle(), reader, rest.c_str());
      if (g == nullptr) throw CaseError{where + ": bad WKT: " + geos.last_error()};
      GeosGeometry owned = geos.own(g, "WKT read");
      a.geometry = geos.polygonal_parts(owned.get());
      if (a.repair) a.geometry = geos.repair_polygonal(a.geometry, a.report);
      names[a.name] = c.areas.size();
      c.areas.push_back(std::move(a));
    } else if (keyword == "expect" || keyword == "expect-several") {
      Expectation e;
      e.line = line_no;
      e.several = keyword == "expect-several";
      std::string x, y, extra;
      words >> x >> y >> e.area >> extra;
      e.p = {parse_number(x, where), parse_number(y, where)};
      if (e.area.empty() || !extra.empty()) {
        throw CaseError{where + ": expected '" + keyword + " X Y NAME'"};
      }
      if (e.area != "-" && !names.count(e.area)) {
        throw CaseError{where + ": unknown area '" + e.area + "' (define areas first)"};
      }
      if (e.several && e.area == "-") throw CaseError{where + ": expect-several needs an area"};
      c.expects.push_back(e);
    } else if (keyword == "expect-invalid") {
      InvalidExpectation e;
      e.line = line_no;
      words >> e.area;
      std::getline(words, e.reason_contains);
      e.reason_contains = trim(e.reason_contains);
      if (!names.count(e.area)) throw CaseError{where + ": unknown area '" + e.area + "'"};
      if (!c.areas[names[e.area]].repair) {
        throw CaseError{where + ": area '" + e.area + "' is not marked 'repair'"};
      }
      c.invalids.push_back(e);
    } else {
      throw CaseError{where + ": unknown statement '" + keyword +
                      "' (known: area, expect, expect-several, expect-invalid)"};
    }
  }
  if (c.areas.empty()) throw CaseError{path + ": no areas"};
  if (c.expects.empty()) throw CaseError{path + ": no expectations"};
  return c;
}

std::string describe(const AreaIndexOptions& o) {
  std::ostringstream s;
  s << "max_leaf_edges " << o.max_leaf_edges << ", max_depth " << o.max_depth
    << ", top_cells_per_edge " << o.top_cells_per_edge << ", max_top_cells " << o.max_top_cells;
  return s.str();
}

int run(const std::string& path) {
  GeosContext geos;
  const Case c = parse_case(path, geos);
  std::vector<MultiPolygon> areas;
  std::vector<std::string> names;
  for (const AreaSpec& a : c.areas) {
    areas.push_back(a.geometry);
    names.push_back(a.name);
  }
  auto name_of = [&](std::uint32_t area) {
    return area == AreaIndex::kOutside ? std::string("-") : names.at(area);
  };
  auto number_of = [&](const std::string& name) {
    if (name == "-") return AreaIndex::kOutside;
    for (std::uint32_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return i;
    return AreaIndex::kOutside;
  };
  int failures = 0;
  auto fail = [&](int line, const std::string& message) {
    ++failures;
    std::cout << path << ":" << line << ": " << message << "\n";
  };

  // Repairs.
  for (const InvalidExpectation& e : c.invalids) {
    const AreaSpec& a = c.areas[number_of(e.area)];
    if (!a.report.was_invalid) {
      fail(e.line, "area " + e.area + " was expected to be invalid, but GEOS found it valid");
    } else if (a.report.reason.find(e.reason_contains) == std::string::npos) {
      fail(e.line, "area " + e.area + ": GEOS reason '" + a.report.reason + "' does not contain '" +
                       e.reason_contains + "'");
    }
  }

  // Independent oracles for each expectation.
  std::vector<GeosGeometry> geoms;
  std::vector<notspot::engine::GeosPrepared> prepared;
  for (const MultiPolygon& m : areas) {
    geoms.push_back(geos.to_geos(m));
    prepared.push_back(geos.prepare(geoms.back().get()));
  }
  for (const Expectation& e : c.expects) {
    const std::uint32_t want = number_of(e.area);
    std::vector<std::uint32_t> rule;
    std::size_t strictly = 0, touching = 0;
    std::uint32_t strict_area = AreaIndex::kOutside;
    GeosGeometry point = geos.to_geos(e.p);
    for (std::uint32_t i = 0; i < areas.size(); ++i) {
      if (notspot::engine::contains_half_open(areas[i], e.p)) rule.push_back(i);
      if (GEOSPreparedContainsProperly_r(geos.handle(), prepared[i].get(), point.get()) == 1) {
        ++strictly;
        strict_area = i;
      }
      touching += GEOSIntersects_r(geos.handle(), geoms[i].get(), point.get()) == 1;
    }
    const std::uint32_t rule_answer = rule.empty() ? AreaIndex::kOutside : rule.front();
    if (rule_answer != want || (rule.size() > 1) != e.several) {
      fail(e.line, "the boundary rule (contains_half_open) puts the point in " +
                       std::to_string(rule.size()) + " area(s), first " + name_of(rule_answer) +
                       "; the case expects " + e.area + (e.several ? " (several)" : ""));
    }
    if (touching == 0 && want != AreaIndex::kOutside) {
      fail(e.line, "GEOS finds the point off every area; the case expects " + e.area);
    }
    if (strictly == 1 && touching == 1 && want != strict_area) {
      fail(e.line, "GEOS finds the point strictly inside " + name_of(strict_area) +
                       " only; the case expects " + e.area);
    }
  }

  // The index, under several shapes.
  const AreaIndexOptions shapes[] = {
      {},
      {.max_leaf_edges = 1, .max_depth = 0},
      {.max_leaf_edges = 1, .max_depth = 16},
      {.max_leaf_edges = 2, .max_depth = 8, .top_cells_per_edge = 100.0},
      {.max_leaf_edges = 8, .max_depth = 12, .top_cells_per_edge = 1e-9},
  };
  for (const AreaIndexOptions& o : shapes) {
    const AreaIndex index(areas, o);
    std::vector<double> xs, ys;
    for (const Expectation& e : c.expects) {
      xs.push_back(e.p.x);
      ys.push_back(e.p.y);
    }
    std::vector<std::uint32_t> batch(xs.size());
    index.locate_all(xs, ys, batch);
    for (std::size_t k = 0; k < c.expects.size(); ++k) {
      const Expectation& e = c.expects[k];
      bool several = false;
      const std::uint32_t got = index.locate(e.p, several);
      std::ostringstream point;
      point.precision(17);
      point << "(" << e.p.x << ", " << e.p.y << ")";
      if (got != number_of(e.area) || several != e.several) {
        fail(e.line, "point " + point.str() + ": expected " + e.area +
                         (e.several ? " (several)" : "") + ", got " + name_of(got) +
                         (several ? " (several)" : "") + " [" + describe(o) + "]");
      }
      if (batch[k] != got) {
        fail(e.line, "point " + point.str() + ": locate_all gives " + name_of(batch[k]) +
                         ", locate gives " + name_of(got) + " [" + describe(o) + "]");
      }
    }
  }

  std::cout << path << ": " << c.areas.size() << " areas, " << c.expects.size() << " expectations, "
            << failures << " failure(s)\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " FILE.case\n";
    return 2;
  }
  try {
    return run(argv[1]);
  } catch (const CaseError& e) {
    std::cerr << e.message << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << argv[1] << ": " << e.what() << "\n";
    return 2;
  }
}
