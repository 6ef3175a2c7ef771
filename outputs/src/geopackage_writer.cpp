#include "notspot/outputs/geopackage_writer.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "detail/geopackage_bulk.hpp"
#include "detail/markup.hpp"
#include "notspot/engine/area_index.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/engine/indicators.hpp"
#include "notspot/io/gdal.hpp"
#include "notspot/outputs/map_classes.hpp"
#include "notspot/outputs/targets.hpp"

namespace notspot::outputs {
namespace {

// Fixed so that identical runs write identical bytes.
constexpr const char* kFixedTimestamp = "2000-01-01T00:00:00.000Z";

OGRLinearRing* to_ogr_ring(const engine::Ring& ring) {
  auto* out = new OGRLinearRing();
  out->setNumPoints(static_cast<int>(ring.size() + 1));
  for (std::size_t i = 0; i < ring.size(); ++i)
    out->setPoint(static_cast<int>(i), ring[i].x, ring[i].y);
  if (!ring.empty()) out->setPoint(static_cast<int>(ring.size()), ring[0].x, ring[0].y);
  return out;
}

OGRMultiPolygon to_ogr(const engine::MultiPolygon& mp) {
  OGRMultiPolygon out;
  for (const engine::Polygon& p : mp) {
    auto* polygon = new OGRPolygon();
    polygon->addRingDirectly(to_ogr_ring(p.exterior));
    for (const engine::Ring& hole : p.holes) polygon->addRingDirectly(to_ogr_ring(hole));
    out.addGeometryDirectly(polygon);
  }
  return out;
}

void check(OGRErr err, const std::string& what, const std::filesystem::path& path,
           const io::GdalErrorCapture& capture) {
  if (err != OGRERR_NONE) {
    throw engine::output_error(path.string() + ": cannot write " + what + ": " +
                               capture.last_error());
  }
}

// ---- styles ----

/// A field's label, for gpkg_data_columns and the styles' aliases.
struct DataColumn {
  std::string table;
  std::string column;
  std::string label;
  std::string description;  ///< "" for none.
};

struct Rgb {
  int r, g, b;
};

struct StyleClass {
  double lower;
  double upper;
  Rgb fill;
  std::string label;  ///< The legend's label, as report.html's legend names the class.
};

/// One style row of layer_styles: a graduated renderer on `column` with fixed classes.
struct StyleSpec {
  std::string column;
  std::string name;                 ///< styleName: at most 30 characters (QGIS's TEXT(30)).
  std::string description;          ///< Shown by QGIS when listing the layer's styles.
  std::vector<StyleClass> classes;  ///< Ascending, adjacent, from 0 to 100.
  bool use_as_default;
};

constexpr Rgb kOutline = {128, 128, 128};
constexpr Rgb kNoPremisesFill = {240, 240, 240};
constexpr Rgb kNoPremisesHatch = {150, 150, 150};
constexpr const char* kNoPremisesLabel = "no premises";
// What a null percentage (an area without premises) is mapped to, below every class: QGIS's
// graduated renderer draws nothing for a null value, so the style classifies
// coalesce(column, -1) and gives -1 its own grey class.
constexpr double kNullValue = -1;

Rgb from_hex(std::string_view hex) {
  const auto byte = [&](std::size_t i) {
    return std::stoi(std::string(hex.substr(i, 2)), nullptr, 16);
  };
  return {byte(1), byte(3), byte(5)};
}

std::string bound_text(double v);

// "Classes 0-50-80-85-90-95-99-100. Paler is better...", and what the targets among the bounds
// are.
std::string classes_text(const std::vector<StyleClass>& classes, std::string_view column) {
  std::string out = "Classes ";
  out += bound_text(classes.front().lower);
  for (const StyleClass& c : classes) {
    out += '-';
    out += bound_text(c.upper);
  }
  for (const Target& t : targets_for(column)) {
    for (const StyleClass& c : classes) {
      if (c.lower != t.level) continue;
      out += "; ";
      out += bound_text(t.level);
      out += "%: ";
      out += t.describe();
    }
  }
  return out + ".";
}

// The classes report.html's map of the same column uses (classify_map), so that a colour means
// the same class in QGIS as in the report.
StyleSpec style(const StatsTable& table, const ColumnSpec& column, std::string name,
                bool use_as_default) {
  const MapClassification classes = classify_map(table, column.name);
  StyleSpec s{column.name, std::move(name), "", {}, use_as_default};
  for (const MapClass& k : classes.classes) {
    s.classes.push_back({k.lower, k.upper, from_hex(k.colour), k.label});
  }
  s.description = column.label + " (notspot). " + classes_text(s.classes, column.name) + " " +
                  map_better_text(classes);
  return s;
}

std::vector<StyleSpec> styles_for(const StatsTable& table) {
  std::vector<StyleSpec> styles;
  // The report's maps, the first one the default style.
  for (const std::string& name : mapped_columns(table)) {
    const ColumnSpec& c = table.columns[*table.columns.find(name)];
    const std::string style_name = name == "gigabit_pct"              ? "Gigabit-capable"
                                   : name == "mob_4g_indoor_none_pct" ? "4G indoor not-spots"
                                   : name == "below_uso_pct"          ? "Below the USO"
                                                                      : name.substr(0, 30);
    styles.push_back(style(table, c, style_name, styles.empty()));
  }
  if (styles.empty()) {
    for (const ColumnSpec& c : table.columns) {
      if (c.kind != ColumnKind::kPercent) continue;
      styles.push_back(style(table, c, c.name.substr(0, 30), true));
      break;
    }
  }
  return styles;
}

// Shortest form of a class bound ("85", "0.5"), the same in labels and filters.
std::string bound_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string range_label(const StyleClass& c) {
  return c.label;
}

std::string qgis_color(Rgb c) {
  return std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) + ",255";
}

std::string hex_color(Rgb c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c.r, c.g, c.b);
  return buf;
}

