#!/usr/bin/env bash
# notspot against its peers, end to end: PostGIS and GeoPandas do the same job as `notspot run`
# (files on disk -> per-area premises counts: load, index, point-in-polygon join, aggregate) on
# the same generated national-scale data. Checks that all three give the same counts and
# prints a table of wall-clock times. See "Against peers" in benchmarks/README.md.
#
#   benchmarks/peers/run_peers.sh [OPTIONS]
#
#   --premises N     premises to generate (default 16000000; at least 1000000 without --allow-small)
#   --areas N        areas to generate (default 3000; at least 300 without --allow-small)
#
# The default size is where the end-to-end targets are judged (about 13 minutes, GeoPandas
# takes 10 of them); `--premises 1000000 --areas 300` is the quick run (about a minute), where
# notspot's fixed costs (process start, outputs, checksums) weigh more against PostGIS.
#   --seed S         generator seed (default 1)
#   --data DIR       use this notspot-generate national folder instead of generating one
#   --out DIR        results and working folder (default: BUILD_DIR/peers-bench)
#   --build DIR      build folder with notspot and tools/notspot-generate (default: build)
#   --repeat N       timed runs of notspot (default 3); the median is reported
#   --peer-repeat N  timed runs of PostGIS and of GeoPandas (default 1)
#   --threads N      notspot --threads (default: all cores, notspot's default)
#   --tools LIST     comma-separated subset of notspot,postgis,geopandas (default: all three)
#   --port P         port of the private PostgreSQL cluster (default 55432; unix socket only)
#   --no-install     do not check or install the Debian packages
#   --allow-small    allow fewer than 1,000,000 premises or 300 areas (for trying the script)
#   -h, --help       this text
#
# Needs root for the package install (Debian 12: postgresql-15, postgresql-15-postgis-3,
# postgresql-client-15, gdal-bin, python3-geopandas, python3-rtree; skipped when present).
# Exit status: 0 when the counts agree (up to premises exactly on a boundary), 1 otherwise or on
# any failure, 2 on a usage error. Results: OUT/results.{json,csv}, OUT/count_differences.csv,
# OUT/timings.csv, the PostgreSQL query plan in OUT/postgis/plan.txt, each run's outputs and logs
# in OUT/<tool>/.
set -euo pipefail
export LC_ALL=C  # a decimal point in $EPOCHREALTIME and in awk, whatever the locale

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

premises=16000000
areas=3000
seed=1
data=""
out=""
build="$repo/build"
repeat=3
peer_repeat=1
threads=""
tools="notspot,postgis,geopandas"
port=55432
install=1
allow_small=0
python=${PYTHON:-/usr/bin/python3}  # Debian's python3-geopandas lives in Debian's interpreter
command_line="$0${*:+ $*}"

die() { echo "run_peers.sh: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit "${1:-2}"; }
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "run_peers.sh: $1 must be a positive integer, not '$2'" >&2; exit 2; }; }
need_arg() { [[ $# -ge 2 && -n "$2" ]] || { echo "run_peers.sh: $1 needs a value" >&2; exit 2; }; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --premises) need_arg "$@"; positive "$1" "$2"; premises=$2; shift 2 ;;
    --areas) need_arg "$@"; positive "$1" "$2"; areas=$2; shift 2 ;;
    --seed) need_arg "$@"; [[ "$2" =~ ^[0-9]+$ ]] || { echo "run_peers.sh: --seed must be a whole number" >&2; exit 2; }; seed=$2; shift 2 ;;
    --data) need_arg "$@"; data=$2; shift 2 ;;
    --out) need_arg "$@"; out=$2; shift 2 ;;
    --build) need_arg "$@"; build=$2; shift 2 ;;
    --repeat) need_arg "$@"; positive "$1" "$2"; repeat=$2; shift 2 ;;
    --peer-repeat) need_arg "$@"; positive "$1" "$2"; peer_repeat=$2; shift 2 ;;
    --threads) need_arg "$@"; positive "$1" "$2"; threads=$2; shift 2 ;;
    --tools) need_arg "$@"; tools=$2; shift 2 ;;
    --port) need_arg "$@"; positive "$1" "$2"; port=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --allow-small) allow_small=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run_peers.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

