// The outputs folder: staged, published atomically, locked, never replacing other files.

#include "notspot/outputs/output_directory.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "notspot/engine/error.hpp"
#include "support/temp_dir.hpp"

namespace notspot::outputs {
namespace {

namespace fs = std::filesystem;

using TempDir = test::TempDirTest;

using OutputDirectoryTest = TempDir;

TEST_F(OutputDirectoryTest, NothingIsVisibleUntilPublished) {
  const fs::path out = dir_ / "out";
  {
    OutputDirectory staged(out);
    write(staged.file("a.csv"), "new");
    EXPECT_FALSE(fs::exists(out));
    staged.publish();
  }
  EXPECT_EQ(read(out / "a.csv"), "new");
}

TEST_F(OutputDirectoryTest, UnpublishedRunLeavesPreviousOutputsAndNoStaging) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write(out / "manifest.json", "{\"notspot_version\": \"0\"}");
  {
    OutputDirectory staged(out);
    write(staged.file("manifest.json"), "half-written");
  }  // abandoned, as after an exception
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"0\"}");
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("staging"), std::string::npos);
  }
}

TEST_F(OutputDirectoryTest, PublishSwapsWholeFolders) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write(out / "manifest.json", "{\"notspot_version\": \"0\"}");
  write(out / "old_only.csv", "old");
  OutputDirectory staged(out);
  write(staged.file("manifest.json"), "{\"notspot_version\": \"1\"}");
  staged.publish();
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"1\"}");
  EXPECT_FALSE(fs::exists(out / "old_only.csv"));
}

TEST_F(OutputDirectoryTest, StaleStagingFromAKilledRunIsCleanedUp) {
  const fs::path stale = dir_ / ".out.staging-999999";
  fs::create_directories(stale);
  write(stale / "x", "partial");
  OutputDirectory staged(dir_ / "out");
  EXPECT_FALSE(fs::exists(stale));
}

TEST_F(OutputDirectoryTest, RefusesWhileAnotherRunHoldsTheLock) {
  OutputDirectory first(dir_ / "out");
  EXPECT_THROW(OutputDirectory second(dir_ / "out"), engine::Error);
}

TEST_F(OutputDirectoryTest, RefusesAFolderOfOtherFilesAndAFile) {
  fs::create_directories(dir_ / "docs");
  write(dir_ / "docs" / "letter.txt", "keep me");
  EXPECT_THROW(OutputDirectory(dir_ / "docs"), engine::Error);
  write(dir_ / "plainfile", "x");
  EXPECT_THROW(OutputDirectory(dir_ / "plainfile"), engine::Error);
  fs::create_directories(dir_ / "empty");
  EXPECT_TRUE(is_replaceable_output_dir(dir_ / "empty"));
}
}  // namespace
}  // namespace notspot::outputs
