#include "notspot/io/crs.hpp"

#include <proj.h>

#include <cmath>
#include <string_view>

#include <fmt/format.h>

#include "notspot/engine/error.hpp"

namespace notspot::io {
namespace {

struct ContextDeleter {
  void operator()(PJ_CONTEXT* c) const noexcept { proj_context_destroy(c); }
};
struct PjDeleter {
  void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using ContextPtr = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

ContextPtr new_context() {
  ContextPtr ctx(proj_context_create());
  proj_log_level(ctx.get(), PJ_LOG_NONE);
  return ctx;
}

std::string last_error(PJ_CONTEXT* ctx) {
  const int code = proj_context_errno(ctx);
  if (code == 0) return "unknown reason";
  const char* text = proj_context_errno_string(ctx, code);
  return text ? text : "unknown reason";
}

bool is_geographic_type(PJ_TYPE type) {
  return type == PJ_TYPE_GEOGRAPHIC_2D_CRS || type == PJ_TYPE_GEOGRAPHIC_3D_CRS ||
         type == PJ_TYPE_GEOGRAPHIC_CRS;
}

// The CRS that carries the coordinates: a BoundCRS (CRS + datum shift) wraps its source, and
// a compound CRS (horizontal + vertical) starts with the horizontal one.
PjPtr horizontal_crs(PJ_CONTEXT* ctx, PJ* crs) {
  const PJ_TYPE type = proj_get_type(crs);
  if (type == PJ_TYPE_BOUND_CRS) return PjPtr(proj_get_source_crs(ctx, crs));
  if (type == PJ_TYPE_COMPOUND_CRS) return PjPtr(proj_crs_get_sub_crs(ctx, crs, 0));
  return PjPtr(proj_clone(ctx, crs));
}

}  // namespace

// Fills a Crs from a PROJ object; a friend of Crs so that the header needs no PROJ types.
struct CrsBuilder {
  static Crs build(const std::string& definition, PJ_CONTEXT* ctx, PJ* crs) {
    Crs out;
    out.definition_ = definition;
    const char* wkt = proj_as_wkt(ctx, crs, PJ_WKT2_2019, nullptr);
    out.wkt_ = wkt ? wkt : definition;
    const char* name = proj_get_name(crs);
    out.name_ = name ? name : "unnamed CRS";
    const char* auth = proj_get_id_auth_name(crs, 0);
    const char* code = proj_get_id_code(crs, 0);
    if (auth && code) {
      out.authority_code_ = std::string(auth) + ":" + code;
    } else {
      int* confidence = nullptr;
      PJ_OBJ_LIST* matches = proj_identify(ctx, crs, "EPSG", nullptr, &confidence);
      if (matches != nullptr) {
        if (proj_list_get_count(matches) > 0 && confidence[0] >= 100) {
          PjPtr match(proj_list_get(ctx, matches, 0));
          const char* mcode = proj_get_id_code(match.get(), 0);
          if (mcode) out.authority_code_ = std::string("EPSG:") + mcode;
        }
        proj_int_list_destroy(confidence);
        proj_list_destroy(matches);
      }
    }
    PjPtr horizontal = horizontal_crs(ctx, crs);
    out.geographic_ = horizontal && is_geographic_type(proj_get_type(horizontal.get()));

    double west = 0, south = 0, east = 0, north = 0;
    if (proj_get_area_of_use(ctx, crs, &west, &south, &east, &north, nullptr) && west > -1000 &&
        west < east) {
      if (out.geographic_) {
        out.bounds_ = engine::Box{west, south, east, north};
      } else {
        // The area of use (degrees) through the CRS's own projection, from its base
        // geographic CRS: the datum shift from WGS84 (metres) does not matter for a bounds
        // check, and searching the database for it (proj_create_crs_to_crs) took 25 ms per
        // CRS, a tenth of a small study's run.
        PjPtr op(horizontal ? proj_crs_get_coordoperation(ctx, horizontal.get()) : nullptr);
        PjPtr norm(op ? proj_normalize_for_visualization(ctx, op.get()) : nullptr);
        engine::Box b;
        if (norm &&
            proj_trans_bounds(ctx, norm.get(), PJ_FWD, west, south, east, north, &b.xmin, &b.ymin,
                              &b.xmax, &b.ymax, 21) &&
            std::isfinite(b.xmin) && std::isfinite(b.xmax)) {
          out.bounds_ = b;
        }
      }
    }
    return out;
  }
};

namespace {

// PROJ's error number for an unknown code reads "Unknown error (code 4096)"; what went wrong
// ("crs not found: EPSG:99999") only reaches its log, so errors are kept from there.
struct ProjErrorLog {
  explicit ProjErrorLog(PJ_CONTEXT* ctx) : ctx_(ctx) {
    proj_log_level(ctx, PJ_LOG_ERROR);
    proj_log_func(ctx, this, [](void* self, int level, const char* message) {
      if (level == PJ_LOG_ERROR && message != nullptr) {
        static_cast<ProjErrorLog*>(self)->last_ = message;
      }
    });
  }
  ~ProjErrorLog() {
    proj_log_level(ctx_, PJ_LOG_NONE);
    proj_log_func(ctx_, nullptr, nullptr);
  }
  ProjErrorLog(const ProjErrorLog&) = delete;
  ProjErrorLog& operator=(const ProjErrorLog&) = delete;

