#include "notspot/outputs/output_directory.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>

#include "notspot/engine/error.hpp"
#include "notspot/io/file_digest.hpp"
#include "notspot/outputs/manifest.hpp"

namespace notspot::outputs {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kNamedForeignEntries = 5;

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

void fsync_path(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw engine::output_error(system_error("cannot open " + path.string() + " to sync"));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw engine::output_error(system_error("cannot sync " + path.string()));
}

struct Listed {
  std::string sha256;
  std::uint64_t size_bytes = 0;
};

// The files a notspot manifest.json lists as its outputs; nullopt when it is not one.
std::optional<std::map<std::string, Listed>> listed_outputs(const fs::path& manifest) {
  if (!is_notspot_manifest(manifest)) return std::nullopt;
  std::ifstream in(manifest, std::ios::binary);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("outputs") || !j["outputs"].is_array()) return std::nullopt;
  std::map<std::string, Listed> listed;
  for (const nlohmann::json& o : j["outputs"]) {
    if (!o.is_object() || !o.contains("file") || !o["file"].is_string() || !o.contains("sha256") ||
        !o["sha256"].is_string() || !o.contains("size_bytes") ||
        !o["size_bytes"].is_number_unsigned()) {
      return std::nullopt;
    }
    listed[o["file"].get<std::string>()] = {o["sha256"].get<std::string>(),
                                            o["size_bytes"].get<std::uint64_t>()};
  }
  return listed;
}

// Refuses (kStudy, exit 2) a folder that holds what notspot does not own.
void check_owned(const fs::path& dir, const std::string& role) {
  const std::vector<std::string> foreign = foreign_entries(dir);
  if (foreign.empty()) return;
  std::string named;
  for (std::size_t i = 0; i < foreign.size() && i < kNamedForeignEntries; ++i) {
    named += (i ? ", " : "") + foreign[i];
  }
  if (foreign.size() > kNamedForeignEntries) {
    named += ", and " + std::to_string(foreign.size() - kNamedForeignEntries) + " more";
  }
  throw engine::study_error(
      dir.string() + " (" + role + ") holds " + std::to_string(foreign.size()) +
      " entr" + (foreign.size() == 1 ? "y" : "ies") +
      " that notspot did not write, or that changed since it wrote them: " + named +
      ". notspot replaces the whole folder, so it only does so when everything in it is the "
      "previous run's outputs as listed (with size and SHA-256) in its manifest.json. Move "
      "those files somewhere else (an edited output: save it under another folder), or choose "
      "another outputs folder ([outputs] dir in the study, or --out); nothing was changed.");
}

// A link as the outputs path is followed (its target is what gets replaced), unless it dangles.
fs::path resolve_outputs_path(fs::path path) {
  if (path.filename().empty()) path = path.parent_path();  // "out/" -> "out"
  std::error_code ec;
  const fs::file_status link = fs::symlink_status(path, ec);
  if (!ec && fs::is_symlink(link)) {
    const fs::path target = fs::read_symlink(path, ec);
    if (!fs::exists(path, ec)) {
      throw engine::study_error(path.string() + " is a symbolic link to " + target.string() +
                                ", which does not exist; create that folder, or point the "
                                "outputs folder ([outputs] dir or --out) at a real folder");
    }
    return fs::canonical(path);
  }
  return path;
}

void remove_stale(const fs::path& entry) {
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(entry, ec))) {
    fs::remove(entry, ec);  // the link only, never what it points to
  } else {
    fs::remove_all(entry, ec);  // remove_all does not follow links inside
  }
}

}  // namespace

