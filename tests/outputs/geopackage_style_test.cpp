// parish_stats.gpkg as QGIS reads it: the layer_styles table (QGIS's schema, a default graduated
// style), field aliases in gpkg_data_columns, a valid GeoPackage, identical bytes on rewrite.
// Everything is read back independently: with OGR, with SQL on the GeoPackage's own tables,
// with GDAL's XML parser, and with GDAL's validate_gpkg.py when it is installed.

#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "notspot/engine/area_index.hpp"
#include "notspot/outputs/geopackage_writer.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

engine::MultiPolygon square(double x0, double y0, double size) {
  engine::Polygon p;
  p.exterior = {{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}};
  return {p};
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Four areas side by side; "E04000004" has no premises, so its percentages are null.
struct SmallOutput {
  std::vector<io::Area> areas;
  StatsTable table;
  engine::PremisesTable premises;
  std::vector<std::uint32_t> area_of_premise;
};

SmallOutput small_output(bool with_gigabit = true, bool with_mobile = true) {
  SmallOutput o;
  const char* ids[] = {"E04000001", "E04000002", "E04000003", "E04000004"};
  const char* names[] = {"Alpha", "Beta", "Gamma", "Delta"};
  for (int i = 0; i < 4; ++i)
    o.areas.push_back({ids[i], names[i], square(1000.0 * i, 0, 1000), {i}});
  StatsTable& t = o.table;
  CatalogueOptions options;
  options.land_area = true;
  options.mobile_groups = {{"4G", "indoor", {"EE"}, false}};
  std::vector<std::string_view> columns = {"level",    "area_id",   "area_name",
                                           "premises", "superfast", "superfast_pct"};
  if (with_gigabit) columns.insert(columns.end(), {"gigabit", "gigabit_pct"});
  if (with_mobile) {
    columns.insert(columns.end(), {"land_km2", "mob_4g_indoor_none", "mob_4g_indoor_none_pct"});
  }
  t.columns = ColumnCatalogue(options).subset(columns);
  // The catalogue puts gigabit before superfast; both hold the same figures here.
  // premises, gigabit count and %: 85.00 exactly (the target, on a class bound), 50, 100, null.
  const std::uint64_t prem[] = {20, 4, 3, 0};
  const std::uint64_t giga[] = {17, 2, 3, 0};
  const double giga_pct[] = {85.0, 50.0, 100.0, kNaN};
  for (int i = 0; i < 4; ++i) {
    std::vector<Cell> row = {
        std::string("area"), std::string(ids[i]), std::string(names[i]), prem[i], giga[i],
        giga_pct[i]};
    if (with_gigabit) {
      row.push_back(giga[i]);
      row.push_back(giga_pct[i]);
    }
    if (with_mobile) {
      row.push_back(1.0);
      row.push_back(std::uint64_t{prem[i] ? 1u : 0u});
      row.push_back(prem[i] ? 100.0 / static_cast<double>(prem[i]) : kNaN);
    }
    t.rows.push_back(row);
  }
  std::vector<Cell> study = {std::string("study"), std::string(),     std::string("Test"),
                             std::uint64_t{27},    std::uint64_t{22}, 81.48};
  while (study.size() < t.columns.size()) study.push_back(kNaN);
  t.rows.push_back(study);
  o.premises.push_back(101, 500, 500, 2);
  o.premises.push_back(102, 9000, 9000, 3);  // outside every area
  o.area_of_premise = {0, engine::AreaIndex::kOutside};
  return o;
}

class GeoPackageStyleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("notspot_gpkg_" + std::to_string(rd()));
    fs::create_directories(dir_);
    GDALAllRegister();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const SmallOutput& o, const std::string& name = "parish_stats.gpkg",
                 const std::string& quality = {}) {
    const fs::path path = dir_ / name;
    GeoPackageMetadata metadata;
    if (!quality.empty()) metadata.items = {{"NOTSPOT_QUALITY", quality}};
    write_parish_geopackage(path, o.areas, o.table, io::Crs::from_definition("EPSG:27700", "test"),
                            o.premises, o.area_of_premise, metadata);
    return path;
  }

  static GDALDatasetUniquePtr open(const fs::path& path) {
    return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  }

  // The rows of an SQL query on the GeoPackage's own tables, fields as text.
  static std::vector<std::vector<std::string>> query(GDALDataset& ds, const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result == nullptr) return rows;
    for (auto& f : *result) {
      std::vector<std::string> row;
      for (int i = 0; i < f->GetFieldCount(); ++i) row.emplace_back(f->GetFieldAsString(i));
      rows.push_back(row);
    }
    ds.ReleaseResultSet(result);
    return rows;
  }

  fs::path dir_;
};

