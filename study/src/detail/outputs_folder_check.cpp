#include "detail/outputs_folder_check.hpp"

#include <fmt/format.h>

#include <vector>

#include "notspot/io/zip_archive.hpp"

namespace notspot::study::detail {
namespace fs = std::filesystem;
namespace {

fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  if (ec) r = fs::absolute(p).lexically_normal();
  if (r.filename().empty()) r = r.parent_path();
  return r;
}

// `inner` is `outer` or lies below it.
bool within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> outputs_folder_conflict(const Study& study, const fs::path& outputs_dir) {
  const fs::path out = resolved(outputs_dir);
  std::vector<std::pair<std::string, fs::path>> inputs;
  inputs.emplace_back("[areas] path", study.areas.path);
  inputs.emplace_back("[premises] path", study.premises.path);
  for (const io::LayerSource& layer : study.layers) {
    inputs.emplace_back(fmt::format("[[layers]] '{}' path", layer.name), layer.path);
  }
  inputs.emplace_back("the study file", study.file);
  for (const auto& [key, path] : inputs) {
    if (path.empty()) continue;
    if (io::is_non_file_source(path.string())) continue;  // a database or URL: nothing to own
    const fs::path input = resolved(path);
    std::error_code ec;
    const bool folder_input = fs::is_directory(input, ec) && key != "the study file";
    const fs::path folder = folder_input ? input : input.parent_path();
    if (within(folder, out)) {
      return fmt::format(
          "the outputs folder {} {} {} {} ({}); a run replaces what it published there, so it "
          "must not hold any input. Choose an outputs folder of its own, e.g. out/ beside the "
          "study file",
          out.string(), folder == out ? "is" : "contains",
          folder_input ? "the input folder" : "the folder of the input", input.string(), key);
    }
    if (folder_input && within(out, folder)) {
      return fmt::format(
          "the outputs folder {} lies inside the input folder {} ({}); a run would write into "
          "an input. Choose an outputs folder outside it, e.g. out/ beside the study file",
          out.string(), input.string(), key);
    }
  }
  return std::nullopt;
}

}  // namespace notspot::study::detail
