-- Load phase, part 2 (part 1 is ogr2ogr loading areas.gpkg into the table "areas").
-- Run as one transaction (psql -1) with premises.csv on psql's standard input:
--   psql -1 -v ON_ERROR_STOP=1 -f postgis_load.sql < premises.csv
-- The premises table is created in the same transaction as the COPY, so with wal_level =
-- minimal PostgreSQL skips WAL for the copied rows (the standard bulk-load path). The point
-- geometry is a stored generated column, computed during the COPY: one pass over the data, no
-- second table or UPDATE.
CREATE TABLE premises (
  uprn        bigint,
  x           double precision,
  y           double precision,
  latitude    double precision,
  longitude   double precision,
  geom        geometry(Point, 27700)
              GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 27700)) STORED
);
-- premises.csv is in the OS Open UPRN layout: UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE
\copy premises (uprn, x, y, latitude, longitude) FROM pstdin WITH (FORMAT csv, HEADER true)

-- Repair the invalid areas as notspot and GeoPandas do (GEOS make-valid, "linework" method),
-- keeping only the polygonal parts.
UPDATE areas
   SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3))
 WHERE NOT ST_IsValid(geom);
