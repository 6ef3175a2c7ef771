-- Diagnostic, not timed: premises lying exactly on an area's boundary (covered, not contained),
-- per area. These are the only premises where the three tools may legitimately disagree:
-- PostGIS ST_Covers counts them in every area whose boundary they touch, GeoPandas "within"
-- in none, notspot in exactly one (east-then-north rule).
SELECT a.code, count(*) AS on_boundary
  FROM areas a
  JOIN premises p ON ST_Covers(a.geom, p.geom) AND NOT ST_Contains(a.geom, p.geom)
 GROUP BY a.code
 ORDER BY a.code;
