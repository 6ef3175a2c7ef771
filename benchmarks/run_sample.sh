#!/usr/bin/env bash
# End-to-end timing of `notspot run` on the Dorset sample study: median wall time and peak
# memory (max RSS), with 1 and 2 threads. Builds nothing.
#
#   benchmarks/run_sample.sh [BUILD_DIR] [REPETITIONS]
#
#   BUILD_DIR    build folder holding the `notspot` binary (default: build, in the repository)
#   REPETITIONS  timed runs per thread count (default: 5), after one untimed warm-up run
#   THREADS      environment: thread counts to try (default: "1 2")
#
# Uses hyperfine for the wall time when it is installed, else a timed loop; peak memory comes
# from /usr/bin/time -v (Debian package `time`; "n/a" without it). With jq, also prints the median time of each stage, from the
# `timings_seconds` that `notspot run` records in its manifest. Each run writes to a fresh temporary
# folder, removed at the end. The machine is shared: the load average is printed with the
# results; compare runs taken under similar load only.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-"$repo/build"}
repetitions=${2:-5}
threads_list=${THREADS:-"1 2"}
study="$repo/data/dorset/study.toml"
notspot="$build/notspot"

die() { echo "run_sample.sh: $*" >&2; exit 1; }

[[ "$repetitions" =~ ^[1-9][0-9]*$ ]] || die "REPETITIONS must be a positive integer, not '$repetitions'"
[[ -x "$notspot" ]] || die "no notspot binary at $notspot; build it first: cmake --build ${1:-build} --target notspot"
[[ -f "$study" ]] || die "no sample study at $study"

work=$(mktemp -d "${TMPDIR:-/tmp}/notspot-run-sample.XXXXXX")
trap 'rm -rf "$work"' EXIT

# One run of `notspot run`; prints "WALL_SECONDS MAX_RSS_KB" (0 without /usr/bin/time) and, with
# jq, appends the run's stage timings (from its manifest) to $work/stages.jsonl.
timed_run() {
  local threads=$1 out="$work/out" status=0 start end
  rm -rf "$out"
  local timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v -o "$work/time.txt")
  : >"$work/time.txt"
  start=$EPOCHREALTIME  # /usr/bin/time -v reports wall time to 10 ms only
  "${timer[@]}" "$notspot" run "$study" --out "$out" --threads "$threads" \
    >"$work/stdout.txt" 2>"$work/stderr.txt" || status=$?
  end=$EPOCHREALTIME
  # Exit code 3: a data-quality limit was exceeded; the run completed and wrote its outputs.
  if [[ $status -ne 0 && $status -ne 3 ]]; then
    echo "run_sample.sh: notspot run failed (exit $status):" >&2
    tail -n 20 "$work/stderr.txt" >&2
    exit 1
  fi
  if [[ $status -eq 3 && ! -f "$work/quality_warned" ]]; then
    echo "note: notspot run exits 3 (data-quality limit exceeded); timings are still reported" >&2
    touch "$work/quality_warned"
  fi
  if command -v jq >/dev/null && [[ -f "$out/manifest.json" ]]; then
    jq -c '[.. | objects | select(has("timings_seconds")) | .timings_seconds][0] // empty' \
      "$out/manifest.json" >>"$work/stages.jsonl" || true
  fi
  awk -v start="$start" -v end="$end" -F': ' '
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.3f %d\n", end - start, rss + 0 }' "$work/time.txt"
}

# Median of numbers on stdin, one per line.
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "notspot end-to-end: $("$notspot" --version 2>/dev/null || echo notspot) on $study"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"\
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if command -v hyperfine >/dev/null; then
  echo "timing: hyperfine, $repetitions runs per thread count after 1 warm-up"
else
  echo "timing: bash loop, $repetitions runs per thread count after 1 warm-up (hyperfine not installed)"
fi
echo

printf '%-8s %6s %12s %10s %10s %14s\n' threads runs "median s" "min s" "max s" "peak RSS MiB"
for threads in $threads_list; do
  timed_run "$threads" >/dev/null  # warm-up: page cache, lazy library loading
  : >"$work/samples.txt"
  : >"$work/stages.jsonl"
  for ((r = 0; r < repetitions; ++r)); do timed_run "$threads" >>"$work/samples.txt"; done
  rss_kb=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$work/samples.txt")
  if command -v hyperfine >/dev/null; then
    hyperfine --style none --ignore-failure --runs "$repetitions" --warmup 1 \
      --prepare "rm -rf '$work/out'" --export-csv "$work/hyperfine.csv" \
      "'$notspot' run '$study' --out '$work/out' --threads $threads" >/dev/null
    # Columns: command,mean,stddev,median,user,system,min,max
    read -r med lo hi < <(awk -F, 'NR == 2 { printf "%.3f %.3f %.3f\n", $4, $7, $8 }' "$work/hyperfine.csv")
  else
    med=$(cut -d' ' -f1 "$work/samples.txt" | median)
    lo=$(cut -d' ' -f1 "$work/samples.txt" | sort -g | head -n1)
    hi=$(cut -d' ' -f1 "$work/samples.txt" | sort -g | tail -n1)
  fi
  printf '%-8s %6s %12s %10s %10s %14s\n' "$threads" "$repetitions" "$med" "$lo" "$hi" \
    "$(awk -v k="$rss_kb" 'BEGIN { if (k > 0) printf "%.1f", k / 1024; else print "n/a" }')"
  if [[ -s "$work/stages.jsonl" ]]; then
    # Median of each stage's time over the timed runs.
    stages=$(jq -rs '
      def median: sort | if length % 2 == 1 then .[(length - 1) / 2]
                         else (.[length / 2 - 1] + .[length / 2]) / 2 end;
      . as $runs | ($runs[0] | keys_unsorted)
      | map("\(.) \([$runs[][.]] | median * 1000 | round)") | join(", ")' "$work/stages.jsonl")
    echo "         stages, median ms: $stages"
  fi
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
