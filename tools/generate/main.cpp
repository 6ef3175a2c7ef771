// notspot-generate: makes the data the project tests and demonstrates itself with.
//
//   notspot-generate dorset --out DIR [--seed N] [--real-data DIR] [--parishes N]
//   notspot-generate national --out DIR [--premises N] [--areas N] [--seed S] [--rasters 0|1]
//   notspot-generate scatter --areas FILE [--layer NAME] [--areas-crs CRS] --out DIR
//                            [--premises N] [--outside-per-mille K] [--seed S]
//
// Each generator is a subcommand registered in kCommands below. Exit codes: 0 success,
// 1 failure, 2 bad command line.

#include <gdal_priv.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <exception>
#include <iostream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dorset_sample.hpp"
#include "national.hpp"
#include "notspot/engine/error.hpp"
#include "scatter.hpp"

namespace {

using notspot::engine::usage_error;

/// `--name value` (or `--name=value`) options of one subcommand, checked against the names it
/// accepts.
class Options {
 public:
  Options(std::span<const std::string_view> args, std::span<const std::string_view> accepted) {
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string_view arg = args[i];
      if (arg == "--help" || arg == "-h") {
        help_ = true;
        continue;
      }
      if (!arg.starts_with("--"))
        throw usage_error("unexpected argument '" + std::string(arg) + "'");
      std::string name(arg);
      std::string value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      } else if (i + 1 < args.size()) {
        value = std::string(args[++i]);
      } else {
        throw usage_error("option " + name + " needs a value");
      }
      if (std::find(accepted.begin(), accepted.end(), name) == accepted.end()) {
        std::string known;
        for (std::string_view a : accepted) known += (known.empty() ? "" : ", ") + std::string(a);
        throw usage_error("unknown option " + name + "; options are: " + known);
      }
      values_[name] = value;
    }
  }

  bool help() const { return help_; }

  std::string text(const std::string& name, const std::string& fallback) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  std::string required(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) throw usage_error("option " + name + " is required");
    return it->second;
  }

  std::uint64_t number(const std::string& name, std::uint64_t fallback) const {
    const auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    std::uint64_t value = 0;
    const std::string& s = it->second;
    const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (error != std::errc() || end != s.data() + s.size()) {
      throw usage_error("option " + name + " must be a non-negative integer, not '" + s + "'");
    }
    return value;
  }

 private:
  std::map<std::string, std::string> values_;
  bool help_ = false;
};

int run_dorset(std::span<const std::string_view> args) {
  constexpr std::string_view kAccepted[] = {"--out", "--seed", "--real-data", "--parishes"};
  const Options options(args, kAccepted);
  if (options.help()) {
    std::cout << "usage: notspot-generate dorset --out DIR [--seed N] [--real-data DIR] "
                 "[--parishes N]\n\n"
                 "Writes the Dorset sample study into DIR: parishes.gpkg, premises.csv,\n"
                 "fixed_speeds.csv, bduk_premises.csv, ofcom_fixed_postcode_DT.csv,\n"
                 "mobile/ (12 signal GeoTIFFs and one coverage GeoPackage),\n"
                 "generation_report.json.\n\n"
                 "  --out DIR        output folder (created when missing)\n"
                 "  --seed N         random seed; the same seed gives byte-identical files "
                 "(default 1)\n"
                 "  --real-data DIR  folder with the real open data (default: "
              << NOTSPOT_REAL_DATA_DIR
              << ")\n"
                 "  --parishes N     number of parish seeds (default 250)\n";
    return 0;
  }
  notspot::generate::DorsetSampleOptions dorset;
  dorset.output_dir = options.required("--out");
  dorset.seed = options.number("--seed", dorset.seed);
  dorset.real_data_dir = options.text("--real-data", NOTSPOT_REAL_DATA_DIR);
  dorset.parishes = options.number("--parishes", dorset.parishes);
  notspot::generate::generate_dorset_sample(dorset, std::cerr);
  return 0;
}