struct QmlRange {
  double lower;
  double upper;
  std::string label;
  std::string symbol;
};

struct ParsedQml {
  std::string renderer_type;
  std::string attr;
  std::vector<QmlRange> ranges;
  std::map<std::string, std::vector<std::string>> colors;  // symbol name -> layer colours
};

// Parses the QML with GDAL's XML parser (independent of the writer's string building): a
// malformed document fails here.
ParsedQml parse_qml(const std::string& qml) {
  ParsedQml out;
  CPLXMLNode* root = CPLParseXMLString(qml.c_str());
  EXPECT_NE(root, nullptr) << "QML is not well-formed XML";
  if (root == nullptr) return out;
  const CPLXMLNode* qgis = CPLSearchXMLNode(root, "=qgis");
  EXPECT_NE(qgis, nullptr);
  const CPLXMLNode* renderer = qgis ? CPLGetXMLNode(qgis, "renderer-v2") : nullptr;
  EXPECT_NE(renderer, nullptr);
  if (renderer != nullptr) {
    out.renderer_type = CPLGetXMLValue(renderer, "type", "");
    out.attr = CPLGetXMLValue(renderer, "attr", "");
    const CPLXMLNode* ranges = CPLGetXMLNode(renderer, "ranges");
    const CPLXMLNode* symbols = CPLGetXMLNode(renderer, "symbols");
    EXPECT_TRUE(ranges != nullptr && symbols != nullptr);
    for (const CPLXMLNode* n = ranges ? ranges->psChild : nullptr; n; n = n->psNext) {
      if (n->eType != CXT_Element || std::string(n->pszValue) != "range") continue;
      out.ranges.push_back({std::stod(CPLGetXMLValue(n, "lower", "nan")),
                            std::stod(CPLGetXMLValue(n, "upper", "nan")),
                            CPLGetXMLValue(n, "label", ""), CPLGetXMLValue(n, "symbol", "")});
    }
    for (const CPLXMLNode* s = symbols ? symbols->psChild : nullptr; s; s = s->psNext) {
      if (s->eType != CXT_Element || std::string(s->pszValue) != "symbol") continue;
      std::vector<std::string>& colors = out.colors[CPLGetXMLValue(s, "name", "")];
      for (const CPLXMLNode* l = s->psChild; l; l = l->psNext) {
        if (l->eType != CXT_Element || std::string(l->pszValue) != "layer") continue;
        for (const CPLXMLNode* p = l->psChild; p; p = p->psNext) {
          if (p->eType == CXT_Element && std::string(p->pszValue) == "prop" &&
              std::string(CPLGetXMLValue(p, "k", "")) == "color") {
            colors.emplace_back(CPLGetXMLValue(p, "v", ""));
          }
        }
      }
    }
  }
  CPLDestroyXMLNode(root);
  return out;
}

// QGIS's rule (QgsGraduatedSymbolRenderer::rangeForValue): the first range in list order whose
// closed interval holds the value.
const QmlRange* qgis_range_for(const ParsedQml& qml, double value) {
  for (const QmlRange& r : qml.ranges) {
    if (r.lower <= value && value <= r.upper) return &r;
  }
  return nullptr;
}

