// notspot: the command line (notspot::cli). Exit codes, documented in README.md:
//   0 success, 1 failure, 2 usage or study-file error, 3 data-quality threshold exceeded.

#include "notspot/cli/command_line.hpp"

int main(int argc, char** argv) {
  return notspot::cli::run_command_line(argc, argv);
}