int run_national(std::span<const std::string_view> args) {
  constexpr std::string_view kAccepted[] = {"--out", "--premises", "--areas", "--seed",
                                            "--rasters", "--vertices-per-area"};
  const Options options(args, kAccepted);
  notspot::generate::NationalOptions national;
  if (options.help()) {
    std::cout << "usage: notspot-generate national --out DIR [--premises N] [--areas N] "
                 "[--seed S] [--rasters 0|1] [--vertices-per-area N]\n\n"
                 "Writes a synthetic national-scale study into DIR: areas.gpkg, premises.csv\n"
                 "(OS Open UPRN layout), fixed_speeds.csv, mobile/ (12 signal GeoTIFFs),\n"
                 "study.toml, generation_report.json.\n\n"
                 "  --out DIR       output folder (created when missing)\n"
                 "  --premises N    number of premises (default "
              << national.premises
              << ")\n"
                 "  --areas N       number of parish-like areas (default "
              << national.areas
              << ")\n"
                 "  --seed S        random seed; the same options give byte-identical files "
                 "(default 1)\n"
                 "  --rasters 0|1   write the 12 mobile rasters (default 1)\n"
                 "  --vertices-per-area N  mean vertices per area (default "
              << national.vertices_per_area
              << "); 5000 with 10,000 areas gives the 50 M vertices of full-resolution\n"
                 "                  (BFC) parish boundaries\n";
    return 0;
  }
  national.output_dir = options.required("--out");
  national.premises = options.number("--premises", national.premises);
  national.areas = options.number("--areas", national.areas);
  national.seed = options.number("--seed", national.seed);
  national.vertices_per_area = options.number("--vertices-per-area", national.vertices_per_area);
  const std::uint64_t rasters = options.number("--rasters", 1);
  if (rasters > 1) throw usage_error("option --rasters must be 0 or 1");
  national.rasters = rasters == 1;
  notspot::generate::generate_national(national, std::cerr);
  return 0;
}

int run_scatter(std::span<const std::string_view> args) {
  constexpr std::string_view kAccepted[] = {
      "--areas", "--layer", "--areas-crs", "--out", "--premises", "--outside-per-mille", "--seed"};
  const Options options(args, kAccepted);
  notspot::generate::ScatterOptions scatter;
  if (options.help()) {
    std::cout << "usage: notspot-generate scatter --areas FILE [--layer NAME] [--areas-crs CRS] "
                 "--out DIR [--premises N] [--outside-per-mille K] [--seed S]\n\n"
                 "Scatters premises over the polygon features of a real boundary layer (e.g. the\n"
                 "650 Westminster constituencies), an equal share per feature, and writes\n"
                 "DIR/premises.csv (OS Open UPRN layout) and DIR/generation_report.json.\n\n"
                 "  --areas FILE     any vector dataset GDAL reads, in EPSG:4326 or EPSG:27700\n"
                 "  --layer NAME     the layer to read (default: the only one)\n"
                 "  --areas-crs CRS  EPSG:4326 or EPSG:27700, for a layer that declares no CRS\n"
                 "                   (TopoJSON)\n"
                 "  --out DIR        output folder (created when missing)\n"
                 "  --premises N     number of premises (default "
              << scatter.premises
              << ")\n"
                 "  --outside-per-mille K  premises outside every feature, per thousand "
                 "(default "
              << scatter.outside_per_mille
              << ")\n"
                 "  --seed S         random seed; the same options give byte-identical files "
                 "(default 1)\n";
    return 0;
  }
  scatter.areas = options.required("--areas");
  scatter.layer = options.text("--layer", "");
  scatter.areas_crs = options.text("--areas-crs", "");
  scatter.output_dir = options.required("--out");
  scatter.premises = options.number("--premises", scatter.premises);
  scatter.outside_per_mille = options.number("--outside-per-mille", scatter.outside_per_mille);
  scatter.seed = options.number("--seed", scatter.seed);
  notspot::generate::generate_scatter(scatter, std::cerr);
  return 0;
}

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(std::span<const std::string_view> args);
};

constexpr Command kCommands[] = {
    {"dorset", "the Dorset sample study: parishes, premises, fixed broadband and mobile layers",
     run_dorset},
    {"national", "national-scale benchmark data: areas, premises, fixed broadband, rasters",
     run_national},
    {"scatter", "premises scattered over a real boundary layer, an equal share per feature",
     run_scatter},
};

void print_usage(std::ostream& out) {
  out << "usage: notspot-generate COMMAND [OPTIONS]   (COMMAND --help for its options)\n\n"
         "commands:\n";
  for (const Command& command : kCommands)
    out << "  " << command.name << std::string(10 - command.name.size(), ' ') << command.summary
        << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    print_usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  GDALAllRegister();
  try {
    for (const Command& command : kCommands) {
      if (command.name == args[0]) return command.run(std::span(args).subspan(1));
    }
    throw usage_error("unknown command '" + std::string(args[0]) + "'");
  } catch (const notspot::engine::Error& error) {
    std::cerr << "notspot-generate: " << error.what() << "\n";
    if (error.kind() == notspot::engine::ErrorKind::kUsage) {
      print_usage(std::cerr);
      return 2;
    }
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "notspot-generate: " << error.what() << "\n";
    return 1;
  }
}
