#pragma once

// Registers engine's geometry types with Boost.Geometry, so that engine sources can call its
// algorithms (area, envelope, simplify, the rtree) on them directly. Private to engine: the
// public headers stay free of Boost, and only engine's .cpp files include this one.

#include <boost/geometry/core/closure.hpp>
#include <boost/geometry/core/exterior_ring.hpp>
#include <boost/geometry/core/interior_rings.hpp>
#include <boost/geometry/core/interior_type.hpp>
#include <boost/geometry/core/point_order.hpp>
#include <boost/geometry/core/ring_type.hpp>
#include <boost/geometry/core/tags.hpp>
#include <boost/geometry/geometries/register/box.hpp>
#include <boost/geometry/geometries/register/multi_polygon.hpp>
#include <boost/geometry/geometries/register/point.hpp>
#include <boost/geometry/geometries/register/ring.hpp>
#include <boost/geometry/strategies/strategies.hpp>  // the default (cartesian) strategies
#include <vector>

#include "notspot/engine/geometry.hpp"

BOOST_GEOMETRY_REGISTER_POINT_2D(notspot::engine::Point, double, boost::geometry::cs::cartesian, x,
                                 y)
BOOST_GEOMETRY_REGISTER_BOX_2D_4VALUES(notspot::engine::Box, notspot::engine::Point, xmin, ymin,
                                       xmax, ymax)
BOOST_GEOMETRY_REGISTER_RING(notspot::engine::Ring)
BOOST_GEOMETRY_REGISTER_MULTI_POLYGON(notspot::engine::MultiPolygon)

namespace boost::geometry::traits {

// Engine rings do not repeat their closing vertex (geometry.hpp).
template <>
struct closure<notspot::engine::Ring> {
  static const closure_selector value = open;
};

// Counter-clockwise, so that area(ring) has the sign of engine's signed_area. Engine rings may
// have either orientation; callers that need an unsigned area take the absolute value per ring.
template <>
struct point_order<notspot::engine::Ring> {
  static const order_selector value = counterclockwise;
};

template <>
struct tag<notspot::engine::Polygon> {
  using type = polygon_tag;
};
template <>
struct ring_const_type<notspot::engine::Polygon> {
  using type = const notspot::engine::Ring&;
};
template <>
struct ring_mutable_type<notspot::engine::Polygon> {
  using type = notspot::engine::Ring&;
};
template <>
struct interior_const_type<notspot::engine::Polygon> {
  using type = const std::vector<notspot::engine::Ring>&;
};
template <>
struct interior_mutable_type<notspot::engine::Polygon> {
  using type = std::vector<notspot::engine::Ring>&;
};
template <>
struct exterior_ring<notspot::engine::Polygon> {
  static notspot::engine::Ring& get(notspot::engine::Polygon& p) { return p.exterior; }
  static const notspot::engine::Ring& get(const notspot::engine::Polygon& p) { return p.exterior; }
};
template <>
struct interior_rings<notspot::engine::Polygon> {
  static std::vector<notspot::engine::Ring>& get(notspot::engine::Polygon& p) { return p.holes; }
  static const std::vector<notspot::engine::Ring>& get(const notspot::engine::Polygon& p) {
    return p.holes;
  }
};

}  // namespace boost::geometry::traits