run_tool() { [[ ",$tools," == *",$1,"* ]]; }
IFS=, read -r -a tool_list <<<"$tools"
for t in "${tool_list[@]}"; do
  case "$t" in notspot|postgis|geopandas) ;; *) echo "run_peers.sh: --tools: unknown tool '$t' (notspot, postgis, geopandas)" >&2; exit 2 ;; esac
done
run_tool notspot || die "--tools must include notspot: the other tools are compared with it"

if [[ -z "$data" && $allow_small -eq 0 ]] && ((premises < 1000000 || areas < 300)); then
  echo "run_peers.sh: the benchmark needs at least 1,000,000 premises and 300 areas (--allow-small to try it on less)" >&2
  exit 2
fi
build=$(cd "$build" 2>/dev/null && pwd) || die "no build folder '$build'"
[[ -x "$build/notspot" ]] || die "no notspot binary in $build; build it first: cmake --build $build"
out=${out:-"$build/peers-bench"}
mkdir -p "$out"
out=$(cd "$out" && pwd)

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
log() { echo "[$(date -u +%H:%M:%S)] $*"; }

# ---------------------------------------------------------------------------------------------
# 1. Packages
# ---------------------------------------------------------------------------------------------
packages=(gdal-bin)  # ogr2ogr: loads the areas into PostGIS, lists the area codes for the comparison
run_tool postgis && packages+=(postgresql-15 postgresql-client-15 postgresql-15-postgis-3)
# python3-rtree: GeoPandas 0.12's spatial index when neither Shapely 2 nor PyGEOS is there (Debian 12)
run_tool geopandas && packages+=(python3-geopandas python3-rtree)
if [[ $install -eq 1 ]]; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    [[ $EUID -eq 0 ]] || die "packages missing (${missing[*]}); run as root to install them, or install them and pass --no-install"
    log "installing ${missing[*]}"
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      >"$out/apt-get.log" 2>&1 || { tail -n 20 "$out/apt-get.log" >&2; die "apt-get install failed (log: $out/apt-get.log)"; }
  else
    log "packages present: ${packages[*]}"
  fi
fi
pgbin=/usr/lib/postgresql/15/bin
if run_tool postgis; then
  [[ -x "$pgbin/initdb" && -x "$pgbin/pg_ctl" && -x "$pgbin/psql" ]] || die "PostgreSQL 15 is not installed in $pgbin (drop --no-install, or apt-get install postgresql-15)"
  [[ -f /usr/share/postgresql/15/extension/postgis.control ]] || die "PostGIS for PostgreSQL 15 is not installed (apt-get install postgresql-15-postgis-3)"
fi
command -v ogr2ogr >/dev/null || die "ogr2ogr not found (apt-get install gdal-bin)"
if run_tool geopandas; then
  "$python" -c 'import geopandas' 2>/dev/null || die "$python cannot import geopandas (apt-get install python3-geopandas, or set PYTHON)"
fi

# ---------------------------------------------------------------------------------------------
# 2. Data
# ---------------------------------------------------------------------------------------------
if [[ -z "$data" ]]; then
  data="$out/data"
  report="$data/generation_report.json"
  if [[ -f "$report" ]] && "$python" - "$report" "$premises" "$areas" "$seed" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))["options"]
sys.exit(0 if [o["premises"], o["areas"], o["seed"]] == [int(a) for a in sys.argv[2:]] else 1)
EOF
  then
    log "reusing $data (same options; notspot-generate is deterministic)"
  else
    generator="$build/tools/notspot-generate"
    [[ -x "$generator" ]] || die "no $generator; build it: cmake --build $build --target notspot-generate"
    rm -rf "$data"
    log "generating $premises premises, $areas areas (seed $seed) into $data"
    "$generator" national --out "$data" --premises "$premises" --areas "$areas" --rasters 0 --seed "$seed" \
      >"$out/generate.log" 2>&1 || { tail -n 20 "$out/generate.log" >&2; die "notspot-generate failed"; }
  fi
