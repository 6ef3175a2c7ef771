#!/usr/bin/env python3
"""Per-area premises counts with GeoPandas, timed phase by phase (one run).

    geopandas_join.py AREAS.gpkg LAYER ID_FIELD PREMISES.csv COUNTS_OUT.csv TIMINGS_OUT.json

Does what an analyst would write: read the areas with geopandas.read_file, repair the invalid
ones with make_valid (GEOS make-valid, as notspot and ST_MakeValid do), read the premises'
coordinates with pandas.read_csv and make points with geopandas.points_from_xy, build the
spatial index, then geopandas.sjoin(points, areas, predicate="within") and a groupby count.

Writes COUNTS_OUT.csv (code,count; only areas with at least one premise, as a GROUP BY gives)
and TIMINGS_OUT.json (seconds per phase, total, library versions). The total is wall-clock
time from the first file read to the counts in memory; interpreter start-up and imports are
measured separately ("startup_s") and are not part of the total.
"""
import sys
import time

_t_process = time.perf_counter()

import json  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore")  # geopandas 0.12 warns about Shapely 2.0 and PyGEOS

import geopandas  # noqa: E402
import pandas  # noqa: E402
import shapely  # noqa: E402
import shapely.ops  # noqa: E402


def versions():
    out = {"geopandas": geopandas.__version__, "pandas": pandas.__version__,
           "shapely": shapely.__version__}
    try:
        out["geos"] = ".".join(str(v) for v in shapely.geos.geos_version)
    except AttributeError:
        out["geos"] = getattr(shapely, "geos_version_string", "unknown")
    try:
        import pyogrio  # noqa: F401
        out["io_engine"] = "pyogrio " + pyogrio.__version__
    except ImportError:
        import fiona
        out["io_engine"] = "fiona " + fiona.__version__
    try:
        out["sindex_backend"] = "shapely/pygeos STRtree" if (
            geopandas._compat.USE_SHAPELY_20 or geopandas._compat.USE_PYGEOS) else "rtree"
    except AttributeError:
        out["sindex_backend"] = "unknown"
    return out


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    areas_path, layer, id_field, premises_path, counts_out, timings_out = argv[1:]
    startup = time.perf_counter() - _t_process

    t0 = time.perf_counter()
    # --- load: areas (with repair) and premises as a GeoDataFrame of points
    areas = geopandas.read_file(areas_path, layer=layer)[[id_field, "geometry"]]
    invalid = ~areas.geometry.is_valid
    repaired = int(invalid.sum())
    if repaired:
        # make_valid can return a GeometryCollection with stray lines; keep the polygons only,
        # as ST_CollectionExtract(..., 3) does in PostGIS.
        fixed = areas.geometry[invalid].make_valid()
        fixed = fixed.apply(
            lambda g: g if g.geom_type in ("Polygon", "MultiPolygon")
            else shapely.ops.unary_union([p for p in getattr(g, "geoms", [g])
                                          if p.geom_type in ("Polygon", "MultiPolygon")]))
        areas.loc[invalid, "geometry"] = fixed
    frame = pandas.read_csv(premises_path, usecols=["X_COORDINATE", "Y_COORDINATE"],
                            dtype="float64", encoding="utf-8-sig")
    points = geopandas.GeoDataFrame(
        geometry=geopandas.points_from_xy(frame["X_COORDINATE"], frame["Y_COORDINATE"]),
        crs=areas.crs)
    del frame
    t1 = time.perf_counter()

    # --- index: the spatial index that sjoin(predicate="within") queries. GeoPandas < 1.0
    # (0.12 is Debian 12's) implements "within" as the inverse "contains" and indexes the left
    # frame (the points); 1.x indexes the right frame (the areas). Building it here (it is cached
    # on the frame) only moves its cost out of the join phase.
    major = int(geopandas.__version__.split(".")[0])
    sindex = points.sindex if major < 1 else areas.sindex
    if hasattr(sindex, "size"):
        sindex.size  # noqa: B018  (forces lazy STRtree builds)
    t2 = time.perf_counter()

    # --- join + aggregate
    joined = geopandas.sjoin(points, areas, how="inner", predicate="within")
    counts = joined.groupby(id_field).size()
    t3 = time.perf_counter()

    counts.rename("count").rename_axis("code").to_csv(counts_out, header=True)
    result = {
        "tool": "geopandas",
        "load_s": t1 - t0,
        "index_s": t2 - t1,
        "join_s": t3 - t2,
        "total_s": t3 - t0,
        "startup_s": startup,
        "areas": len(areas),
        "areas_repaired": repaired,
        "premises": len(points),
        "assigned": int(len(joined)),
        "versions": versions(),
    }
    with open(timings_out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
