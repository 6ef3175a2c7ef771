#!/usr/bin/env bash
# Writes the outputs of a run that fails a quality gate, for the browser test of the report's
# quality banner: the small hand-checked study with `[quality] max_rejected_share = 0.01` (its
# 6 of 25 rows rejected = 24%), run into WORK_DIR/out, which notspot must publish beside, in
# WORK_DIR/out.failed, exiting 3.
#
# Usage: failed_run_outputs.sh NOTSPOT SMALL_STUDY_DIR WORK_DIR
set -euo pipefail
notspot=$1
study_src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
for f in "$study_src"/*; do
  [[ -f $f && $(basename "$f") != README.md ]] && cp "$f" "$work/"
done
grep -q '^max_rejected_share = 0.5$' "$work/study.toml" || {
  echo "FAIL: $work/study.toml has no 'max_rejected_share = 0.5' to tighten" >&2
  exit 1
}
sed -i 's/^max_rejected_share = 0.5$/max_rejected_share = 0.01/' "$work/study.toml"
rc=0
(cd "$work" && "$notspot" run study.toml --out out) >"$work/notspot.log" 2>&1 || rc=$?
if [[ $rc -ne 3 ]]; then
  echo "FAIL: notspot run exited $rc, expected 3 (a failed quality gate):" >&2
  cat "$work/notspot.log" >&2
  exit 1
fi
[[ -f $work/out.failed/report.html ]] || {
  echo "FAIL: no $work/out.failed/report.html" >&2
  exit 1
}
echo "wrote $work/out.failed (notspot exited 3)"