fi
data=$(cd "$data" 2>/dev/null && pwd) || die "no data folder '$data'"
areas_file="$data/areas.gpkg"
premises_file="$data/premises.csv"
[[ -f "$areas_file" && -f "$premises_file" ]] || die "$data must hold areas.gpkg and premises.csv (made by notspot-generate national)"
n_premises=$(($(wc -l <"$premises_file") - 1))
ogr2ogr -f CSV /vsistdout/ "$areas_file" -sql "SELECT code FROM areas ORDER BY code" >"$out/areas_codes.csv" \
  || die "cannot read the layer 'areas' with the column 'code' from $areas_file"
n_areas=$(($(wc -l <"$out/areas_codes.csv") - 1))
if [[ $allow_small -eq 0 ]] && ((n_premises < 1000000 || n_areas < 300)); then
  die "the data has $n_premises premises and $n_areas areas; the benchmark needs at least 1,000,000 and 300 (--allow-small to try it on less)"
fi
log "data: $data ($n_premises premises, $n_areas areas)"

# Fresh results (the data folder, when inside OUT, is kept).
rm -rf "$out/notspot" "$out/postgis" "$out/geopandas" "$out/results.json" "$out/results.csv" "$out/count_differences.csv"
echo "tool,run,load_s,index_s,join_s,total_s,load_average" >"$out/timings.csv"

# Freeze the binary: other people may rebuild build/ while this runs.
mkdir -p "$out/bin"
cp "$build/notspot" "$out/bin/notspot"
notspot="$out/bin/notspot"
notspot_version=$("$notspot" --version 2>&1 | head -n1)
git_rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'),"\
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); load average $(loadavg)"
load_before=$(loadavg)

# ---------------------------------------------------------------------------------------------
# 3. notspot
# ---------------------------------------------------------------------------------------------
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
mkdir -p "$out/notspot/logs"
cat >"$out/notspot/study.toml" <<EOF
# The minimal study for the peers benchmark: areas and premises only, no attribute layers.
[study]
name = "peers benchmark: $n_premises premises, $n_areas areas"
crs = "EPSG:27700"

[areas]
path = $(toml_string "$areas_file")
layer = "areas"
id = "code"

[premises]
path = $(toml_string "$premises_file")

[outputs]
dir = $(toml_string "$out/notspot/out")
EOF
thread_args=()
[[ -n "$threads" ]] && thread_args=(--threads "$threads")
log "notspot: $repeat run(s) of $notspot_version ${thread_args[*]} (load $(loadavg))"
for ((r = 1; r <= repeat; ++r)); do
  dir="$out/notspot/run-$r"
  status=0
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(now)
  "$notspot" run "$out/notspot/study.toml" --out "$dir" "${thread_args[@]}" \
    >"$out/notspot/logs/run-$r.stdout" 2>"$out/notspot/logs/run-$r.stderr" || status=$?
  t1=$(now)
  # Exit 3: a data-quality limit was exceeded; the outputs are written all the same.
  if [[ $status -ne 0 && $status -ne 3 ]]; then
    tail -n 20 "$out/notspot/logs/run-$r.stderr" >&2
    die "notspot run failed (exit $status)"
  fi
  # Phases from the manifest's stage timings; the total is the wall clock around the process.
  "$python" - "$dir/manifest.json" "$r" "$(elapsed "$t0" "$t1")" "$load" >>"$out/timings.csv" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))["run"]["timings_seconds"]
load = t["read_areas"] + t["read_premises"]
index = t["index_areas"]
join = t["assign_premises"] + t["count_indicators"]
print(f"notspot,{sys.argv[2]},{load:.3f},{index:.3f},{join:.3f},{sys.argv[3]},{sys.argv[4]}")
EOF
  echo "  run $r: $(elapsed "$t0" "$t1") s"
done

