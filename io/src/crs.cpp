#include "notspot/io/crs.hpp"

#include <fmt/format.h>
#include <proj.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <sstream>
#include <string_view>

#include "notspot/engine/error.hpp"
#include "notspot/engine/pipeline_transform.hpp"

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

namespace {

// ---- PROJ pipelines evaluated by engine::PipelineTransform ---------------------------------

using Params = std::map<std::string, std::string>;

std::optional<double> number(const Params& p, const std::string& key) {
  const auto it = p.find(key);
  if (it == p.end()) return std::nullopt;
  const char* begin = it->second.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

// The ellipsoid of a step (ellps=, or a= with rf=, b=, es= or f=), as PROJ reads it; consumes
// the keys it uses from `p`. Empty when absent or not understood (spheres included).
std::optional<engine::Ellipsoid> ellipsoid_of(Params& p) {
  std::optional<double> a, rf, b, es, f;
  if (const auto it = p.find("ellps"); it != p.end()) {
    if (p.count("a") || p.count("rf") || p.count("b") || p.count("es") || p.count("f")) {
      return std::nullopt;
    }
    for (const PJ_ELLPS* e = proj_list_ellps(); e != nullptr && e->id != nullptr; ++e) {
      if (it->second != e->id) continue;
      Params def;
      for (const char* kv : {e->major, e->ell}) {
        const std::string text = kv;
        const auto eq = text.find('=');
        if (eq != std::string::npos) def[text.substr(0, eq)] = text.substr(eq + 1);
      }
      a = number(def, "a");
      rf = number(def, "rf");
      b = number(def, "b");
      break;
    }
    p.erase("ellps");
  } else {
    a = number(p, "a");
    rf = number(p, "rf");
    b = number(p, "b");
    es = number(p, "es");
    f = number(p, "f");
    for (const char* k : {"a", "rf", "b", "es", "f"}) p.erase(k);
  }
  if (!a || *a <= 0) return std::nullopt;
  engine::Ellipsoid e;
  e.a = *a;
  if (rf && *rf > 1) {
    const double fl = 1 / *rf;
    e.es = 2 * fl - fl * fl;
  } else if (f && *f > 0 && *f < 1) {
    e.es = 2 * *f - *f * *f;
  } else if (b && *b > 0 && *b < *a) {
    e.es = (*a * *a - *b * *b) / (*a * *a);
  } else if (es && *es > 0 && *es < 1) {
    e.es = *es;
  } else {
    return std::nullopt;
  }
  return e;
}

constexpr double kDegree = 0.017453292519943296;  // PROJ's DEG_TO_RAD

// Appends the steps that one PROJ step stands for; false when it is not one PipelineTransform
// evaluates exactly as PROJ does (then PROJ keeps the whole transformation).
bool append_step(Params p, std::vector<engine::PipelineStep>& out) {
  using K = engine::PipelineStep::Kind;
  const std::string name = p.count("proj") ? p["proj"] : "";
  p.erase("proj");
  const bool inv = p.erase("inv") > 0;
  engine::PipelineStep s;
  if (name == "axisswap") {
    const std::string order = p.count("order") ? p["order"] : "";
    p.erase("order");
    if (!p.empty()) return false;
    if (order == "1,2") return true;
    if (order != "2,1") return false;
    s.kind = K::kSwapXY;
  } else if (name == "unitconvert") {
    auto factor_of = [](const std::string& unit) -> std::optional<std::pair<double, bool>> {
      if (unit == "deg") return std::pair{kDegree, true};
      if (unit == "rad") return std::pair{1.0, true};
      if (unit == "m") return std::pair{1.0, false};
      return std::nullopt;
    };
    for (const char* k : {"z_in", "z_out"}) {
      if (p.count(k) && p[k] != "m") return false;
      p.erase(k);
    }
    const std::string in = p.count("xy_in") ? p["xy_in"] : "";
    const std::string to = p.count("xy_out") ? p["xy_out"] : "";
    p.erase("xy_in");
    p.erase("xy_out");
    if (!p.empty()) return false;
    if (in.empty() && to.empty()) return true;
    const auto fi = factor_of(in), fo = factor_of(to);
    if (!fi || !fo || fi->second != fo->second) return false;
    s.kind = K::kScaleXY;
    s.factor = inv ? fo->first / fi->first : fi->first / fo->first;
    if (s.factor == 1) return true;
  } else if (name == "push" || name == "pop") {
    if (p.erase("v_3") == 0 || !p.empty()) return false;
    s.kind = (name == "push") != inv ? K::kPushZ : K::kPopZ;
  } else if (name == "cart") {
    const auto e = ellipsoid_of(p);
    if (!e || !p.empty()) return false;
    s.kind = inv ? K::kCartesianToGeodetic : K::kGeodeticToCartesian;
    s.ellipsoid = *e;
  } else if (name == "helmert") {
    const std::string convention = p.count("convention") ? p["convention"] : "";
    p.erase("convention");
    double* fields[] = {&s.tx, &s.ty, &s.tz, &s.rx, &s.ry, &s.rz, &s.s_ppm};
    const char* keys[] = {"x", "y", "z", "rx", "ry", "rz", "s"};
    bool rotates = false;
    for (int i = 0; i < 7; ++i) {
      if (!p.count(keys[i])) continue;
      const auto v = number(p, keys[i]);
      if (!v) return false;
      *fields[i] = *v;
      if (i >= 3 && i < 6) rotates = true;
      p.erase(keys[i]);
    }
    if (!p.empty()) return false;
    if (convention == "position_vector") {
      s.position_vector = true;
    } else if (convention == "coordinate_frame") {
      s.position_vector = false;
    } else if (!convention.empty() || rotates) {
      return false;
    }
    s.kind = K::kHelmert;
    s.inverse = inv;
  } else if (name == "tmerc" || name == "etmerc" || name == "utm") {
    if (inv) return false;
    if (p.count("algo")) {
      if (p["algo"] != "poder_engsager") return false;
      p.erase("algo");
    }
    if (p.count("units")) {
      if (p["units"] != "m") return false;
      p.erase("units");
    }
    const auto e = ellipsoid_of(p);
    if (!e) return false;
    if (name == "utm") {
      const auto zone = number(p, "zone");
      if (!zone || *zone < 1 || *zone > 60 || *zone != std::floor(*zone)) return false;
      const bool south = p.erase("south") > 0;
      p.erase("zone");
      if (!p.empty()) return false;
      s.lon0 = ((*zone - 1) + 0.5) * 6 * kDegree - 3.14159265358979323846;
      s.k0 = 0.9996;
      s.x0 = 500000;
      s.y0 = south ? 10000000 : 0;
    } else {
      struct Key {
        const char* name;
        double* field;
        double scale;
      };
      s.k0 = 1;
      for (const Key k :
           {Key{"lat_0", &s.lat0, kDegree}, Key{"lon_0", &s.lon0, kDegree}, Key{"k", &s.k0, 1},
            Key{"k_0", &s.k0, 1}, Key{"x_0", &s.x0, 1}, Key{"y_0", &s.y0, 1}}) {
        if (!p.count(k.name)) continue;
        const auto v = number(p, k.name);
        if (!v) return false;
        *k.field = *v * k.scale;
        p.erase(k.name);
      }
      if (!p.empty()) return false;
    }
    s.kind = K::kTransverseMercator;
    s.ellipsoid = *e;
  } else if (name == "longlat" || name == "lonlat" || name == "latlong" || name == "latlon") {
    // Geographic coordinates on an ellipsoid, in radians in a pipeline: nothing to do.
    if (!p.empty() && !ellipsoid_of(p)) return false;
    return p.empty();
  } else {
    return false;
  }
  out.push_back(s);
  return true;
}

// The steps of a PROJ string ("+proj=pipeline +step ... +step ..." or a single operation);
// empty when some step is not one PipelineTransform evaluates.
std::optional<std::vector<engine::PipelineStep>> parse_pipeline(const std::string& text) {
  std::vector<Params> steps;
  std::istringstream in(text);
  std::string token;
  Params global;
  Params* current = &global;
  bool pipeline = false;
  while (in >> token) {
    if (token.starts_with("+")) token.erase(0, 1);
    if (token == "step") {
      steps.emplace_back();
      current = &steps.back();
      continue;
    }
    const auto eq = token.find('=');
    const std::string key = token.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : token.substr(eq + 1);
    if (current == &global && key == "proj" && value == "pipeline") {
      pipeline = true;
      continue;
    }
    if (current->count(key)) return std::nullopt;
    (*current)[key] = value;
  }
  if (!pipeline) {
    if (!steps.empty()) return std::nullopt;
    steps.push_back(global);
  } else if (!global.empty()) {
    return std::nullopt;  // global pipeline options (+ellps=, +omit_fwd, ...)
  }
  std::vector<engine::PipelineStep> out;
  for (Params& p : steps) {
    if (!append_step(std::move(p), out)) return std::nullopt;
  }
  return out;
}

// A transformation notspot evaluates itself: the pipeline, and the source-CRS box it holds in
// (the other points go through PROJ, which chooses among its operations per point).
struct FastPlan {
  engine::PipelineTransform pipeline;
  engine::Box domain;
};

constexpr double kHuge = 1e300;

// PROJ's result at (x, y) and the pipeline's agree within 1 mm (1e-8 degree for a geographic
// target), or both fail.
bool agrees(double px, double py, double fx, double fy, bool geographic_target) {
  const bool proj_ok = std::isfinite(px) && std::isfinite(py);
  const bool fast_ok = std::isfinite(fx) && std::isfinite(fy);
  if (proj_ok != fast_ok) return false;
  if (!proj_ok) return true;
  const double tolerance = geographic_target ? 1e-8 : 1e-3;
  return std::fabs(px - fx) <= tolerance && std::fabs(py - fy) <= tolerance;
}

std::shared_ptr<const FastPlan> make_fast_plan(PJ_CONTEXT* ctx, PJ* op, const Crs& from,
                                               const Crs& to) {
  if (std::getenv("NOTSPOT_PROJ_ONLY") != nullptr) return nullptr;
  const char* direct = proj_as_proj_string(ctx, op, PJ_PROJ_5, nullptr);
  std::string text;
  engine::Box domain{-kHuge, -kHuge, kHuge, kHuge};
  std::optional<engine::Box> sample;
  if (direct != nullptr) {
    // One operation, used everywhere.
    text = direct;
    sample = from.bounds();
  } else {
    // PROJ chooses among several operations per point by their areas of use: take the one it
    // uses in the middle of the target CRS's area, inside its area (less a margin for the
    // datum shift), for a geographic source whose coordinates are degrees like the area's.
    if (!from.is_geographic() || !to.bounds()) return nullptr;
    const engine::Box& b = *to.bounds();
    const PJ_COORD back =
        proj_trans(op, PJ_INV, proj_coord((b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2, 0, 0));
    if (!std::isfinite(back.xy.x) || !std::isfinite(back.xy.y)) return nullptr;
    proj_trans(op, PJ_FWD, back);
    PjPtr used(proj_trans_get_last_used_operation(op));
    if (!used) return nullptr;
    // Already in GIS order: it is one of the normalised operation's alternatives.
    const char* used_text = proj_as_proj_string(ctx, used.get(), PJ_PROJ_5, nullptr);
    double west = 0, south = 0, east = 0, north = 0;
    if (used_text == nullptr ||
        !proj_get_area_of_use(ctx, used.get(), &west, &south, &east, &north, nullptr) ||
        !(west < east) || !(south < north)) {
      return nullptr;
    }
    text = used_text;
    constexpr double kMargin = 0.02;  // degrees
    domain = engine::Box{west + kMargin, south + kMargin, east - kMargin, north - kMargin};
    if (!(domain.xmin < domain.xmax) || !(domain.ymin < domain.ymax)) return nullptr;
    sample = domain;
  }
  if (!sample) return nullptr;
  std::optional<std::vector<engine::PipelineStep>> steps = parse_pipeline(text);
  if (!steps || steps->empty()) return nullptr;
  auto plan =
      std::make_shared<FastPlan>(FastPlan{engine::PipelineTransform(std::move(*steps)), domain});

  // The guard: both ways on a grid over the area, and every point must agree.
  engine::Box g = *sample;
  if (from.is_geographic()) {
    g.xmin = std::max(g.xmin, -180.0);
    g.xmax = std::min(g.xmax, 180.0);
    g.ymin = std::max(g.ymin, -89.0);
    g.ymax = std::min(g.ymax, 89.0);
  }
  if (!(g.xmin <= g.xmax) || !(g.ymin <= g.ymax)) return nullptr;
  constexpr int kSteps = 40;
  std::vector<double> px, py;
  for (int i = 0; i <= kSteps; ++i) {
    for (int j = 0; j <= kSteps; ++j) {
      px.push_back(g.xmin + (g.xmax - g.xmin) * i / kSteps);
      py.push_back(g.ymin + (g.ymax - g.ymin) * j / kSteps);
    }
  }
  std::vector<double> fx = px, fy = py;
  proj_trans_generic(op, PJ_FWD, px.data(), sizeof(double), px.size(), py.data(), sizeof(double),
                     py.size(), nullptr, 0, 0, nullptr, 0, 0);
  plan->pipeline.transform(fx, fy);
  for (std::size_t i = 0; i < px.size(); ++i) {
    if (!agrees(px[i], py[i], fx[i], fy[i], to.is_geographic())) return nullptr;
  }
  return plan;
}

// Plans by (source WKT, target WKT): every thread's transformation shares one, checked once.
std::shared_ptr<const FastPlan> fast_plan_for(PJ_CONTEXT* ctx, PJ* op, const Crs& from,
                                              const Crs& to) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::string>, std::shared_ptr<const FastPlan>> plans;
  const auto key = std::pair{from.wkt(), to.wkt()};
  {
    const std::lock_guard lock(mutex);
    if (const auto it = plans.find(key); it != plans.end()) return it->second;
  }
  std::shared_ptr<const FastPlan> plan = make_fast_plan(ctx, op, from, to);
  const std::lock_guard lock(mutex);
  return plans.emplace(key, std::move(plan)).first->second;
}

}  // namespace

struct CoordinateTransform::Impl {
  ContextPtr ctx;
  PjPtr op;
  bool identity = false;
  std::string description;
  std::shared_ptr<const FastPlan> fast;
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
  impl_->fast = fast_plan_for(ctx, impl_->op.get(), from, to);
}

CoordinateTransform::~CoordinateTransform() = default;
CoordinateTransform::CoordinateTransform(CoordinateTransform&&) noexcept = default;
CoordinateTransform& CoordinateTransform::operator=(CoordinateTransform&&) noexcept = default;

bool CoordinateTransform::is_identity() const {
  return impl_->identity;
}

void CoordinateTransform::transform(std::span<double> x, std::span<double> y) const {
  if (impl_->identity || x.empty()) return;
  if (impl_->fast) {
    const std::vector<std::uint32_t> outside =
        impl_->fast->pipeline.transform_within(x, y, impl_->fast->domain);
    if (outside.empty()) return;
    std::vector<double> ox(outside.size()), oy(outside.size());
    for (std::size_t i = 0; i < outside.size(); ++i) {
      ox[i] = x[outside[i]];
      oy[i] = y[outside[i]];
    }
    proj_errno_reset(impl_->op.get());
    proj_trans_generic(impl_->op.get(), PJ_FWD, ox.data(), sizeof(double), ox.size(), oy.data(),
                       sizeof(double), oy.size(), nullptr, 0, 0, nullptr, 0, 0);
    for (std::size_t i = 0; i < outside.size(); ++i) {
      x[outside[i]] = ox[i];
      y[outside[i]] = oy[i];
    }
    return;
  }
  proj_errno_reset(impl_->op.get());
  proj_trans_generic(impl_->op.get(), PJ_FWD, x.data(), sizeof(double), x.size(), y.data(),
                     sizeof(double), y.size(), nullptr, 0, 0, nullptr, 0, 0);
}

bool CoordinateTransform::uses_pipeline() const {
  return impl_->fast != nullptr;
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