TEST_F(GeoPackageStyleTest, DefaultGraduatedStyleOnGigabitInLayerStyles) {
  const fs::path path = write(small_output());
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  OGRLayer* styles = ds->GetLayerByName("layer_styles");
  ASSERT_NE(styles, nullptr);

  // QGIS's schema: every column it reads or writes, with its type.
  const std::map<std::string, OGRFieldType> expected_fields = {{"f_table_catalog", OFTString},
                                                               {"f_table_schema", OFTString},
                                                               {"f_table_name", OFTString},
                                                               {"f_geometry_column", OFTString},
                                                               {"styleName", OFTString},
                                                               {"styleQML", OFTString},
                                                               {"styleSLD", OFTString},
                                                               {"useAsDefault", OFTInteger},
                                                               {"description", OFTString},
                                                               {"owner", OFTString},
                                                               {"ui", OFTString},
                                                               {"update_time", OFTDateTime}};
  OGRFeatureDefn* defn = styles->GetLayerDefn();
  ASSERT_EQ(defn->GetFieldCount(), static_cast<int>(expected_fields.size()));
  for (const auto& [name, type] : expected_fields) {
    const int i = defn->GetFieldIndex(name.c_str());
    ASSERT_GE(i, 0) << name;
    EXPECT_EQ(defn->GetFieldDefn(i)->GetType(), type) << name;
  }
  EXPECT_EQ(defn->GetFieldDefn(defn->GetFieldIndex("useAsDefault"))->GetSubType(), OFSTBoolean);
  EXPECT_STREQ(styles->GetFIDColumn(), "id");

  // The filter QGIS's OGR provider uses to find a layer's styles.
  styles->SetAttributeFilter(
      "f_table_schema='' AND f_table_name='parish_stats' AND f_geometry_column='geom'");
  std::map<std::string, OGRFeatureUniquePtr> by_name;
  for (auto& f : *styles) {
    const std::string name = f->GetFieldAsString("styleName");
    by_name[name] = std::move(f);
  }
  ASSERT_EQ(by_name.size(), 2u);
  int defaults = 0;
  for (const auto& [name, f] : by_name) defaults += f->GetFieldAsInteger("useAsDefault");
  EXPECT_EQ(defaults, 1);

  ASSERT_TRUE(by_name.count("Gigabit-capable"));
  const OGRFeature& gigabit = *by_name["Gigabit-capable"];
  EXPECT_EQ(gigabit.GetFieldAsInteger("useAsDefault"), 1);
  EXPECT_STREQ(gigabit.GetFieldAsString("update_time"), "2000/01/01 00:00:00+00");  // OGR's form
  EXPECT_LE(std::string(gigabit.GetFieldAsString("styleName")).size(), 30u);
  // The description names the column's label and the target that is a class bound.
  const std::string description = gigabit.GetFieldAsString("description");
  EXPECT_NE(description.find("Gigabit-capable (>= 1000 Mbit/s), % of premises"), std::string::npos)
      << description;
  // The classes of map_classes.hpp, by hand for 85, 50, 100: nothing under 50, so that class
  // merges into 0-80; 85 and 99 are Project Gigabit's targets.
  EXPECT_NE(description.find("Classes 0-80-85-90-95-99-100"), std::string::npos) << description;
  EXPECT_NE(description.find("Paler is better"), std::string::npos) << description;
  EXPECT_NE(description.find("85%: gigabit-capable broadband for at least 85% of UK premises by "
                             "2025 (Project Gigabit)"),
            std::string::npos)
      << description;

  const ParsedQml qml = parse_qml(gigabit.GetFieldAsString("styleQML"));
  EXPECT_EQ(qml.renderer_type, "graduatedSymbol");
  EXPECT_NE(qml.attr.find("\"gigabit_pct\""), std::string::npos) << qml.attr;
  // Six classes with the report's bounds, plus the class of areas without premises.
  std::set<std::pair<double, double>> bounds;
  for (const QmlRange& r : qml.ranges) bounds.insert({r.lower, r.upper});
  const std::set<std::pair<double, double>> expected_bounds = {
      {0, 80}, {80, 85}, {85, 90}, {90, 95}, {95, 99}, {99, 100}, {-1, -1}};
  EXPECT_EQ(bounds, expected_bounds);
  ASSERT_EQ(qml.ranges.size(), 7u);
  EXPECT_EQ(qml.ranges.back().label, "no premises");

  // Classified as QGIS classifies: the target (85.00) is in the 85-90 class, not below it;
  // 50 in 0-80; 100 in the top class; a null (coalesced to -1) in "no premises".
  auto lower_of = [&](double v) {
    const QmlRange* r = qgis_range_for(qml, v);
    return r ? r->lower : std::nan("");
  };
  EXPECT_EQ(lower_of(85.0), 85);
  EXPECT_EQ(lower_of(50.0), 0);
  EXPECT_EQ(lower_of(100.0), 99);
  EXPECT_EQ(lower_of(0.0), 0);
  EXPECT_EQ(lower_of(84.99), 80);
  EXPECT_EQ(lower_of(99.0), 99);
  const QmlRange* null_range = qgis_range_for(qml, -1);
  ASSERT_NE(null_range, nullptr);
  EXPECT_EQ(null_range->label, "no premises");
  EXPECT_NE(qml.attr.find("coalesce("), std::string::npos) << qml.attr;

  // Every range has a symbol; the six classes have six different colours, none grey.
  std::set<std::string> class_colors;
  for (const QmlRange& r : qml.ranges) {
    ASSERT_TRUE(qml.colors.count(r.symbol)) << r.symbol;
    ASSERT_FALSE(qml.colors.at(r.symbol).empty());
    if (r.lower >= 0) class_colors.insert(qml.colors.at(r.symbol).front());
  }
  EXPECT_EQ(class_colors.size(), 6u);
  const std::string null_symbol = qml.ranges.back().symbol;
  EXPECT_EQ(class_colors.count(qml.colors.at(null_symbol).front()), 0u);

  // The SLD is well-formed and has a rule per class and one for null.
  const std::string sld = gigabit.GetFieldAsString("styleSLD");
  CPLXMLNode* sld_root = CPLParseXMLString(sld.c_str());
  ASSERT_NE(sld_root, nullptr) << "SLD is not well-formed XML";
  int rules = 0;
  for (const CPLXMLNode* n = CPLSearchXMLNode(sld_root, "=se:Rule"); n; n = n->psNext) {
    if (n->eType == CXT_Element && std::string(n->pszValue) == "se:Rule") ++rules;
  }
  CPLDestroyXMLNode(sld_root);
  EXPECT_EQ(rules, 7);
  EXPECT_NE(sld.find("<ogc:PropertyIsNull><ogc:PropertyName>gigabit_pct"), std::string::npos);

  // The second style, not default, on 4G indoor not-spots.
  ASSERT_TRUE(by_name.count("4G indoor not-spots"));
  const OGRFeature& notspots = *by_name["4G indoor not-spots"];
  EXPECT_EQ(notspots.GetFieldAsInteger("useAsDefault"), 0);
  const ParsedQml notspot_qml = parse_qml(notspots.GetFieldAsString("styleQML"));
  EXPECT_EQ(notspot_qml.renderer_type, "graduatedSymbol");
  EXPECT_NE(notspot_qml.attr.find("\"mob_4g_indoor_none_pct\""), std::string::npos);
  // 5, 25, 33.33 and null, lower is better: no zero and nothing under 1, so classes start at
  // the 5% marker; 25 keeps the 25 break; nothing at 50 or more: 0-5, 5-10, 10-25, 25-100.
  EXPECT_EQ(notspot_qml.ranges.size(), 5u);
}