// One SimpleFill symbol layer, its properties written both as an <Option> map (QGIS >= 3.16)
// and as legacy <prop> elements (older QGIS), as QGIS 3.16-3.26 itself writes them.
std::string qml_fill_layer(Rgb fill, const char* style, Rgb outline, const char* outline_style) {
  const std::pair<const char*, std::string> props[] = {
      {"border_width_map_unit_scale", "3x:0,0,0,0,0,0"},
      {"color", qgis_color(fill)},
      {"joinstyle", "bevel"},
      {"offset", "0,0"},
      {"offset_map_unit_scale", "3x:0,0,0,0,0,0"},
      {"offset_unit", "MM"},
      {"outline_color", qgis_color(outline)},
      {"outline_style", outline_style},
      {"outline_width", "0.1"},
      {"outline_width_unit", "MM"},
      {"style", style},
  };
  std::string out = "        <layer class=\"SimpleFill\" enabled=\"1\" pass=\"0\" locked=\"0\">\n";
  out += "          <Option type=\"Map\">\n";
  for (const auto& [k, v] : props) {
    out += "            <Option name=\"" + std::string(k) + "\" type=\"QString\" value=\"" + v +
           "\"/>\n";
  }
  out += "          </Option>\n";
  for (const auto& [k, v] : props) {
    out += "          <prop k=\"" + std::string(k) + "\" v=\"" + v + "\"/>\n";
  }
  out += "        </layer>\n";
  return out;
}

std::string qml_symbol(std::size_t name, const std::string& layers) {
  return "      <symbol type=\"fill\" name=\"" + std::to_string(name) +
         "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n" + layers + "      </symbol>\n";
}