std::vector<std::string> foreign_entries(const fs::path& dir) {
  std::vector<std::string> foreign;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return foreign;
  std::vector<fs::directory_entry> entries;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
  if (ec) {
    foreign.push_back("(the folder cannot be listed: " + ec.message() + ")");
    return foreign;
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  const std::optional<std::map<std::string, Listed>> listed =
      listed_outputs(dir / "manifest.json");
  for (const fs::directory_entry& e : entries) {
    const std::string name = e.path().filename().string();
    const fs::file_status status = e.symlink_status(ec);
    if (!listed) {
      foreign.push_back(name + (name == "manifest.json" ? " (not a notspot manifest)"
                                                        : " (no notspot manifest.json lists it)"));
      continue;
    }
    if (name == "manifest.json" && fs::is_regular_file(status)) continue;
    const auto it = listed->find(name);
    if (it == listed->end()) {
      foreign.push_back(name + " (not written by the previous run)");
    } else if (!fs::is_regular_file(status)) {
      foreign.push_back(name + " (not a plain file)");
    } else {
      bool same = false;
      if (e.file_size(ec) == it->second.size_bytes && !ec) {
        try {
          same = io::digest_file(e.path()).sha256 == it->second.sha256;
        } catch (const engine::Error&) {
          same = false;
        }
      }
      if (!same) foreign.push_back(name + " (changed since the previous run wrote it)");
    }
  }
  return foreign;
}

bool is_replaceable_output_dir(const fs::path& dir) {
  return foreign_entries(dir).empty();
}

OutputDirectory::OutputDirectory(fs::path final_dir, bool check_failed_dir)
    : final_(resolve_outputs_path(fs::absolute(std::move(final_dir)).lexically_normal())) {
  std::error_code ec;
  fs::create_directories(final_.parent_path(), ec);
  if (ec) {
    throw engine::output_error("cannot create the folder " + final_.parent_path().string() + ": " +
                               ec.message());
  }
  // The parent's links resolved too, so that the lock and staging folder are beside the real
  // folder whichever way it is named.
  final_ = fs::canonical(final_.parent_path()) / final_.filename();
  const fs::path parent = final_.parent_path();
  const std::string name = final_.filename().string();
  if (fs::exists(final_) && !fs::is_directory(final_)) {
    throw engine::study_error(final_.string() +
                              " exists and is not a folder; choose another outputs folder");
  }

  // The lock first, so that the checks below cannot race another notspot run.
  const fs::path lock_path = parent / ("." + name + ".lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (lock_fd_ < 0 && errno == ELOOP) {
    throw engine::output_error(
        "the lock file " + lock_path.string() +
        " is a symbolic link; notspot never follows a link there (it could make it create or "
        "change a file elsewhere). Remove the link (rm '" + lock_path.string() +
        "') and run again");
  }
  if (lock_fd_ < 0) throw engine::output_error(system_error("cannot create " + lock_path.string()));
  struct stat st {};
  if (::fstat(lock_fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw engine::output_error("the lock file " + lock_path.string() +
                               " is not a plain file; remove it and run again");
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw engine::output_error("another notspot run is writing to " + final_.string() +
                               " (it holds " + lock_path.string() +
                               "); wait for it to finish or choose another outputs folder");
  }
  try {
    check_owned(final_, "the outputs folder");
    if (check_failed_dir) {
      if (fs::is_symlink(fs::symlink_status(failed_dir(), ec))) {
        throw engine::study_error(failed_dir().string() +
                                  " is a symbolic link; notspot publishes a failing run there "
                                  "and will not follow it: remove the link and run again");
      }
      check_owned(failed_dir(), "where a failing run is published");
    }
    // Staging folders of runs that were killed: safe to remove, as we hold the lock. A link
    // of that name is removed, never followed.
    const std::string stale_prefix = "." + name + ".staging-";
    for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec)) {
      if (entry.path().filename().string().rfind(stale_prefix, 0) == 0) remove_stale(entry.path());
    }
    staging_ = parent / (stale_prefix + std::to_string(::getpid()));
    if (::mkdir(staging_.c_str(), 0755) != 0) {
      const fs::path failed = staging_;
      staging_.clear();  // not ours: never removed
      throw engine::output_error(system_error("cannot create the staging folder " + failed.string()));
    }
  } catch (...) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

OutputDirectory::~OutputDirectory() {
  std::error_code ec;
  if (!published_ && !staging_.empty()) fs::remove_all(staging_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

fs::path OutputDirectory::failed_dir() const {
  return final_.parent_path() / (final_.filename().string() + ".failed");
}

void OutputDirectory::publish_to(const fs::path& target) {
  if (published_) throw engine::internal_error("OutputDirectory::publish called twice");
  for (const fs::directory_entry& entry : fs::directory_iterator(staging_)) {
    if (entry.is_regular_file()) fsync_path(entry.path(), false);
  }
  fsync_path(staging_, true);
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(target, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw engine::study_error(target.string() + " is not a folder (a link or a file); notspot "
                                "will not replace it: move it away and run again");
    }
    // Again, right before the swap: a file may have been added during the run.
    check_owned(target, target == final_ ? "the outputs folder" : "where a failing run is published");
    // One atomic step: the new outputs take the old ones' place, the old ones take the
    // staging folder's name and are removed after.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
      throw engine::output_error(system_error("cannot swap the new outputs into " +
                                              target.string() +
                                              " (the filesystem must support "
                                              "renameat2 RENAME_EXCHANGE)"));
    }
  } else if (::rename(staging_.c_str(), target.c_str()) != 0) {
    throw engine::output_error(system_error("cannot move the new outputs to " + target.string()));
  }
  published_ = true;
  fsync_path(target.parent_path(), true);
  fs::remove_all(staging_, ec);  // now the previous outputs, if any
}

void OutputDirectory::publish() {
  publish_to(final_);
  // A failing run's outputs, published beside the folder earlier, are now out of date.
  const fs::path failed = failed_dir();
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(failed, ec)) &&
      is_notspot_manifest(failed / "manifest.json") && is_replaceable_output_dir(failed)) {
    fs::remove_all(failed, ec);
  }
}

void OutputDirectory::publish_failed() {
  publish_to(failed_dir());
}

}  // namespace notspot::outputs
