#!/bin/sh
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (clang), then every
# libFuzzer target (fuzz/) for FUZZ_SECONDS seconds each (default 60) from its seed corpus.
# Fails on any sanitizer report, test failure or fuzzer finding (kept in build-asan/fuzz-findings).
# Leak checking is off: GDAL, PROJ and GEOS keep process-lifetime caches that LeakSanitizer
# would report at every exit.
set -eu
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DNOTSPOT_SANITIZE=ON -DNOTSPOT_BUILD_FUZZERS=ON -DNOTSPOT_BUILD_BENCHMARKS=OFF
cmake --build build-asan
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The SIGKILL harness is about atomic publishing, not memory: it runs in the main suite. So do
# the scale tests: 40 M premises under ASan would take far too long, and the sanitizers' shadow
# memory would make its peak-memory check meaningless.
ctest --test-dir build-asan --output-on-failure -LE 'reliability|scale|signals'
mkdir -p build-asan/fuzz-findings
for target in premises_csv layer_csv study_file; do
  case $target in
    premises_csv) seeds=fuzz/seeds/premises ;;
    layer_csv) seeds=fuzz/seeds/layer ;;
    study_file) seeds=fuzz/seeds/study ;;
  esac
  corpus=build-asan/fuzz-corpus/$target
  mkdir -p "$corpus"
  echo "fuzzing $target for $seconds s"
  build-asan/fuzz/fuzz_$target -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=build-asan/fuzz-findings/$target- "$corpus" "$seeds"
done