/// The style as a QGIS layer style (QML): a graduated renderer whose ranges are listed from
/// the highest class down, because QGIS gives a value the first range whose closed interval
/// holds it: so a value on a bound (85.00, the target) falls in the upper class, and classes
/// are lower-inclusive like the SLD's.
std::string style_qml(const StyleSpec& s, const std::vector<DataColumn>& labels) {
  const std::string attr = "coalesce(\"" + s.column + "\", " + bound_text(kNullValue) + ")";
  std::string ranges;
  std::string symbols;
  std::size_t symbol = 0;
  for (auto c = s.classes.rbegin(); c != s.classes.rend(); ++c, ++symbol) {
    ranges += "      <range lower=\"" + bound_text(c->lower) + "\" upper=\"" +
              bound_text(c->upper) + "\" symbol=\"" + std::to_string(symbol) + "\" label=\"" +
              detail::markup_escape(range_label(*c)) + "\" render=\"true\"/>\n";
    symbols += qml_symbol(symbol, qml_fill_layer(c->fill, "solid", kOutline, "solid"));
  }
  ranges += "      <range lower=\"" + bound_text(kNullValue) + "\" upper=\"" +
            bound_text(kNullValue) + "\" symbol=\"" + std::to_string(symbol) + "\" label=\"" +
            kNoPremisesLabel + "\" render=\"true\"/>\n";
  // Light grey under a grey diagonal hatch: unlike any colour of the palettes, in colour or not.
  symbols += qml_symbol(symbol, qml_fill_layer(kNoPremisesFill, "solid", kOutline, "solid") +
                                    qml_fill_layer(kNoPremisesHatch, "b_diagonal", kOutline, "no"));
  // The field aliases again, for QGIS built with GDAL < 3.7, which does not read them from
  // gpkg_data_columns; QGIS counts the fid as field 0.
  std::string aliases;
  int index = 1;
  for (const DataColumn& d : labels) {
    if (d.table != "parish_stats") continue;
    aliases += "    <alias field=\"" + detail::markup_escape(d.column) + "\" index=\"" +
               std::to_string(index++) + "\" name=\"" + detail::markup_escape(d.label) + "\"/>\n";
  }
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
         "<qgis version=\"3.22.16-Bia\xC5\x82owie\xC5\xBC"
         "a\" styleCategories=\"Symbology|Fields\">\n"
         "  <renderer-v2 type=\"graduatedSymbol\" attr=\"" +
         detail::markup_escape(attr) +
         "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" forceraster=\"0\" "
         "enableorderby=\"0\" referencescale=\"-1\">\n"
         "    <ranges>\n" +
         ranges +
         "    </ranges>\n"
         "    <symbols>\n" +
         symbols +
         "    </symbols>\n"
         "    <classificationMethod id=\"Custom\">\n"
         "      <symmetricMode enabled=\"0\" symmetrypoint=\"0\" astride=\"0\"/>\n"
         "      <labelFormat format=\"%1 \xE2\x80\x93 %2%\" labelprecision=\"2\" "
         "trimtrailingzeroes=\"1\"/>\n"
         "    </classificationMethod>\n"
         "  </renderer-v2>\n"
         "  <aliases>\n" +
         aliases +
         "  </aliases>\n"
         "  <blendMode>0</blendMode>\n"
         "  <featureBlendMode>0</featureBlendMode>\n"
         "  <layerOpacity>1</layerOpacity>\n"
         "</qgis>\n";
}

std::string sld_comparison(const char* op, const std::string& column, double value) {
  return "              <ogc:" + std::string(op) + "><ogc:PropertyName>" +
         detail::markup_escape(column) + "</ogc:PropertyName><ogc:Literal>" + bound_text(value) +
         "</ogc:Literal></ogc:" + op + ">\n";
}

std::string sld_rule(const std::string& title, const std::string& filter, Rgb fill) {
  return "        <se:Rule>\n"
         "          <se:Name>" +
         detail::markup_escape(title) +
         "</se:Name>\n"
         "          <se:Description><se:Title>" +
         detail::markup_escape(title) +
         "</se:Title></se:Description>\n"
         "          <ogc:Filter>\n" +
         filter +
         "          </ogc:Filter>\n"
         "          <se:PolygonSymbolizer>\n"
         "            <se:Fill><se:SvgParameter name=\"fill\">" +
         hex_color(fill) +
         "</se:SvgParameter></se:Fill>\n"
         "            <se:Stroke><se:SvgParameter name=\"stroke\">" +
         hex_color(kOutline) +
         "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">0.3</se:SvgParameter>"
         "</se:Stroke>\n"
         "          </se:PolygonSymbolizer>\n"
         "        </se:Rule>\n";
}

