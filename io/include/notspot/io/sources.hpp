#pragma once

// What a study file says about each input: where it is and how to read it. The readers of
// notspot::io take these; notspot::study fills them from the study file.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/coverage_rule.hpp"

namespace notspot::io {

/// Where a value came from in the study file, for error messages ("study.toml:12").
struct SourceLine {
  std::filesystem::path file;    ///< The study file as the caller named it to load_study().
  std::uint32_t line = 0;        ///< 1-based; 0 when the value was defaulted.
  std::string describe() const;  ///< "study.toml:12" or "study.toml" when line is 0.
};

/// `[areas]`: the polygons premises are assigned to (parishes).
struct AreasSource {
  std::filesystem::path path;        ///< Resolved against the study file's folder.
  std::optional<std::string> layer;  ///< Required when the dataset has several layers.
  /// `member`: for a ZIP archive `path`, a glob naming the member(s) to read, e.g. "*_DT.csv".
  /// DEFAULT: the archive's only .csv/.txt member (CSV), or what GDAL finds in it (vector).
  /// REQUIRES: `path` names a .zip archive.
  std::optional<std::string> member;
  std::string id_field;                   ///< `id`, required.
  std::optional<std::string> name_field;  ///< `name`; when absent the id is the name.
  std::optional<std::string> crs;         ///< Declares the CRS of a file that has none.
  /// `where`: an OGR SQL WHERE clause selecting the features to read (OGRLayer::
  /// SetAttributeFilter), e.g. "LAD24CD = 'E06000059'". DEFAULT: every feature.
  std::optional<std::string> attribute_filter;
  /// `as_at`: the date the data describes, "YYYY", "YYYY-MM" or "YYYY-MM-DD" (validated).
  std::optional<std::string> as_at;
  SourceLine where;  ///< Line of the `[areas]` table.
};

enum class PremisesFormat { kCsv, kOgr };

/// `[premises]`: address points.
struct PremisesSource {
  std::filesystem::path path;
  PremisesFormat format = PremisesFormat::kCsv;  ///< `format`; default by file extension.
  /// `member`: for a ZIP archive `path`, a glob naming the member(s) to read, e.g. "*_DT.csv".
  /// DEFAULT: the archive's only .csv/.txt member (CSV), or what GDAL finds in it (vector).
  /// REQUIRES: `path` names a .zip archive.
  std::optional<std::string> member;
  std::optional<std::string> layer;  ///< OGR only.
  /// `where`, OGR only: an OGR SQL WHERE clause selecting the features to read.
  /// REQUIRES: format kOgr (the study file reports it for CSV). DEFAULT: every feature.
  std::optional<std::string> attribute_filter;
  std::string id_field = "UPRN";  ///< `id`.
  /// CSV only: `x`/`y` column names. When absent: X_COORDINATE/Y_COORDINATE if the header
  /// has them (CRS EPSG:27700), else LONGITUDE/LATITUDE (CRS EPSG:4326).
  std::optional<std::string> x_field;
  std::optional<std::string> y_field;
  /// `crs` of the coordinates. CSV default: as above. OGR: the layer's CRS.
  std::optional<std::string> crs;
  /// `postcode`: the column (CSV) or field (OGR) holding each premise's postcode, for joining
  /// postcode-level layers (ofcom-postcode). Optional.
  std::optional<std::string> postcode_field;
  /// `as_at`: the date the data describes (e.g. the UPRN release), "YYYY", "YYYY-MM" or
  /// "YYYY-MM-DD" (validated).
  std::optional<std::string> as_at;
  SourceLine where;
};

/// `[report] places`: named points or polygons (built-up areas, towns) labelled on the maps.
struct PlacesSource {
  std::filesystem::path path;
  std::optional<std::string> layer;  ///< Required when the dataset has several layers.
  std::string name_field;            ///< `name_field`, required: the label text.
  /// `where`: an OGR SQL WHERE clause selecting the places to read. DEFAULT: every feature.
  std::optional<std::string> attribute_filter;
  /// `rank_field`: a numeric field, larger first when not every label fits (e.g. population).
  /// DEFAULT: polygons by the study's premises inside them, points in file order.
  std::optional<std::string> rank_field;
  std::optional<std::string> crs;  ///< Declares the CRS of a file that has none.
  std::size_t max_labels = 12;     ///< `max_labels`: at most this many labels a map.
  SourceLine where;                ///< Line of `places` in `[report]`.
};

enum class LayerKind {
  kBdukPremises,   ///< `bduk-premises`: BDUK "Premises in BDUK plans" CSV, keyed by UPRN.
  kFixedSpeeds,    ///< `fixed-speeds`: uprn,max_down_mbps,max_up_mbps,technology.
  kOfcomPostcode,  ///< `ofcom-postcode`: Ofcom Connected Nations postcode-level fixed CSV.
  kRaster,         ///< `raster`: mobile coverage raster (any GDAL raster), one operator.
  kPolygons,       ///< `polygons`: mobile coverage footprints (any OGR layer), one operator.
};

/// What a mobile coverage layer covers. Required for raster and polygons layers.
struct MobileTags {
  std::string operator_name;  ///< `operator`, e.g. "EE" (free text, non-empty).
  std::string technology;     ///< `technology`: "2G", "3G", "4G" or "5G" (normalised upper case).
  std::string setting;        ///< `setting`: "indoor" or "outdoor" (normalised lower case).
};

/// One `[[layers]]` entry.
struct LayerSource {
  LayerKind kind = LayerKind::kBdukPremises;
  std::string name;  ///< `name`; default: the file name without extension.
  std::filesystem::path path;
  /// `member`: for a ZIP archive `path`, a glob naming the member(s) to read (several, read as one
  /// table, for the CSV kinds: e.g. "*.csv" for every CSV member), e.g. "*_DT.csv". DEFAULT: the
  /// archive's only .csv/.txt member (CSV), or what GDAL finds in it (vector). REQUIRES: `path`
  /// names a .zip archive.
  std::optional<std::string> member;
  std::string key_field = "uprn";  ///< `key`.
  /// fixed-speeds only: column names (`down`, `up`, `technology`).
  std::string down_field = "max_down_mbps";
  std::string up_field = "max_up_mbps";
  std::string technology_field = "technology";
  /// raster and polygons: what the layer covers.
  MobileTags tags;
  /// raster only: `covered_when`, required, e.g. ">= -105", "== 1", "in [2, 3]".
  engine::CoverageRule covered_when;
  /// raster only: `band`, 1-based. DEFAULT: 1.
  int band = 1;
  /// polygons only: `layer`, the OGR layer (required when the dataset has several).
  std::optional<std::string> ogr_layer;
  /// polygons only: `where`, an OGR SQL WHERE clause selecting the footprints to read.
  /// DEFAULT: every feature.
  std::optional<std::string> attribute_filter;
  /// raster and polygons: `crs`, declares the CRS of a file that has none.
  std::optional<std::string> crs;
  /// `as_at`: the date the data describes (e.g. Ofcom's release month), "YYYY", "YYYY-MM" or
  /// "YYYY-MM-DD" (validated).
  std::optional<std::string> as_at;
  SourceLine where;
};

}  // namespace notspot::io
