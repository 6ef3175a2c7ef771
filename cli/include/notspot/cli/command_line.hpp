#pragma once

namespace notspot::cli {

/**
 * The whole command line: parses `argv` (CLI11), runs the command, reports a failure as text on
 * stderr or as a JSON log line, and maps it to an exit code (ExitCode).
 */
int run_command_line(int argc, char** argv);

}  // namespace notspot::cli
