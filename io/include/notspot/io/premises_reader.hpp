#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "notspot/engine/premises.hpp"
#include "notspot/io/attribute_filter.hpp"
#include "notspot/io/crs.hpp"
#include "notspot/io/problem_log.hpp"
#include "notspot/io/progress.hpp"
#include "notspot/io/sources.hpp"
#include "notspot/io/zip_archive.hpp"

namespace notspot::io {

/// The premises of a study and what reading them found.
struct PremisesLoad {
  engine::PremisesTable table;  ///< Accepted premises, in input order, in the study CRS.
  std::uint64_t rows_read =
      0;  ///< Data rows (CSV) or features (OGR, those `where` selects); blank lines excluded.
  std::optional<AttributeFilterResult> filter;  ///< OGR `where` as applied; none without one.
  std::uint64_t rejected = 0;     ///< Rows rejected into the problem log (rows_read - accepted).
  std::uint64_t blank_lines = 0;  ///< Empty CSV lines, skipped and counted.
  std::string id_column;
  std::string x_column;        ///< CSV only.
  std::string y_column;        ///< CSV only.
  std::optional<Crs> crs;      ///< The coordinates' CRS (before reprojection).
  std::string source_crs;      ///< The coordinates' CRS, described.
  std::string transformation;  ///< PROJ's description of the reprojection.
  /// The source CRS's area of use, in its coordinates: rows outside it are rejected.
  std::optional<engine::Box> area_of_use;
  std::string postcode_column;         ///< Empty when the study names none.
  std::uint64_t without_postcode = 0;  ///< Accepted premises with an empty or malformed postcode.
  std::vector<MemberRead> members;     ///< The ZIP archive's member read; empty for a plain file.
};

/// What a premises source looks like, found without reading its rows.
struct PremisesInspection {
  std::string description;  ///< e.g. "premises.csv (12.3 MB), columns UPRN, X, Y".
  Crs crs;                  ///< The coordinates' CRS.
  std::optional<AttributeFilterResult> filter;  ///< OGR `where` as applied; none without one.
};

/// Opens the premises source and checks its header or layer, columns and CRS, like
/// read_premises() does, without reading rows. @throws engine::Error as read_premises().
PremisesInspection inspect_premises(const PremisesSource& source, const std::string& display);

/// A bounded sample of a premises source's coordinates, spread evenly over the file.
struct PremisesSample {
  std::vector<double> x;  ///< In `crs`, as written in the file (not reprojected).
  std::vector<double> y;
  Crs crs;                     ///< The coordinates' CRS, resolved as read_premises() does.
  std::string x_column;        ///< CSV only.
  std::string y_column;        ///< CSV only.
  bool whole_file = false;     ///< Every row was parsed (a small file) rather than sought.
  std::uint64_t unparsed = 0;  ///< Sampled rows without two finite numeric coordinates.
};

/**
 * Reads at most `max_points` coordinates, evenly spread over the premises source, without
 * reading it all: a CSV file of more than `whole_file_bytes` is sampled by seeking to
 * `max_points` evenly spaced byte offsets and parsing the row that starts after each (so a
 * national file costs a few thousand rows, not 40 million); a smaller one is parsed whole and
 * every n-th row kept. An OGR layer is sampled by feature index. Rows that do not parse
 * (wrong field count, non-numeric or non-finite coordinates, a seek landing inside a quoted
 * field) are counted in `unparsed` and left out; no row-level check beyond that is applied.
 * Deterministic: the same file gives the same sample.
 * @throws engine::Error as inspect_premises().
 */
PremisesSample sample_premises(const PremisesSource& source, const std::string& display,
                               std::size_t max_points = 4096,
                               std::size_t whole_file_bytes = std::size_t{4} << 20);

/**
 * Reads premises from a CSV file (the fast path: memory-mapped, parsed in parallel chunks,
 * OS Open UPRN layout with its byte-order mark, generic layouts with configured columns,
 * quoted fields, CRLF) or from any OGR point layer, and reprojects them to the study CRS.
 *
 * Rows with a missing or non-integer id, missing, non-numeric or non-finite coordinates,
 * coordinates outside the CRS's area of use, or the wrong number of fields are rejected into
 * `log` with the file, line and reason. Nothing is dropped silently:
 * rows_read == table.size() + rejected.
 *
 * @throws engine::Error (kStudy) when a configured column is missing; (kInput) when the file
 *   cannot be read or has no header.
 */
PremisesLoad read_premises(const PremisesSource& source, const Crs& study_crs,
                           const std::string& display, ProblemLog& log, Progress& progress);

}  // namespace notspot::io