TEST_F(GeoPackageStyleTest, LayerStylesIsARegisteredAttributesTable) {
  const fs::path path = write(small_output());
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  // '=' || ...: the stored text, not OGR's rendering of a date.
  const auto contents = query(
      *ds,
      "SELECT table_name, data_type, '=' || last_change FROM gpkg_contents ORDER BY table_name");
  std::map<std::string, std::string> types;
  for (const auto& row : contents) {
    types[row[0]] = row[1];
    EXPECT_EQ(row[2], "=2000-01-01T00:00:00.000Z") << row[0];  // fixed for identical bytes
  }
  const std::map<std::string, std::string> expected = {{"layer_styles", "attributes"},
                                                       {"parish_stats", "features"},
                                                       {"premises_outside", "features"}};
  EXPECT_EQ(types, expected);
  // The stored timestamp itself, as QGIS orders styles by it.
  const auto times = query(*ds, "SELECT DISTINCT '=' || update_time FROM layer_styles");
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0][0], "=2000-01-01T00:00:00.000Z");
}

TEST_F(GeoPackageStyleTest, EveryFieldHasAnAliasInGpkgDataColumns) {
  const fs::path path = write(small_output());
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  // Stored the standard way: the name column of gpkg_data_columns (GeoPackage schema
  // extension, registered), one row per field of both layers.
  for (const char* name : {"parish_stats", "premises_outside"}) {
    OGRLayer* layer = ds->GetLayerByName(name);
    ASSERT_NE(layer, nullptr) << name;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      const OGRFieldDefn* field = defn->GetFieldDefn(i);
      const auto rows = query(*ds, std::string("SELECT name, title FROM gpkg_data_columns WHERE "
                                               "table_name = '") +
                                       name + "' AND column_name = '" + field->GetNameRef() + "'");
      ASSERT_EQ(rows.size(), 1u) << name << "." << field->GetNameRef();
      EXPECT_NE(rows[0][0], "");
      EXPECT_NE(rows[0][0], field->GetNameRef());
      EXPECT_EQ(rows[0][1], rows[0][0]);
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
      // GDAL reads gpkg_data_columns.name as the alias from 3.7 on; 3.6 ignores it.
      EXPECT_EQ(rows[0][0], field->GetAlternativeNameRef());
#endif
    }
  }
  const auto label = [&](const char* column) {
    const auto rows = query(*ds, std::string("SELECT name, description FROM gpkg_data_columns "
                                             "WHERE table_name = 'parish_stats' AND "
                                             "column_name = '") +
                                     column + "'");
    return rows.empty() ? std::vector<std::string>{"", ""} : rows[0];
  };
  // The catalogue's labels and definitions (before it: "Gigabit-capable (% of premises)",
  // "4G indoor: no operator, not-spot (% of premises)", only indicators had a description).
  EXPECT_EQ(label("gigabit_pct")[0], "Gigabit-capable (>= 1000 Mbit/s), % of premises");
  EXPECT_EQ(label("mob_4g_indoor_none_pct")[0], "4G indoor: no operator (not-spot), % of premises");
  EXPECT_NE(label("gigabit")[1].find("at least 1000 Mbit/s"), std::string::npos);
  EXPECT_EQ(label("area_name")[1], "The area's name; on the study row, the study's name.");
  const auto ext = query(*ds,
                         "SELECT extension_name FROM gpkg_extensions WHERE table_name = "
                         "'gpkg_data_columns'");
  ASSERT_EQ(ext.size(), 1u);
  EXPECT_EQ(ext[0][0], "gpkg_schema");
}