# ---------------------------------------------------------------------------------------------
# 4. PostGIS, on a private cluster
# ---------------------------------------------------------------------------------------------
pgroot=""
pg_started=0
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  if [[ $pg_started -eq 1 ]]; then
    if ! as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      # Interrupted while starting: stop the postmaster by the id it recorded, if any.
      local pid
      pid=$(head -n1 "$pgroot/data/postmaster.pid" 2>/dev/null || true)
      [[ "$pid" =~ ^[0-9]+$ ]] && kill -INT "$pid" 2>/dev/null && sleep 1 || true
    fi
  fi
  [[ -n "$pgroot" && -f "$pgroot/server.log" ]] && cp "$pgroot/server.log" "$out/pg-server.log" 2>/dev/null || true
  [[ -n "$pgroot" ]] && rm -rf "$pgroot"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if run_tool postgis; then
  # initdb refuses root: the cluster belongs to the postgres user (created by the Debian package).
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' user to run the cluster as (install postgresql-15)"
  fi
  pgroot=$(mktemp -d "$out/pg.XXXXXX")
  [[ $EUID -eq 0 ]] && chown postgres: "$pgroot"
  if ! as_pg test -w "$pgroot"; then
    # A parent folder of OUT is closed to the postgres user: use the system temporary folder.
    rm -rf "$pgroot"
    pgroot=$(mktemp -d "${TMPDIR:-/tmp}/notspot-peers-pg.XXXXXX")
    [[ $EUID -eq 0 ]] && chown postgres: "$pgroot"
  fi
  chmod 700 "$pgroot"
  as_pg mkdir "$pgroot/socket"
  as_pg "$pgbin/initdb" -D "$pgroot/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    >"$out/pg-initdb.log" 2>&1 || { cat "$out/pg-initdb.log" >&2; die "initdb failed"; }
  # Settings: what an analyst would set on a dedicated machine for a bulk-load-and-query job.
  # See benchmarks/README.md ("Against peers") for the reasons.
  as_pg tee -a "$pgroot/data/postgresql.conf" >/dev/null <<EOF

# --- notspot peers benchmark ---
listen_addresses = ''                 # no TCP: unix socket only, in a private folder
port = $port
unix_socket_directories = '$pgroot/socket'
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 1GB
effective_cache_size = 8GB
random_page_cost = 1.1                # the data is in the page cache
max_parallel_workers_per_gather = 2   # the machine has $(nproc) cores
max_parallel_maintenance_workers = 2
min_parallel_table_scan_size = 0      # the areas' heap is tiny (geometries are TOASTed), their work is not:
                                      # without this the planner never splits the join between workers
fsync = off                           # bulk load of throw-away data: no durability needed
synchronous_commit = off
full_page_writes = off
wal_level = minimal                   # COPY into a table created in the same transaction skips WAL
max_wal_senders = 0
max_wal_size = 8GB                    # no checkpoints in the middle of the load
checkpoint_timeout = 1h
autovacuum = off                      # ANALYZE is run explicitly; nothing runs behind the timings
jit = off                             # JIT compiles expressions, not PostGIS functions: only cost here
EOF
  pg_started=1  # before the start: an interrupt during pg_ctl start must still stop the server
  as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -l "$pgroot/server.log" -w -t 60 start >/dev/null \
    || { cat "$pgroot/server.log" >&2 || true; die "PostgreSQL did not start"; }
  export PGHOST="$pgroot/socket" PGPORT="$port" PGUSER=postgres PGOPTIONS="-c client_min_messages=warning"
  pg_conn="PG:host=$pgroot/socket port=$port user=postgres dbname=bench"
  psql_() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
  postgis_version=$(psql_ -d postgres -Atc "SELECT version()")

  mkdir -p "$out/postgis"
  log "PostGIS: $peer_repeat run(s) (load $(loadavg))"
  for ((r = 1; r <= peer_repeat; ++r)); do
    dir="$out/postgis/run-$r"
    mkdir -p "$dir"
    # Not timed: a fresh database with PostGIS, as an analyst's database would already be.
    psql_ -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench"
    psql_ -d bench -c "CREATE EXTENSION postgis"
    [[ $r -eq 1 ]] && postgis_version="$postgis_version; PostGIS $(psql_ -d bench -Atc 'SELECT postgis_full_version()')"

    load=$(cut -d' ' -f1 /proc/loadavg)
    t0=$(now)
    ogr2ogr -f PostgreSQL "$pg_conn" "$areas_file" areas -nln areas -nlt PROMOTE_TO_MULTI \
      -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE -lco FID=fid \
      >"$dir/ogr2ogr.log" 2>&1 || { cat "$dir/ogr2ogr.log" >&2; die "ogr2ogr could not load $areas_file into PostGIS"; }
    psql_ -d bench -1 -f "$here/postgis_load.sql" <"$premises_file" >"$dir/load.log" 2>&1 \
      || { cat "$dir/load.log" >&2; die "loading the premises into PostGIS failed"; }
    t1=$(now)
    psql_ -d bench -f "$here/postgis_index.sql" >"$dir/index.log" 2>&1 \
      || { cat "$dir/index.log" >&2; die "indexing in PostGIS failed"; }
    t2=$(now)
    psql_ -d bench --csv -f "$here/postgis_join.sql" >"$dir/counts.csv" 2>"$dir/join.log" \
      || { cat "$dir/join.log" >&2; die "the PostGIS join failed"; }
    t3=$(now)
    echo "postgis,$r,$(elapsed "$t0" "$t1"),$(elapsed "$t1" "$t2"),$(elapsed "$t2" "$t3"),$(elapsed "$t0" "$t3"),$load" >>"$out/timings.csv"
    echo "  run $r: $(elapsed "$t0" "$t3") s (load $(elapsed "$t0" "$t1"), index $(elapsed "$t1" "$t2"), join $(elapsed "$t2" "$t3"))"
  done
  # Not timed: the plan the join used, and the premises lying exactly on a boundary.
  { echo "-- EXPLAIN of postgis_join.sql"; psql_ -d bench -At -c "EXPLAIN $(grep -v '^--' "$here/postgis_join.sql" | tr -d ';')"; } >"$out/postgis/plan.txt"
  psql_ -d bench --csv -f "$here/postgis_boundary.sql" >"$out/postgis/boundary.csv"
  psql_ -d bench -Atc "SELECT count(*) FROM areas WHERE NOT ST_IsValid(geom)" >"$out/postgis/invalid_after_repair.txt" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$pgroot/data" -m fast -w stop >/dev/null
  pg_started=0
