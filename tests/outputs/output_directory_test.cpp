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
  write(out / "manifest.json", "{\"notspot_version\": \"0\", \"outputs\": []}");
  {
    OutputDirectory staged(out);
    write(staged.file("manifest.json"), "half-written");
  }  // abandoned, as after an exception
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"0\", \"outputs\": []}");
  for (const auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("staging"), std::string::npos);
  }
}

TEST_F(OutputDirectoryTest, PublishSwapsWholeFolders) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  write(out / "manifest.json", "{\"notspot_version\": \"0\", \"outputs\": []}");
  OutputDirectory staged(out);
  write(staged.file("manifest.json"), "{\"notspot_version\": \"1\"}");
  staged.publish();
  EXPECT_EQ(read(out / "manifest.json"), "{\"notspot_version\": \"1\"}");
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
TEST_F(OutputDirectoryTest, RefusesAUserFileOrAnEditedOutputBesideTheManifest) {
  const fs::path out = dir_ / "out";
  fs::create_directories(out);
  // "abc": 3 bytes, SHA-256 from `printf abc | sha256sum`.
  write(out / "manifest.json",
        "{\"notspot_version\": \"0\", \"outputs\": [{\"file\": \"a.csv\", \"sha256\": "
        "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\", "
        "\"size_bytes\": 3}]}");
  write(out / "a.csv", "abc");
  EXPECT_TRUE(is_replaceable_output_dir(out));
  write(out / "committee_notes.docx", "mine");
  EXPECT_EQ(foreign_entries(out),
            std::vector<std::string>{"committee_notes.docx (not written by the previous run)"});
  EXPECT_THROW(OutputDirectory{out}, engine::Error);
  fs::remove(out / "committee_notes.docx");
  write(out / "a.csv", "abd");  // same size, other bytes
  EXPECT_EQ(foreign_entries(out),
            std::vector<std::string>{"a.csv (changed since the previous run wrote it)"});
}

TEST_F(OutputDirectoryTest, APlantedLockLinkIsNotFollowed) {
  const fs::path target = dir_ / "elsewhere";
  fs::create_symlink(target, dir_ / ".out.lock");
  EXPECT_THROW(OutputDirectory{dir_ / "out"}, engine::Error);
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(OutputDirectoryTest, ALinkedOutputsFolderIsReplacedThroughTheLink) {
  fs::create_directories(dir_ / "real");
  fs::create_directory_symlink(dir_ / "real", dir_ / "out");
  {
    OutputDirectory staged(dir_ / "out");
    write(staged.file("a.csv"), "new");
    staged.publish();
  }
  EXPECT_TRUE(fs::is_symlink(dir_ / "out"));
  EXPECT_EQ(read(dir_ / "real" / "a.csv"), "new");
  fs::create_directory_symlink(dir_ / "missing", dir_ / "dangling");
  EXPECT_THROW(OutputDirectory{dir_ / "dangling"}, engine::Error);
}
}  // namespace
}  // namespace notspot::outputs