TEST_F(GeoPackageStyleTest, DefaultStyleCarriesTheAliasesForOlderQgis) {
  const fs::path path = write(small_output());
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  const auto rows = query(*ds, "SELECT styleQML FROM layer_styles WHERE useAsDefault");
  ASSERT_EQ(rows.size(), 1u);
  CPLXMLNode* root = CPLParseXMLString(rows[0][0].c_str());
  ASSERT_NE(root, nullptr);
  std::map<std::string, std::string> aliases;
  if (const CPLXMLNode* node = CPLSearchXMLNode(root, "=aliases")) {
    for (const CPLXMLNode* a = node->psChild; a; a = a->psNext) {
      if (a->eType == CXT_Element) {
        aliases[CPLGetXMLValue(a, "field", "")] = CPLGetXMLValue(a, "name", "");
      }
    }
  }
  CPLDestroyXMLNode(root);
  EXPECT_EQ(aliases.size(),
            static_cast<std::size_t>(
                ds->GetLayerByName("parish_stats")->GetLayerDefn()->GetFieldCount()));
  EXPECT_EQ(aliases["gigabit_pct"], "Gigabit-capable (>= 1000 Mbit/s), % of premises");
  EXPECT_EQ(aliases["area_id"], "Area code");
}

TEST_F(GeoPackageStyleTest, LayersAndValuesAreUnchanged) {
  const fs::path path = write(small_output());
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  OGRLayer* areas = ds->GetLayerByName("parish_stats");
  ASSERT_NE(areas, nullptr);
  EXPECT_EQ(areas->GetFeatureCount(), 4);
  EXPECT_EQ(areas->GetLayerDefn()->GetFieldIndex("level"), -1);
  std::map<std::string, OGRFeatureUniquePtr> by_id;
  for (auto& f : *areas) {
    const std::string id = f->GetFieldAsString("area_id");
    by_id[id] = std::move(f);
  }
  EXPECT_EQ(by_id["E04000001"]->GetFieldAsInteger64("premises"), 20);
  EXPECT_EQ(by_id["E04000001"]->GetFieldAsDouble("gigabit_pct"), 85.0);
  EXPECT_STREQ(by_id["E04000002"]->GetFieldAsString("area_name"), "Beta");
  EXPECT_EQ(by_id["E04000002"]->GetFieldAsDouble("mob_4g_indoor_none_pct"), 25.0);
  EXPECT_TRUE(by_id["E04000004"]->IsFieldNull(by_id["E04000004"]->GetFieldIndex("gigabit_pct")));
  const OGRGeometry* g = by_id["E04000003"]->GetGeometryRef();
  ASSERT_NE(g, nullptr);
  EXPECT_DOUBLE_EQ(g->toMultiPolygon()->get_Area(), 1e6);
  OGRLayer* outside = ds->GetLayerByName("premises_outside");
  ASSERT_NE(outside, nullptr);
  ASSERT_EQ(outside->GetFeatureCount(), 1);
  OGRFeatureUniquePtr p(outside->GetNextFeature());
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetFieldAsInteger64("premise_id"), 102);
  EXPECT_EQ(p->GetFieldAsInteger64("source_line"), 3);
}

