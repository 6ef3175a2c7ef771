-- Index phase: GiST indexes on both geometry columns (PostgreSQL 15 builds the point index by
-- sorting, PostGIS 3 providing the sort support), then fresh statistics for the planner.
CREATE INDEX premises_geom_idx ON premises USING gist (geom);
CREATE INDEX areas_geom_idx ON areas USING gist (geom);
ANALYZE premises;
ANALYZE areas;