/// The same classes as SLD 1.1 (as QGIS exports it), lower bound inclusive, upper exclusive
/// except for the top class, null as plain grey (SLD has no portable hatch).
std::string style_sld(const StyleSpec& s) {
  std::string rules;
  for (auto c = s.classes.rbegin(); c != s.classes.rend(); ++c) {
    const bool top = c == s.classes.rbegin();
    const std::string filter =
        "            <ogc:And>\n" +
        sld_comparison("PropertyIsGreaterThanOrEqualTo", s.column, c->lower) +
        sld_comparison(top ? "PropertyIsLessThanOrEqualTo" : "PropertyIsLessThan", s.column,
                       c->upper) +
        "            </ogc:And>\n";
    rules += sld_rule(range_label(*c), filter, c->fill);
  }
  rules +=
      sld_rule(kNoPremisesLabel,
               "            <ogc:PropertyIsNull><ogc:PropertyName>" +
                   detail::markup_escape(s.column) + "</ogc:PropertyName></ogc:PropertyIsNull>\n",
               {217, 217, 217});
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\" "
         "xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:se=\"http://www.opengis.net/se\" "
         "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" version=\"1.1.0\" "
         "xsi:schemaLocation=\"http://www.opengis.net/sld "
         "http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">\n"
         "  <NamedLayer>\n"
         "    <se:Name>parish_stats</se:Name>\n"
         "    <UserStyle>\n"
         "      <se:Name>" +
         detail::markup_escape(s.name) +
         "</se:Name>\n"
         "      <se:FeatureTypeStyle>\n" +
         rules +
         "      </se:FeatureTypeStyle>\n"
         "    </UserStyle>\n"
         "  </NamedLayer>\n"
         "</StyledLayerDescriptor>\n";
}

std::string sql_text(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

void execute(GDALDataset& ds, const std::string& sql, const std::filesystem::path& path) {
  CPLErrorReset();
  ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);  // statements without a result set
  if (CPLGetLastErrorType() >= CE_Failure) {
    throw engine::output_error(path.string() +
                               ": cannot write field labels: " + CPLGetLastErrorMsg());
  }
}

/// Stores the labels in gpkg_data_columns, the GeoPackage's standard place for them (its
/// schema extension): `name` and `title` the label, `description` the definition. GDAL >= 3.7
/// reads `name` as the field's alternative name (alias), which QGIS shows; GDAL 3.6 (Debian
/// 12) neither writes nor reads it, hence the SQL. The table definition is GDAL's own, so that
/// GDAL and validate_gpkg.py accept it.
void write_data_columns(GDALDataset& ds, const std::vector<DataColumn>& labels,
                        const std::filesystem::path& path) {
  execute(ds,
          "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL,column_name "
          "TEXT NOT NULL,name TEXT UNIQUE,title TEXT,description TEXT,mime_type TEXT,"
          "constraint_name TEXT,CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),"
          "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
          path);
  // The schema extension is both tables (validate_gpkg.py requirement 141), so the empty
  // constraints table is created too, again with GDAL's definition for GeoPackage 1.2.
  execute(ds,
          "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT "
          "NULL,constraint_type TEXT NOT NULL,value TEXT,min NUMERIC,min_is_inclusive BOOLEAN,"
          "max NUMERIC,max_is_inclusive BOOLEAN,description TEXT,CONSTRAINT gdcc_ntv UNIQUE "
          "(constraint_name, constraint_type, value))",
          path);
  for (const char* table : {"gpkg_data_columns", "gpkg_data_column_constraints"}) {
    execute(
        ds,
        std::string("INSERT INTO gpkg_extensions (table_name,column_name,extension_name,"
                    "definition,scope) SELECT '") +
            table +
            "', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', "
            "'read-write' WHERE NOT EXISTS (SELECT 1 FROM gpkg_extensions WHERE table_name = '" +
            table + "')",
        path);
  }
  std::set<std::string> used;  // `name` is UNIQUE: a repeated label gets its column appended
  for (const DataColumn& d : labels) {
    std::string label = d.label;
    if (!used.insert(label).second) {
      label += " [" + d.column + "]";
      used.insert(label);
    }
    execute(ds,
            "INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description) "
            "VALUES (" +
                sql_text(d.table) + ", " + sql_text(d.column) + ", " + sql_text(label) + ", " +
                sql_text(label) + ", " +
                (d.description.empty() ? "NULL" : sql_text(d.description)) + ")",
            path);
  }
}