// The outside layer is filled with SQLite directly (detail::fill_outside_layer): every outside
// premise is a feature with its own fields, in premises order, and its R-tree (several levels
// at 6,000 points) finds each one where it is, as GDAL's spatial filter uses it.
TEST_F(GeoPackageStyleTest, OutsideLayerHasEveryOutsidePremiseInItsRtree) {
  SmallOutput o = small_output();
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> coordinate(-50'000, 50'000);
  std::vector<std::array<double, 3>> expected;  // x, y, premise id of each outside premise
  expected.push_back({9000, 9000, 102});
  for (std::uint64_t k = 0; k < 6000; ++k) {
    const double x = std::round(coordinate(rng) * 100) / 100 + 10'000;  // clear of the areas
    const double y = std::round(coordinate(rng) * 100) / 100 + 60'000;
    const bool inside = k % 7 == 0;  // some assigned premises in between, not in the layer
    o.premises.push_back(1000 + k, x, y, 10 + k);
    o.area_of_premise.push_back(inside ? 1u : engine::AreaIndex::kOutside);
    if (!inside) expected.push_back({x, y, static_cast<double>(1000 + k)});
  }
  const fs::path path = write(o);
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  OGRLayer* outside = ds->GetLayerByName("premises_outside");
  ASSERT_NE(outside, nullptr);
  ASSERT_EQ(outside->GetFeatureCount(), static_cast<GIntBig>(expected.size()));
  std::size_t k = 0;
  for (auto& f : *outside) {
    ASSERT_LT(k, expected.size());
    EXPECT_EQ(f->GetFID(), static_cast<GIntBig>(k + 1));
    EXPECT_EQ(f->GetFieldAsInteger64("premise_id"), static_cast<GIntBig>(expected[k][2]));
    const OGRPoint* p = f->GetGeometryRef()->toPoint();
    EXPECT_EQ(p->getX(), expected[k][0]);
    EXPECT_EQ(p->getY(), expected[k][1]);
    ++k;
  }
  EXPECT_EQ(k, expected.size());
  OGREnvelope extent;
  ASSERT_EQ(outside->GetExtent(&extent, TRUE), OGRERR_NONE);
  double minx = expected[0][0], maxy = expected[0][1];
  for (const auto& e : expected) {
    minx = std::min(minx, e[0]);
    maxy = std::max(maxy, e[1]);
  }
  EXPECT_NEAR(extent.MinX, minx, 0.01);
  EXPECT_NEAR(extent.MaxY, maxy, 0.01);
  for (std::size_t i = 0; i < expected.size(); i += 97) {
    const double x = expected[i][0], y = expected[i][1];
    outside->SetSpatialFilterRect(x - 0.001, y - 0.001, x + 0.001, y + 0.001);
    bool found = false;
    for (auto& f : *outside) found = found || f->GetFID() == static_cast<GIntBig>(i + 1);
    EXPECT_TRUE(found) << "the R-tree does not find outside premise " << i + 1;
  }
  outside->SetSpatialFilter(nullptr);
  for (const char* sql : {"SELECT rtreecheck('rtree_premises_outside_geom')",
                          "SELECT count(*) FROM rtree_premises_outside_geom"}) {
    OGRLayer* result = ds->ExecuteSQL(sql, nullptr, nullptr);
    ASSERT_NE(result, nullptr) << sql;
    OGRFeatureUniquePtr row(result->GetNextFeature());
    ASSERT_TRUE(row) << sql;
    EXPECT_STREQ(row->GetFieldAsString(0),
                 sql[7] == 'r' ? "ok" : std::to_string(expected.size()).c_str())
        << sql;
    ds->ReleaseResultSet(result);
  }
}

