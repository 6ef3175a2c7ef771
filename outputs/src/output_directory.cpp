#include "notspot/outputs/output_directory.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "notspot/engine/error.hpp"
#include "notspot/outputs/manifest.hpp"

namespace notspot::outputs {
namespace fs = std::filesystem;
namespace {

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

}  // namespace

bool is_replaceable_output_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_empty(dir, ec) && !ec) return true;
  return is_notspot_manifest(dir / "manifest.json");
}

OutputDirectory::OutputDirectory(fs::path final_dir)
    : final_(fs::absolute(std::move(final_dir)).lexically_normal()) {
  if (final_.filename().empty()) final_ = final_.parent_path();  // "out/" -> "out"
  const fs::path parent = final_.parent_path();
  const std::string name = final_.filename().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw engine::output_error("cannot create the folder " + parent.string() + ": " + ec.message());
  }
  if (fs::exists(final_) && !fs::is_directory(final_)) {
    throw engine::output_error(final_.string() +
                               " exists and is not a folder; choose another "
                               "outputs folder");
  }
  if (fs::exists(final_) && !is_replaceable_output_dir(final_)) {
    throw engine::output_error(final_.string() +
                               " holds files that are not a notspot run's outputs (no notspot "
                               "manifest.json); notspot will not replace them. Choose another "
                               "outputs folder, or empty this one.");
  }

  const fs::path lock_path = parent / ("." + name + ".lock");
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw engine::output_error(system_error("cannot create " + lock_path.string()));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw engine::output_error("another notspot run is writing to " + final_.string() +
                               " (it holds " + lock_path.string() +
                               "); wait for it to finish or choose another outputs folder");
  }
  // Staging folders of runs that were killed: safe to remove, as we hold the lock.
  const std::string stale_prefix = "." + name + ".staging-";
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, ec)) {
    if (entry.path().filename().string().rfind(stale_prefix, 0) == 0) {
      fs::remove_all(entry.path(), ec);
    }
  }
  staging_ = parent / (stale_prefix + std::to_string(::getpid()));
  fs::create_directory(staging_, ec);
  if (ec) {
    throw engine::output_error("cannot create " + staging_.string() + ": " + ec.message());
  }
}

OutputDirectory::~OutputDirectory() {
  std::error_code ec;
  if (!published_ && !staging_.empty()) fs::remove_all(staging_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

void OutputDirectory::publish() {
  if (published_) throw engine::internal_error("OutputDirectory::publish called twice");
  for (const fs::directory_entry& entry : fs::directory_iterator(staging_)) {
    if (entry.is_regular_file()) fsync_path(entry.path(), false);
  }
  fsync_path(staging_, true);
  if (fs::exists(final_)) {
    // One atomic step: the new outputs take the old ones' place, the old ones take the
    // staging folder's name and are removed after.
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, final_.c_str(), RENAME_EXCHANGE) != 0) {
      throw engine::output_error(system_error("cannot swap the new outputs into " +
                                              final_.string() +
                                              " (the filesystem must support "
                                              "renameat2 RENAME_EXCHANGE)"));
    }
  } else if (::rename(staging_.c_str(), final_.c_str()) != 0) {
    throw engine::output_error(system_error("cannot move the new outputs to " + final_.string()));
  }
  published_ = true;
  fsync_path(final_.parent_path(), true);
  std::error_code ec;
  fs::remove_all(staging_, ec);  // now the previous outputs, if any
}

}  // namespace notspot::outputs