/// Creates layer_styles with QGIS's own schema (that of QgsOgrProviderMetadata::saveStyle:
/// same names, types and widths, FID `id`), so QGIS finds the styles and can add its own.
/// GDAL registers the table in gpkg_contents as `attributes`.
void write_layer_styles(GDALDataset& ds, const StatsTable& table, const std::string& layer_name,
                        const std::string& geometry_column, const std::vector<DataColumn>& labels,
                        const std::filesystem::path& path, const io::GdalErrorCapture& capture) {
  const std::vector<StyleSpec> styles = styles_for(table);
  if (styles.empty()) return;  // no percentage column to map
  const char* options[] = {"FID=id", nullptr};
  OGRLayer* layer = ds.CreateLayer("layer_styles", nullptr, wkbNone, const_cast<char**>(options));
  if (layer == nullptr) {
    throw engine::output_error(path.string() +
                               ": cannot create table layer_styles: " + capture.last_error());
  }
  struct FieldSpec {
    const char* name;
    OGRFieldType type;
    int width;
  };
  const FieldSpec fields[] = {
      {"f_table_catalog", OFTString, 256},
      {"f_table_schema", OFTString, 256},
      {"f_table_name", OFTString, 256},
      {"f_geometry_column", OFTString, 256},
      {"styleName", OFTString, 30},
      {"styleQML", OFTString, 0},
      {"styleSLD", OFTString, 0},
      {"useAsDefault", OFTInteger, 0},
      {"description", OFTString, 0},
      {"owner", OFTString, 30},
      {"ui", OFTString, 30},
      {"update_time", OFTDateTime, 0},
  };
  for (const FieldSpec& f : fields) {
    OGRFieldDefn field(f.name, f.type);
    field.SetWidth(f.width);
    if (f.type == OFTInteger) field.SetSubType(OFSTBoolean);
    if (f.type == OFTDateTime) field.SetDefault("CURRENT_TIMESTAMP");
    check(layer->CreateField(&field), std::string("layer_styles field ") + f.name, path, capture);
  }
  check(ds.StartTransaction(), "transaction", path, capture);
  for (const StyleSpec& s : styles) {
    OGRFeature feature(layer->GetLayerDefn());
    // QGIS looks a layer's styles up by f_table_schema = '' (not null), table and geometry
    // column.
    feature.SetField("f_table_catalog", "");
    feature.SetField("f_table_schema", "");
    feature.SetField("f_table_name", layer_name.c_str());
    feature.SetField("f_geometry_column", geometry_column.c_str());
    feature.SetField("styleName", s.name.c_str());
    feature.SetField("styleQML", style_qml(s, labels).c_str());
    feature.SetField("styleSLD", style_sld(s).c_str());
    feature.SetField("useAsDefault", s.use_as_default ? 1 : 0);
    feature.SetField("description", s.description.c_str());
    feature.SetField("owner", "");
    // Set, not left to the column's CURRENT_TIMESTAMP default, for identical bytes.
    feature.SetField("update_time", kFixedTimestamp);
    check(layer->CreateFeature(&feature), "style " + s.name, path, capture);
  }
  check(ds.CommitTransaction(), "layer styles", path, capture);
}

// The rows of a point layer are inserted by detail::fill_point_layer() once GDAL has closed
// the file; the R-tree and its triggers are made here, on the empty table, as GDAL makes them.
void create_empty_rtree(GDALDataset& ds, const std::string& layer,
                        const std::filesystem::path& path) {
  CPLErrorReset();
  OGRLayer* result = ds.ExecuteSQL(("SELECT CreateSpatialIndex('" + layer + "', 'geom')").c_str(),
                                   nullptr, nullptr);
  if (result != nullptr) ds.ReleaseResultSet(result);
  if (CPLGetLastErrorType() >= CE_Failure) {
    throw engine::output_error(path.string() + ": cannot index layer " + layer + ": " +
                               CPLGetLastErrorMsg());
  }
}