TEST_F(GeoPackageStyleTest, SameBytesWhenWrittenTwice) {
  const SmallOutput o = small_output();
  const fs::path a = write(o, "a.gpkg");
  const fs::path b = write(o, "b.gpkg");
  const std::string bytes = read_bytes(a);
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(bytes == read_bytes(b)) << "two writes of the same table differ";
}

TEST_F(GeoPackageStyleTest, MetadataItemsOnTheDatasetAndTheLayer) {
  const SmallOutput o = small_output();
  const std::string dates = "Study, October 2026; Fixed broadband: speeds, July 2025";
  GeoPackageMetadata metadata;
  metadata.items = {{"NOTSPOT_DATA_DATES", dates}};
  const fs::path path = dir_ / "with_metadata.gpkg";
  write_parish_geopackage(path, o.areas, o.table, io::Crs::from_definition("EPSG:27700", "test"),
                          o.premises, o.area_of_premise, metadata);
  {
    GDALDatasetUniquePtr ds = open(path);  // read back by GDAL, as ogrinfo and QGIS do
    ASSERT_TRUE(ds);
    const char* on_dataset = ds->GetMetadataItem("NOTSPOT_DATA_DATES");
    ASSERT_NE(on_dataset, nullptr);
    EXPECT_EQ(std::string(on_dataset), dates);
    OGRLayer* layer = ds->GetLayerByName("parish_stats");
    ASSERT_NE(layer, nullptr);
    const char* on_layer = layer->GetMetadataItem("NOTSPOT_DATA_DATES");
    ASSERT_NE(on_layer, nullptr);
    EXPECT_EQ(std::string(on_layer), dates);
  }
  // Same metadata, same bytes (the metadata's timestamps are fixed too).
  const fs::path again = dir_ / "with_metadata_again.gpkg";
  write_parish_geopackage(again, o.areas, o.table, io::Crs::from_definition("EPSG:27700", "test"),
                          o.premises, o.area_of_premise, metadata);
  EXPECT_EQ(read_bytes(path), read_bytes(again));
}

