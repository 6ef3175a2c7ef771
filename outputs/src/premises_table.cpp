#include "notspot/outputs/premises_table.hpp"

#include <fcntl.h>
#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>

#include "notspot/engine/area_index.hpp"
#include "notspot/engine/cancellation.hpp"
#include "notspot/engine/error.hpp"
#include "notspot/outputs/csv_text.hpp"

namespace notspot::outputs {
namespace {

// What fills one column.
enum class Op : std::uint8_t {
  kUprn,
  kX,
  kY,
  kAreaId,
  kAreaName,
  kStatus,
  kIndicator,  // Step::index: the engine::Indicator bit
  kFixedSource,
  kGigabitSource,
  kMobile,  // Step::group, Step::coverage, Step::index (operator)
  kExcluded,
  kNotMeasured,  // empty / NULL
};

struct Step {
  Op op;
  std::uint16_t group = 0;
  std::uint16_t index = 0;
  Coverage coverage = Coverage::kAny;
};

constexpr std::string_view kAssigned = "assigned";
constexpr std::string_view kOutside = "outside";

}  // namespace

/// What both the CSV formatter and the typed cells need: the columns as steps, and every text
/// a cell can take, made once (raw for the GeoPackage, escaped for the CSV).
struct PremisesPlan {
  const PremisesResults& r;
  std::vector<Step> steps;
  int decimals = 2;
  std::int64_t scale = 100;
  std::vector<std::string> area_id, area_name, area_id_csv, area_name_csv;
  std::size_t layers = 0;  // fixed-broadband layers; index `layers` = none
  // Indexed by source_key(): the fixed_source and gigabit_source texts.
  std::vector<std::string> fixed_source, fixed_source_csv, gigabit_source, gigabit_source_csv;
  std::vector<std::uint32_t> full_mask;  // per mobile group: every operator's bit
  std::size_t max_row = 0;

  PremisesPlan(const ColumnCatalogue& columns, const PremisesResults& results);