// The premises table as a point layer: its fields from the catalogue and its empty R-tree.
void write_premises_layer(GDALDataset& ds, OGRSpatialReference& srs,
                          const GeoPackagePremises& table, std::vector<DataColumn>& labels,
                          const std::filesystem::path& path, const io::GdalErrorCapture& capture) {
  const char* options[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=NO",
                           "DESCRIPTION=Every premise read, with its area and indicators (notspot)",
                           nullptr};
  OGRLayer* layer = ds.CreateLayer("premises", &srs, wkbPoint, const_cast<char**>(options));
  if (layer == nullptr) {
    throw engine::output_error(path.string() +
                               ": cannot create layer premises: " + capture.last_error());
  }
  const ColumnCatalogue& columns = *table.columns;
  for (const ColumnSpec& c : columns) {
    OGRFieldDefn field(c.name.c_str(), c.kind == ColumnKind::kText         ? OFTString
                                       : c.kind == ColumnKind::kIdentifier ? OFTInteger64
                                       : c.kind == ColumnKind::kFlag       ? OFTInteger
                                                                           : OFTReal);
    if (c.kind == ColumnKind::kFlag) field.SetSubType(OFSTBoolean);
    check(layer->CreateField(&field), "field premises." + c.name, path, capture);
    labels.push_back({"premises", c.name, c.label, c.definition});
  }
  create_empty_rtree(ds, "premises", path);
}

}  // namespace