fi

# ---------------------------------------------------------------------------------------------
# 5. GeoPandas
# ---------------------------------------------------------------------------------------------
if run_tool geopandas; then
  mkdir -p "$out/geopandas"
  log "GeoPandas: $peer_repeat run(s) (load $(loadavg))"
  for ((r = 1; r <= peer_repeat; ++r)); do
    dir="$out/geopandas/run-$r"
    mkdir -p "$dir"
    load=$(cut -d' ' -f1 /proc/loadavg)
    "$python" "$here/geopandas_join.py" "$areas_file" areas code "$premises_file" \
      "$dir/counts.csv" "$dir/timings.json" >"$dir/log.txt" 2>&1 \
      || { tail -n 20 "$dir/log.txt" >&2; die "the GeoPandas run failed"; }
    "$python" - "$dir/timings.json" "$r" "$load" >>"$out/timings.csv" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
print(f"geopandas,{sys.argv[2]},{t['load_s']:.3f},{t['index_s']:.3f},{t['join_s']:.3f},{t['total_s']:.3f},{sys.argv[3]}")
EOF
    echo "  run $r: $(tail -n1 "$out/timings.csv" | cut -d, -f6) s"
  done
  geopandas_versions=$("$python" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["versions"]))' "$out/geopandas/run-1/timings.json")
fi

# ---------------------------------------------------------------------------------------------
# 6. Compare and tabulate
# ---------------------------------------------------------------------------------------------
echo
"$python" "$here/compare.py" "$out" \
  "command=$command_line" \
  "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  "machine=$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)" \
  "load_average_before=$load_before" "load_average_after=$(loadavg)" \
  "data=$data" "premises=$n_premises" "areas=$n_areas" \
  "notspot=$notspot_version (git $git_rev)" "notspot_threads=${threads:-all ($(nproc))}" \
  "postgresql=${postgis_version:-not run}" "geopandas=${geopandas_versions:-not run}" \
  "repeat_notspot=$repeat" "repeat_peers=$peer_repeat" \
  && status=0 || status=$?
echo
echo "load average: $load_before before, $(loadavg) after"
echo "results: $out/results.json, $out/results.csv, $out/count_differences.csv"
exit "$status"