  std::size_t source_key(std::size_t speed, std::size_t bduk) const {
    return speed * (layers + 1) + bduk;
  }
  // The layer numbers of a premise's rows (`layers` for none).
  std::size_t layer_of(bool has, std::uint8_t layer) const {
    if (!has || layers == 0) return layers;
    return std::min<std::size_t>(layer, layers - 1);
  }
  std::size_t fixed_key(const engine::FixedBroadband& b) const {
    return source_key(layer_of(b.has_speed_record, b.speed_layer),
                      layer_of(b.has_bduk_record, b.bduk_layer));
  }
  std::size_t gigabit_key(const engine::FixedBroadband& b) const {
    const bool speed = b.has_speed_record && b.down_mbps >= r.thresholds.gigabit_mbps;
    const bool bduk = b.has_bduk_record && b.current_gigabit;
    return source_key(layer_of(speed, b.speed_layer), layer_of(bduk, b.bduk_layer));
  }
  // Bit k set when operator k of group g covers premise i.
  std::uint32_t mobile_mask(std::size_t g, std::size_t i) const {
    std::uint32_t mask = 0;
    const auto& ops = r.mobile[g];
    for (std::size_t k = 0; k < ops.size(); ++k) {
      mask |= static_cast<std::uint32_t>(ops[k]->test(i)) << k;
    }
    return mask;
  }
  bool mobile_flag(const Step& s, std::uint32_t mask) const {
    switch (s.coverage) {
      case Coverage::kOperator:
        return (mask >> s.index) & 1u;
      case Coverage::kAny:
        return mask != 0;
      case Coverage::kAll:
        return mask == full_mask[s.group];
      case Coverage::kNone:
        return mask == 0;
      case Coverage::kPartial:
        return mask != 0 && mask != full_mask[s.group];
    }
    return false;
  }
};

namespace {

std::string joined(const std::vector<std::string>& names, std::size_t a, std::size_t b,
                   std::size_t none, const std::string& if_none) {
  std::vector<std::size_t> parts;
  for (std::size_t k : {a, b}) {
    if (k != none) parts.push_back(k);
  }
  std::sort(parts.begin(), parts.end());
  if (parts.empty()) return if_none;
  std::string out;
  for (std::size_t k : parts) {
    if (!out.empty()) out += '+';
    out += names[k];
  }
  return out;
}

std::size_t longest(const std::vector<std::string>& texts) {
  std::size_t n = 0;
  for (const std::string& t : texts) n = std::max(n, t.size());
  return n;
}

}  // namespace

PremisesPlan::PremisesPlan(const ColumnCatalogue& columns, const PremisesResults& results)
    : r(results) {
  if (r.premises == nullptr || r.area_of.size() != r.premises->size() ||
      r.broadband.size() != r.premises->size()) {
    throw engine::internal_error("premises table: results of different sizes; please report this");
  }
  for (const ColumnSpec& c : columns) {
    Step s{Op::kNotMeasured};
    if (!c.measured) {
      // stays kNotMeasured
    } else if (c.name == "uprn") {
      s.op = Op::kUprn;
    } else if (c.name == "x") {
      s.op = Op::kX;
      decimals = c.decimals;
    } else if (c.name == "y") {
      s.op = Op::kY;
    } else if (c.name == "area_id") {
      s.op = Op::kAreaId;
    } else if (c.name == "area_name") {
      s.op = Op::kAreaName;
    } else if (c.name == "status") {
      s.op = Op::kStatus;
    } else if (c.family == ColumnFamily::kFixedIndicator && c.indicator) {
      s.op = Op::kIndicator;
      s.index = static_cast<std::uint16_t>(*c.indicator);
    } else if (c.name == "fixed_source") {
      s.op = Op::kFixedSource;
    } else if (c.name == "gigabit_source") {
      s.op = Op::kGigabitSource;
    } else if (c.family == ColumnFamily::kMobilePremises && c.mobile) {
      if (c.mobile->group >= r.mobile.size() || r.mobile[c.mobile->group].size() > 32) {
        throw engine::internal_error("premises table: column " + c.name +
                                     " has no coverage bits; please report this");
      }
      s.op = Op::kMobile;
      s.group = static_cast<std::uint16_t>(c.mobile->group);
      s.index = static_cast<std::uint16_t>(c.mobile->operator_index);
      s.coverage = c.mobile->coverage;
    } else if (c.family == ColumnFamily::kDigitalExclusion) {
      if (r.exclusion_any == nullptr) {
        throw engine::internal_error(
            "premises table: digitally_excluded without its group; "
            "please report this");
      }
      s.op = Op::kExcluded;
    } else {
      throw engine::internal_error("premises table: no rule fills column " + c.name +
                                   "; please report this");
    }
    steps.push_back(s);
  }
  scale = 1;
  for (int d = 0; d < decimals; ++d) scale *= 10;
  for (const io::Area& a : r.areas) {
    area_id.push_back(a.id);
    area_name.push_back(a.name);
    area_id_csv.push_back(csv_text_field(a.id));
    area_name_csv.push_back(csv_text_field(a.name));
  }
  // An outside premise: empty area cells.
  for (auto* v : {&area_id, &area_name, &area_id_csv, &area_name_csv}) v->emplace_back();
  layers = r.fixed_layers.size();
  for (std::size_t speed = 0; speed <= layers; ++speed) {
    for (std::size_t bduk = 0; bduk <= layers; ++bduk) {
      fixed_source.push_back(joined(r.fixed_layers, speed, bduk, layers, "none"));
      gigabit_source.push_back(joined(r.fixed_layers, speed, bduk, layers, ""));
      fixed_source_csv.push_back(csv_text_field(fixed_source.back()));
      gigabit_source_csv.push_back(csv_text_field(gigabit_source.back()));
    }
  }
  for (const auto& ops : r.mobile) {
    full_mask.push_back(ops.size() >= 32 ? 0xFFFFFFFFu : (std::uint32_t{1} << ops.size()) - 1);
  }
  for (const Step& s : steps) {
    switch (s.op) {
      case Op::kUprn:
        max_row += 20;
        break;
      case Op::kX:
      case Op::kY:
        max_row += 21 + static_cast<std::size_t>(decimals);
        break;
      case Op::kAreaId:
        max_row += longest(area_id_csv);
        break;
      case Op::kAreaName:
        max_row += longest(area_name_csv);
        break;
      case Op::kStatus:
        max_row += kAssigned.size();
        break;
      case Op::kFixedSource:
        max_row += longest(fixed_source_csv);
        break;
      case Op::kGigabitSource:
        max_row += longest(gigabit_source_csv);
        break;
      default:
        max_row += 1;
    }
    max_row += 1;  // the comma or the line end
  }
}

namespace {

char* put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

char* put_uint(char* p, std::uint64_t v) {
  return std::to_chars(p, p + 20, v).ptr;
}

// Fixed-point decimal: `v` rounded to 1/scale (half away from zero), `decimals` digits after
// the point; a value that rounds to zero is written without a sign.
char* put_fixed(char* p, double v, std::int64_t scale, int decimals) {
  if (!std::isfinite(v) || std::fabs(v) >= 9e15 / static_cast<double>(scale)) {
    return std::to_chars(p, p + 24, v).ptr;  // never for a premise; shortest form, exact
  }
  std::int64_t units = std::llround(v * static_cast<double>(scale));
  if (units < 0) {
    *p++ = '-';
    units = -units;
  }
  p = put_uint(p, static_cast<std::uint64_t>(units / scale));
  if (decimals > 0) {
    *p++ = '.';
    std::int64_t frac = units % scale;
    for (int d = decimals - 1; d >= 0; --d) {
      p[d] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    p += decimals;
  }
  return p;
}

}  // namespace

struct PremisesCsvFormatter::Impl {
  PremisesPlan plan;
  std::string header;
  Impl(const ColumnCatalogue& columns, const PremisesResults& results) : plan(columns, results) {
    for (const ColumnSpec& c : columns) {
      if (!header.empty()) header += ',';
      header += csv_text_field(c.name);
    }
    header += '\n';
  }
};

PremisesCsvFormatter::PremisesCsvFormatter(const ColumnCatalogue& columns,
                                           const PremisesResults& results)
    : impl_(std::make_unique<Impl>(columns, results)) {}
PremisesCsvFormatter::~PremisesCsvFormatter() = default;

const std::string& PremisesCsvFormatter::header() const {
  return impl_->header;
}
std::size_t PremisesCsvFormatter::max_row_bytes() const {
  return impl_->plan.max_row;
}

char* PremisesCsvFormatter::format_into(std::size_t begin, std::size_t end, char* out) const {
  const PremisesPlan& plan = impl_->plan;
  const PremisesResults& r = plan.r;
  const engine::PremisesTable& t = *r.premises;
  const std::size_t outside = r.areas.size();
  std::array<std::uint32_t, 64> masks{};
  const std::size_t groups = std::min<std::size_t>(r.mobile.size(), masks.size());
  char* p = out;
  for (std::size_t i = begin; i < end; ++i) {
    const engine::FixedBroadband& b = r.broadband[i];
    const std::uint32_t flags = engine::indicator_flags(b, r.thresholds);
    const std::size_t area = r.area_of[i] < outside ? r.area_of[i] : outside;
    for (std::size_t g = 0; g < groups; ++g) masks[g] = plan.mobile_mask(g, i);
    for (const Step& s : plan.steps) {
      switch (s.op) {
        case Op::kUprn:
          p = put_uint(p, t.id[i]);
          break;
        case Op::kX:
          p = put_fixed(p, t.x[i], plan.scale, plan.decimals);
          break;
        case Op::kY:
          p = put_fixed(p, t.y[i], plan.scale, plan.decimals);
          break;
        case Op::kAreaId:
          p = put(p, plan.area_id_csv[area]);
          break;
        case Op::kAreaName:
          p = put(p, plan.area_name_csv[area]);
          break;
        case Op::kStatus:
          p = put(p, area == outside ? kOutside : kAssigned);
          break;
        case Op::kIndicator:
          *p++ = static_cast<char>('0' + ((flags >> s.index) & 1u));
          break;
        case Op::kFixedSource:
          p = put(p, plan.fixed_source_csv[plan.fixed_key(b)]);
          break;
        case Op::kGigabitSource:
          p = put(p, plan.gigabit_source_csv[plan.gigabit_key(b)]);
          break;
        case Op::kMobile:
          *p++ = plan.mobile_flag(s, masks[s.group]) ? '1' : '0';
          break;
        case Op::kExcluded: {
          const bool below = (flags >> static_cast<unsigned>(engine::Indicator::kBelowUso)) & 1u;
          *p++ = below && !r.exclusion_any->test(i) ? '1' : '0';
          break;
        }
        case Op::kNotMeasured:
          break;
      }
      *p++ = ',';
    }
    p[-1] = '\n';
  }
  return p;
}

void PremisesCsvFormatter::format(std::size_t begin, std::size_t end, std::string& out) const {
  const std::size_t start = out.size();
  out.resize(start + (end - begin) * max_row_bytes());
  char* last = format_into(begin, end, out.data() + start);
  out.resize(static_cast<std::size_t>(last - out.data()));
}

struct PremisesCells::Impl {
  PremisesPlan plan;
  Impl(const ColumnCatalogue& columns, const PremisesResults& results) : plan(columns, results) {}
};

PremisesCells::PremisesCells(const ColumnCatalogue& columns, const PremisesResults& results)
    : impl_(std::make_unique<Impl>(columns, results)) {}
PremisesCells::~PremisesCells() = default;

void PremisesCells::row(std::size_t i, std::span<PremisesCell> out) const {
  const PremisesPlan& plan = impl_->plan;
  const PremisesResults& r = plan.r;
  const engine::PremisesTable& t = *r.premises;
  const std::size_t outside = r.areas.size();
  const engine::FixedBroadband& b = r.broadband[i];
  const std::uint32_t flags = engine::indicator_flags(b, r.thresholds);
  const std::size_t area = r.area_of[i] < outside ? r.area_of[i] : outside;
  using Type = PremisesCell::Type;
  auto text = [](const std::string& s) {
    return s.empty() ? PremisesCell{} : PremisesCell{Type::kText, 0, 0, s};
  };
  auto flag = [](bool v) { return PremisesCell{Type::kFlag, v ? 1 : 0, 0, {}}; };
  for (std::size_t c = 0; c < plan.steps.size(); ++c) {
    const Step& s = plan.steps[c];
    switch (s.op) {
      case Op::kUprn:
        out[c] = {Type::kInteger, static_cast<std::int64_t>(t.id[i]), 0, {}};
        break;
      case Op::kX:
      case Op::kY: {
        // The CSV's figure, so both outputs hold the same coordinates.
        const double v = s.op == Op::kX ? t.x[i] : t.y[i];
        const double scale = static_cast<double>(plan.scale);
        out[c] = {Type::kReal, 0, static_cast<double>(std::llround(v * scale)) / scale, {}};
        break;
      }
      case Op::kAreaId:
        out[c] = text(plan.area_id[area]);
        break;
      case Op::kAreaName:
        out[c] = text(plan.area_name[area]);
        break;
      case Op::kStatus:
        out[c] = {Type::kText, 0, 0, area == outside ? kOutside : kAssigned};
        break;
      case Op::kIndicator:
        out[c] = flag((flags >> s.index) & 1u);
        break;
      case Op::kFixedSource:
        out[c] = text(plan.fixed_source[plan.fixed_key(b)]);
        break;
      case Op::kGigabitSource:
        out[c] = text(plan.gigabit_source[plan.gigabit_key(b)]);
        break;
      case Op::kMobile:
        out[c] = flag(plan.mobile_flag(s, plan.mobile_mask(s.group, i)));
        break;
      case Op::kExcluded: {
        const bool below = (flags >> static_cast<unsigned>(engine::Indicator::kBelowUso)) & 1u;
        out[c] = flag(below && !r.exclusion_any->test(i));
        break;
      }
      case Op::kNotMeasured:
        out[c] = {};
        break;
    }
  }
}

namespace {

class OutputFile {
 public:
  explicit OutputFile(const std::filesystem::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("cannot create");
  }
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Writes `size` bytes at `offset` (from any thread: pwrite(2) does not move a shared
  /// file position).
  void write(const char* data, std::size_t size, std::uint64_t offset) const {
    while (size > 0) {
      const ssize_t n = ::pwrite(fd_, data, size, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write");
      data += n;
      size -= static_cast<std::size_t>(n);
      offset += static_cast<std::uint64_t>(n);
    }
  }
  void close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write");
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw engine::output_error(path_.string() + ": " + what + ": " + std::strerror(errno) +
                               "; is the disk full or the folder read-only?");
  }
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace

void write_premises_csv(const std::filesystem::path& path, const ColumnCatalogue& columns,
                        const PremisesResults& results, const PremisesCsvOptions& options) {
  const PremisesCsvFormatter formatter(columns, results);
  OutputFile file(path);
  file.write(formatter.header().data(), formatter.header().size(), 0);
  const std::size_t rows = results.premises->size();
  const std::size_t per_block = std::max<std::size_t>(options.rows_per_block, 1);
  const std::size_t blocks = (rows + per_block - 1) / per_block;
  const std::size_t tokens =
      std::min(2 * static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency())),
               std::max<std::size_t>(blocks, 1));
  // A block is formatted into a free buffer (there are as many as blocks in flight), placed
  // after the blocks before it (the only serial step: adding up sizes), and written at its
  // offset in parallel with the others, so that copying into the page cache is shared by the
  // threads too. The bytes are those of the blocks in order, whatever the threads.
  struct Block {
    std::size_t index = 0;
    char* data = nullptr;
    std::size_t size = 0;
    std::uint64_t offset = 0;
  };
  const std::size_t capacity = per_block * formatter.max_row_bytes();
  std::vector<std::unique_ptr<char[]>> buffers;
  std::vector<char*> free_buffers;
  std::mutex free_mutex;
  std::size_t next = 0;
  std::uint64_t offset = formatter.header().size();
  tbb::parallel_pipeline(
      tokens,
      tbb::make_filter<
          void, Block>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& control) -> Block {
        if (next == blocks) {
          control.stop();
          return {};
        }
        engine::throw_if_cancelled();
        Block b;
        b.index = next++;
        const std::lock_guard lock(free_mutex);
        if (free_buffers.empty()) {
          buffers.push_back(std::make_unique_for_overwrite<char[]>(capacity));
          free_buffers.push_back(buffers.back().get());
        }
        b.data = free_buffers.back();
        free_buffers.pop_back();
        return b;
      }) & tbb::make_filter<Block, Block>(tbb::filter_mode::parallel, [&](Block b) {
        const std::size_t begin = b.index * per_block;
        const std::size_t end = std::min(rows, begin + per_block);
        b.size = static_cast<std::size_t>(formatter.format_into(begin, end, b.data) - b.data);
        return b;
      }) & tbb::make_filter<Block, Block>(tbb::filter_mode::serial_in_order, [&](Block b) {
        b.offset = offset;
        offset += b.size;
        return b;
      }) & tbb::make_filter<Block, void>(tbb::filter_mode::parallel, [&](const Block& b) {
        file.write(b.data, b.size, b.offset);
        const std::lock_guard lock(free_mutex);
        free_buffers.push_back(b.data);
      }));
  file.close();
}

}  // namespace notspot::outputs
