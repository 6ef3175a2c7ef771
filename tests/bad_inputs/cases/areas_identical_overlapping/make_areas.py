#!/usr/bin/env python3
"""Writes parishes.geojson: 500 identical 1 km squares (S000..S499) and 500 squares of 1 km
each shifted 1 m east of the previous one (T000..T499, west edges at x = 402000 + i), so that
edges coincide or run along the same line. Before issue 12 the area index needed gigabytes for
a dozen such squares."""
features = []
def square(code, x0, y0):
    ring = [[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]
    features.append('{"type": "Feature", "properties": {"code": "%s", "label": "%s"}, '
                    '"geometry": {"type": "Polygon", "coordinates": [%s]}}'
                    % (code, code, str(ring).replace(" ", "")))
for i in range(500):
    square("S%03d" % i, 400000, 100000)
for i in range(500):
    square("T%03d" % i, 402000 + i, 100000)
with open("parishes.geojson", "w") as f:
    f.write('{"type":"FeatureCollection","name":"parishes","crs":{"type":"name","properties":'
            '{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[\n')
    f.write(",\n".join(features))
    f.write("\n]}\n")
