#pragma once

#include <filesystem>

#include "notspot/outputs/change_report.hpp"
#include "notspot/outputs/run_record.hpp"

namespace notspot::outputs {

/**
 * Writes manifest.json from the run record: every input with its SHA-256, size, rows, CRS and
 * transformation; the row ledgers; the areas, the index and their overlaps; the indicators and
 * study totals; the mobile layers and groups; the columns; the quality gates; the first
 * kMaxListedWarnings warnings; the changes since a previous run; every output with its SHA-256;
 * and, last, the `run` object (start time, threads, timings), the only part that differs
 * between identical runs. Numbers of measurement are rounded to six decimals so that the file
 * carries no floating-point noise.
 *
 * This file and read_run_identity() are the manifest's schema: the one place it is written and
 * the one place it is read.
 *
 * @throws engine::Error (kOutput) when the file cannot be written.
 */
void write_manifest(const std::filesystem::path& path, const RunRecord& record);

/**
 * What an earlier run's manifest.json says decides whether its figures compare with this run's:
 * `study.name`, `study.crs`, `study.boundary_vintage`, `thresholds`, the sha256 of the input whose
 * role is "areas" and `notspot_version`.
 * @throws engine::Error (kInput) naming the file when it cannot be read, is not JSON, or lacks
 *   (or mistypes) one of those fields, saying what to do.
 */
RunIdentity read_run_identity(const std::filesystem::path& manifest);

/// True when `manifest` begins like a manifest.json written by notspot (it names a
/// notspot_version near its start): such a folder holds a notspot run's outputs.
bool is_notspot_manifest(const std::filesystem::path& manifest);

}  // namespace notspot::outputs
