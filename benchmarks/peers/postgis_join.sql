-- Join + aggregate phase: premises per area. ST_Covers counts a premise on an area's boundary
-- (notspot gives such a premise to exactly one area; see README.md). Areas without premises
-- are absent from the result, as from any inner join; the comparison counts them as 0.
SELECT a.code, count(*) AS count
  FROM areas a
  JOIN premises p ON ST_Covers(a.geom, p.geom)
 GROUP BY a.code
 ORDER BY a.code;