void write_parish_geopackage(const std::filesystem::path& path, std::span<const io::Area> areas,
                             const StatsTable& table, const io::Crs& crs,
                             const engine::PremisesTable& premises,
                             std::span<const std::uint32_t> area_of_premise,
                             const GeoPackageMetadata& metadata,
                             const GeoPackagePremises* premises_table) {
  io::ensure_gdal();
  io::GdalErrorCapture capture;
  // The file is written in a staging folder and made durable by OutputDirectory::publish()
  // before it becomes visible, so SQLite's own journal and syncs would only slow the writing
  // (millions of outside premises took a minute with them); a larger page cache avoids
  // re-reading pages of the growing file.
  const std::pair<const char*, const char*> options[] = {
      {"OGR_CURRENT_DATE", kFixedTimestamp},
      {"OGR_SQLITE_SYNCHRONOUS", "OFF"},
      {"OGR_SQLITE_JOURNAL", "OFF"},
      {"OGR_SQLITE_CACHE", "512"},
  };
  for (const auto& [key, value] : options) CPLSetThreadLocalConfigOption(key, value);
  struct ResetOptions {
    const std::pair<const char*, const char*>* begin;
    const std::pair<const char*, const char*>* end;
    ~ResetOptions() {
      for (auto* o = begin; o != end; ++o) CPLSetThreadLocalConfigOption(o->first, nullptr);
    }
  } reset_options{std::begin(options), std::end(options)};

  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
  if (driver == nullptr) throw engine::output_error("GDAL has no GeoPackage driver");
  GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) {
    throw engine::output_error(path.string() +
                               ": cannot create GeoPackage: " + capture.last_error());
  }
  OGRSpatialReference srs;
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  if (srs.SetFromUserInput(crs.wkt().c_str()) != OGRERR_NONE) {
    throw engine::output_error("GDAL cannot use the study CRS " + crs.describe());
  }

  const char* area_options[] = {"FID=fid", "GEOMETRY_NAME=geom",
                                "DESCRIPTION=Fixed-broadband indicators per area (notspot)",
                                nullptr};
  OGRLayer* layer =
      ds->CreateLayer("parish_stats", &srs, wkbMultiPolygon, const_cast<char**>(area_options));
  if (layer == nullptr) {
    throw engine::output_error(path.string() + ": cannot create layer: " + capture.last_error());
  }
  std::vector<DataColumn> labels;
  auto add_field = [&](OGRLayer* l, const char* name, OGRFieldType type, std::string label,
                       std::string description) {
    OGRFieldDefn field(name, type);
    check(l->CreateField(&field), std::string("field ") + name, path, capture);
    labels.push_back({l->GetName(), name, std::move(label), std::move(description)});
  };
  for (const ColumnSpec& c : table.columns) {
    if (c.name == "level") continue;  // every feature is an area
    add_field(layer, c.name.c_str(),
              c.kind == ColumnKind::kText    ? OFTString
              : c.kind == ColumnKind::kCount ? OFTInteger64
                                             : OFTReal,
              c.label, c.definition);
  }

  check(ds->StartTransaction(), "transaction", path, capture);
  for (std::size_t a = 0; a < areas.size(); ++a) {
    OGRFeature feature(layer->GetLayerDefn());
    const std::vector<Cell>& row = table.rows[a];
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnSpec& c = table.columns[i];
      if (c.name == "level") continue;
      const int field = feature.GetFieldIndex(c.name.c_str());
      if (const auto* text = std::get_if<std::string>(&row[i])) {
        feature.SetField(field, text->c_str());
      } else if (const auto* count = std::get_if<std::uint64_t>(&row[i])) {
        feature.SetField(field, static_cast<GIntBig>(*count));
      } else {
        const double value = cell_number(row[i], c);
        if (std::isnan(value)) {
          feature.SetFieldNull(field);
        } else {
          feature.SetField(field, value);
        }
      }
    }
    if (!areas[a].geometry.empty()) {
      OGRMultiPolygon geometry = to_ogr(areas[a].geometry);
      feature.SetGeometry(&geometry);
    }
    check(layer->CreateFeature(&feature), "area " + areas[a].id, path, capture);
  }
  check(ds->CommitTransaction(), "areas", path, capture);

  // The outside premises' rows and R-tree are written by detail::fill_outside_layer() once
  // GDAL has closed the file: GDAL 3.6 inserts a feature and its R-tree entry one SQLite
  // statement at a time, about 2 microseconds a point without the index and 20 with it, and
  // a national run can have millions of them (benchmarks/README.md, "Outside premises").
  const char* point_options[] = {"FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=NO",
                                 "DESCRIPTION=Premises outside every area (notspot)", nullptr};
  OGRLayer* outside =
      ds->CreateLayer("premises_outside", &srs, wkbPoint, const_cast<char**>(point_options));
  if (outside == nullptr) {
    throw engine::output_error(path.string() + ": cannot create layer: " + capture.last_error());
  }
  add_field(outside, "premise_id", OFTInteger64, "Premise id (UPRN)", "");
  add_field(outside, "source_line", OFTInteger64, "Line or feature in the premises file",
            "Line of a CSV premises file, or feature id of an OGR one, for finding the premise.");
  create_empty_rtree(*ds, "premises_outside", path);

  if (premises_table != nullptr) {
    write_premises_layer(*ds, srs, *premises_table, labels, path, capture);
  }

  write_layer_styles(*ds, table, layer->GetName(), layer->GetGeometryColumn(), labels, path,
                     capture);
  write_data_columns(*ds, labels, path);
  // Written by GDAL into gpkg_metadata when the file is closed (timestamps: OGR_CURRENT_DATE).
  for (const auto& [name, value] : metadata.items) {
    if (ds->SetMetadataItem(name.c_str(), value.c_str()) != CE_None ||
        layer->SetMetadataItem(name.c_str(), value.c_str()) != CE_None) {
      throw engine::output_error(path.string() + ": cannot write metadata " + name + ": " +
                                 capture.last_error());
    }
  }

  ds.reset();  // closes the file; GDAL reports failures through the capture
  if (!capture.last_error().empty()) {
    throw engine::output_error(path.string() +
                               ": cannot finish GeoPackage: " + capture.last_error());
  }
  detail::fill_outside_layer(path, premises, area_of_premise);
  if (premises_table != nullptr) {
    detail::fill_premises_layer(path, *premises_table->columns, *premises_table->results);
  }
}

}  // namespace notspot::outputs