TEST_F(GeoPackageStyleTest, WithoutGigabitTheFirstPercentageIsStyled) {
  const fs::path path = write(small_output(/*with_gigabit=*/false, /*with_mobile=*/false));
  GDALDatasetUniquePtr ds = open(path);
  ASSERT_TRUE(ds);
  const auto rows = query(*ds, "SELECT styleName, useAsDefault, styleQML FROM layer_styles");
  ASSERT_EQ(rows.size(), 1u);  // no mob_4g_indoor_none_pct: no second style
  EXPECT_EQ(rows[0][1], "1");
  EXPECT_NE(parse_qml(rows[0][2]).attr.find("\"superfast_pct\""), std::string::npos);
}

constexpr const char* kFailedStatus =
    "Data quality: FAILED: 1 of 6 checks failed (max_outside_share); do not use these figures "
    "until the data is fixed";

// The quality status is GDAL metadata of the dataset and of parish_stats, read back here with
// GDAL and, independently, from the GeoPackage's own gpkg_metadata tables.
TEST_F(GeoPackageStyleTest, QualityStatusIsMetadataOfTheDatasetAndTheAreasLayer) {
  const fs::path path = write(small_output(), "parish_stats.gpkg", kFailedStatus);
  {
    GDALDatasetUniquePtr ds = open(path);
    ASSERT_TRUE(ds);
    const char* on_dataset = ds->GetMetadataItem("NOTSPOT_QUALITY");
    ASSERT_NE(on_dataset, nullptr);
    EXPECT_STREQ(on_dataset, kFailedStatus);
    OGRLayer* layer = ds->GetLayerByName("parish_stats");
    ASSERT_NE(layer, nullptr);
    const char* on_layer = layer->GetMetadataItem("NOTSPOT_QUALITY");
    ASSERT_NE(on_layer, nullptr);
    EXPECT_STREQ(on_layer, kFailedStatus);
    EXPECT_EQ(ds->GetLayerByName("premises_outside")->GetMetadataItem("NOTSPOT_QUALITY"),
              nullptr);
    const auto rows = query(*ds,
                            "SELECT r.reference_scope, r.table_name, m.metadata FROM "
                            "gpkg_metadata_reference r JOIN gpkg_metadata m ON m.id = r.md_file_id "
                            "ORDER BY r.reference_scope");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0], "geopackage");
    EXPECT_EQ(rows[1][0], "table");
    EXPECT_EQ(rows[1][1], "parish_stats");
    for (const auto& row : rows) EXPECT_NE(row[2].find(kFailedStatus), std::string::npos);
  }
  // Without a status, no metadata item.
  const fs::path plain = write(small_output(), "plain.gpkg");
  GDALDatasetUniquePtr ds = open(plain);
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->GetMetadataItem("NOTSPOT_QUALITY"), nullptr);
}

TEST_F(GeoPackageStyleTest, SameBytesWithTheQualityStatus) {
  const fs::path a = write(small_output(), "a.gpkg", kFailedStatus);
  const fs::path b = write(small_output(), "b.gpkg", kFailedStatus);
  EXPECT_TRUE(read_bytes(a) == read_bytes(b)) << "the metadata must not carry a timestamp";
}

TEST_F(GeoPackageStyleTest, ValidByGdalsValidationScript) {
  const char* script = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
  if (!fs::exists(script) || !fs::exists("/usr/bin/python3")) {
    GTEST_SKIP() << "GDAL's validate_gpkg.py is not installed (Debian package python3-gdal)";
  }
  const fs::path path = write(small_output(), "parish_stats.gpkg", kFailedStatus);
  const std::string command =
      std::string("/usr/bin/python3 ") + script + " '" + path.string() + "' 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << output;
  EXPECT_EQ(output, "") << output;
}

}  // namespace
}  // namespace notspot::outputs