  std::string reason() const { return last_.empty() ? last_error(ctx_) : last_; }

 private:
  PJ_CONTEXT* ctx_;
  std::string last_;
};

}  // namespace

Crs Crs::from_definition(const std::string& definition, const std::string& context) {
  ContextPtr ctx = new_context();
  ProjErrorLog errors(ctx.get());
  PjPtr crs(definition.empty() ? nullptr : proj_create(ctx.get(), definition.c_str()));
  if (!crs || !proj_is_crs(crs.get())) {
    throw engine::study_error(context + ": '" + definition +
                              "' is not a coordinate reference system PROJ knows (" +
                              errors.reason() +
                              "); use an authority code such as EPSG:27700 (British National "
                              "Grid) or EPSG:4326 (WGS84 longitude/latitude)");
  }
  return CrsBuilder::build(definition, ctx.get(), crs.get());
}

Crs Crs::from_wkt(const std::string& wkt, const std::string& context) {
  ContextPtr ctx = new_context();
  ProjErrorLog errors(ctx.get());
  PjPtr crs(proj_create(ctx.get(), wkt.c_str()));
  if (!crs || !proj_is_crs(crs.get())) {
    throw engine::input_error(context + ": the file's CRS cannot be read by PROJ (" +
                              errors.reason() + "); declare it with crs = \"EPSG:...\"");
  }
  Crs out = CrsBuilder::build(wkt, ctx.get(), crs.get());
  if (!out.authority_code().empty()) out.definition_ = out.authority_code();
  return out;
}

std::string Crs::describe() const {
  if (authority_code_.empty()) return name_;
  return authority_code_ + " (" + name_ + ")";
}

bool Crs::equivalent_to(const Crs& other) const {
  if (wkt_ == other.wkt_) return true;
  ContextPtr ctx = new_context();
  PjPtr a(proj_create(ctx.get(), wkt_.c_str()));
  PjPtr b(proj_create(ctx.get(), other.wkt_.c_str()));
  return a && b &&
         proj_is_equivalent_to_with_ctx(ctx.get(), a.get(), b.get(),
                                        PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS);
}

struct CoordinateTransform::Impl {
  ContextPtr ctx;
  PjPtr op;
  bool identity = false;
  std::string description;
};

CoordinateTransform::CoordinateTransform(const Crs& from, const Crs& to)
    : impl_(std::make_unique<Impl>()) {
  if (from.equivalent_to(to)) {
    impl_->identity = true;
    impl_->description = "none (same CRS)";
    return;
  }
  impl_->ctx = new_context();
  PJ_CONTEXT* ctx = impl_->ctx.get();
  PjPtr source(proj_create(ctx, from.wkt().c_str()));
  PjPtr target(proj_create(ctx, to.wkt().c_str()));
  PjPtr op(source && target
               ? proj_create_crs_to_crs_from_pj(ctx, source.get(), target.get(), nullptr, nullptr)
               : nullptr);
  if (!op) {
    throw engine::input_error("PROJ finds no transformation from " + from.describe() + " to " +
                              to.describe() + " (" + last_error(ctx) + ")");
  }
  impl_->op.reset(proj_normalize_for_visualization(ctx, op.get()));
  if (!impl_->op) {
    throw engine::input_error("PROJ cannot normalise the transformation from " + from.describe() +
                              " to " + to.describe());
  }
  const PJ_PROJ_INFO info = proj_pj_info(impl_->op.get());
  impl_->description = info.description ? info.description : "PROJ transformation";
}

CoordinateTransform::~CoordinateTransform() = default;
CoordinateTransform::CoordinateTransform(CoordinateTransform&&) noexcept = default;
CoordinateTransform& CoordinateTransform::operator=(CoordinateTransform&&) noexcept = default;

bool CoordinateTransform::is_identity() const {
  return impl_->identity;
}

void CoordinateTransform::transform(std::span<double> x, std::span<double> y) const {
  if (impl_->identity || x.empty()) return;
  proj_errno_reset(impl_->op.get());
  proj_trans_generic(impl_->op.get(), PJ_FWD, x.data(), sizeof(double), x.size(), y.data(),
                     sizeof(double), y.size(), nullptr, 0, 0, nullptr, 0, 0);
}

std::string CoordinateTransform::description() const {
  return impl_->description;
}

namespace {

std::optional<double> accuracy_of(PJ_CONTEXT* ctx, PJ* op) {
  const double a = proj_coordoperation_get_accuracy(ctx, op);
  if (!(a >= 0) || !std::isfinite(a)) return std::nullopt;
  return a;
}

// The operation's name without the axis swaps that proj_normalize_for_visualization adds: they
// are how notspot keeps x = east, not part of the datum operation a user would look up.
std::string operation_name(PJ* op) {
  const char* raw = proj_get_name(op);
  std::string name = raw ? raw : "unnamed PROJ operation";
  static constexpr std::string_view kAxisSwap = "axis order change (2D)";
  const std::string prefix = std::string(kAxisSwap) + " + ";
  const std::string suffix = " + " + std::string(kAxisSwap);
  if (name.starts_with(prefix)) name.erase(0, prefix.size());
  if (name.size() > suffix.size() && name.ends_with(suffix)) name.erase(name.size() - suffix.size());
  return name;
}

// Longitude and latitude (degrees) of a point given in `crs`, through the CRS's own projection
// (no datum shift: a hundred metres do not matter for choosing among operations by area).
std::optional<engine::Point> to_lon_lat(PJ_CONTEXT* ctx, PJ* crs, engine::Point p) {
  PjPtr horizontal = horizontal_crs(ctx, crs);
  if (!horizontal) return std::nullopt;
  if (is_geographic_type(proj_get_type(horizontal.get()))) return p;
  PjPtr conversion(proj_crs_get_coordoperation(ctx, horizontal.get()));
  PjPtr norm(conversion ? proj_normalize_for_visualization(ctx, conversion.get()) : nullptr);
  if (!norm) return std::nullopt;
  const PJ_COORD c = proj_trans(norm.get(), PJ_INV, proj_coord(p.x, p.y, 0, 0));
  if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) return std::nullopt;
  return engine::Point{c.xy.x, c.xy.y};
}

}  // namespace

std::string TransformationChoice::describe() const {
  if (!accuracy_m) return operation + " (accuracy unknown)";
  return fmt::format("{} (accuracy {:g} m)", operation, *accuracy_m);
}

TransformationChoice choose_transformation(const Crs& from, const Crs& to,
                                           std::optional<engine::Point> near) {
  TransformationChoice choice;
  if (from.equivalent_to(to)) {
    choice.operation = "none (same CRS)";
    choice.identity = true;
    return choice;
  }
  ContextPtr owner = new_context();
  PJ_CONTEXT* ctx = owner.get();
  PjPtr source(proj_create(ctx, from.wkt().c_str()));
  PjPtr target(proj_create(ctx, to.wkt().c_str()));
  PjPtr raw(source && target
                ? proj_create_crs_to_crs_from_pj(ctx, source.get(), target.get(), nullptr, nullptr)
                : nullptr);
  PjPtr op(raw ? proj_normalize_for_visualization(ctx, raw.get()) : nullptr);
  if (!op) {
    throw engine::input_error("PROJ finds no transformation from " + from.describe() + " to " +
                              to.describe() + " (" + last_error(ctx) + ")");
  }
  if (!near && to.bounds()) {
    const engine::Box& b = *to.bounds();
    near = engine::Point{(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2};
  }
  // What PROJ uses there: back to the source CRS, then forward as a run transforms it.
  std::optional<engine::Point> at_source;
  if (near) {
    const PJ_COORD back = proj_trans(op.get(), PJ_INV, proj_coord(near->x, near->y, 0, 0));
    if (std::isfinite(back.xy.x) && std::isfinite(back.xy.y)) {
      at_source = engine::Point{back.xy.x, back.xy.y};
      proj_trans(op.get(), PJ_FWD, back);
    }
  }
  PjPtr used(at_source ? proj_trans_get_last_used_operation(op.get()) : nullptr);
  if (used) {
    choice.operation = operation_name(used.get());
    choice.accuracy_m = accuracy_of(ctx, used.get());
  } else {
    const PJ_PROJ_INFO info = proj_pj_info(op.get());
    choice.operation = info.description ? info.description : "PROJ transformation";
    const std::string prefix = "axis order change (2D) + ";
    if (choice.operation.starts_with(prefix)) choice.operation.erase(0, prefix.size());
    if (proj_get_type(op.get()) != PJ_TYPE_UNKNOWN) choice.accuracy_m = accuracy_of(ctx, op.get());
  }

  // Every operation PROJ knows for that place, installed grids or not, most relevant first.
  PJ_OPERATION_FACTORY_CONTEXT* factory = proj_create_operation_factory_context(ctx, nullptr);
  if (factory == nullptr) return choice;
  proj_operation_factory_context_set_grid_availability_use(ctx, factory,
                                                           PROJ_GRID_AVAILABILITY_IGNORED);
  proj_operation_factory_context_set_spatial_criterion(
      ctx, factory, PROJ_SPATIAL_CRITERION_PARTIAL_INTERSECTION);
  std::optional<engine::Point> lon_lat =
      at_source ? to_lon_lat(ctx, source.get(), *at_source) : std::nullopt;
  if (lon_lat) {
    constexpr double kEps = 1e-6;
    proj_operation_factory_context_set_area_of_interest(ctx, factory, lon_lat->x - kEps,
                                                        lon_lat->y - kEps, lon_lat->x + kEps,
                                                        lon_lat->y + kEps);
  }
  PJ_OBJ_LIST* candidates = proj_create_operations(ctx, source.get(), target.get(), factory);
  proj_operation_factory_context_destroy(factory);
  if (candidates == nullptr) return choice;
  const int count = proj_list_get_count(candidates);
  for (int i = 0; i < count; ++i) {
    PjPtr candidate(proj_list_get(ctx, candidates, i));
    if (!candidate) continue;
    const std::optional<double> accuracy = accuracy_of(ctx, candidate.get());
    if (!accuracy) continue;
    const bool better = !choice.accuracy_m || *accuracy < *choice.accuracy_m;
    const bool better_than_found = !choice.best_accuracy_m || *accuracy < *choice.best_accuracy_m;
    if (!better || !better_than_found) continue;
    if (proj_coordoperation_is_instantiable(ctx, candidate.get())) continue;
    std::vector<std::string> missing;
    const int grids = proj_coordoperation_get_grid_used_count(ctx, candidate.get());
    for (int g = 0; g < grids; ++g) {
      const char* short_name = nullptr;
      int available = 0;
      if (proj_coordoperation_get_grid_used(ctx, candidate.get(), g, &short_name, nullptr, nullptr,
                                            nullptr, nullptr, nullptr, &available) &&
          !available && short_name != nullptr) {
        missing.emplace_back(short_name);
      }
    }
    choice.best_operation = operation_name(candidate.get());
    choice.best_accuracy_m = accuracy;
    choice.missing_grids = std::move(missing);
  }
  proj_list_destroy(candidates);
  return choice;
}

std::string proj_search_path() {
  const PJ_INFO info = proj_info();
  return info.searchpath ? info.searchpath : "";
}

engine::PointTransformFactory transform_factory(const Crs& from, const Crs& to) {
  return [from, to]() -> std::unique_ptr<engine::PointTransform> {
    return std::make_unique<CoordinateTransform>(from, to);
  };
}

}  // namespace notspot::io
