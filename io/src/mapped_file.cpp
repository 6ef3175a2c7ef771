#include "notspot/io/mapped_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <utility>

#include "notspot/engine/error.hpp"

namespace notspot::io {

namespace {

// Another process truncating a mapped file makes reading past its new end raise SIGBUS, which
// kills the process. The guard: a SIGBUS handler that, for an address inside a live mapping,
// maps zero pages over the rest of that mapping (mmap is a system call, safe in a handler),
// flags the mapping as changed and returns, so the read resumes on zeros; the reader then
// asks changed() and stops with an input error. Faults anywhere else get the default action.
struct Slot {
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<bool> faulted{false};
};
constexpr std::size_t kSlots = 256;
std::array<Slot, kSlots> g_slots;
struct sigaction g_previous {};
std::once_flag g_installed;

void on_sigbus(int signal, siginfo_t* info, void* context) {
  const auto address = reinterpret_cast<std::uintptr_t>(info->si_addr);
  for (Slot& slot : g_slots) {
    const std::uintptr_t begin = slot.begin.load(std::memory_order_acquire);
    const std::uintptr_t end = slot.end.load(std::memory_order_acquire);
    if (begin == 0 || address < begin || address >= end) continue;
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t from = address / page * page;
    const std::uintptr_t to = (end + page - 1) / page * page;
    if (::mmap(reinterpret_cast<void*>(from), to - from, PROT_READ,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
      slot.faulted.store(true, std::memory_order_release);
      return;  // the faulting read runs again, on zeros
    }
    break;
  }
  // Not ours (or the remap failed): what would have happened without the guard.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(signal, info, context);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN &&
             g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(signal);
    return;
  }
  ::signal(SIGBUS, SIG_DFL);  // returning re-runs the access, which now kills as before
}

void install_guard() {
  std::call_once(g_installed, [] {
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &g_previous);
  });
}

Slot* claim_slot(const char* data, std::size_t size) {
  for (Slot& slot : g_slots) {
    std::uintptr_t expected = 0;
    // end first, so the handler never sees a begin without its end.
    if (slot.begin.load() != 0) continue;
    slot.end.store(reinterpret_cast<std::uintptr_t>(data) + size);
    slot.faulted.store(false);
    if (slot.begin.compare_exchange_strong(expected, reinterpret_cast<std::uintptr_t>(data))) {
      return &slot;
    }
  }
  return nullptr;  // more than kSlots files mapped at once: unguarded, as before
}

void free_slot(void* slot) {
  if (slot != nullptr) static_cast<Slot*>(slot)->begin.store(0, std::memory_order_release);
}

MappedFile::Identity identity_of(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size),
          static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw engine::input_error(path.string() + ": cannot open: " + std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int saved = errno;
    ::close(fd);
    throw engine::input_error(path.string() + ": not a regular file" +
                              (saved ? std::string(": ") + std::strerror(saved) : ""));
  }
  size_ = static_cast<std::size_t>(st.st_size);
  opened_ = identity_of(st);
  if (size_ > 0) {
    install_guard();
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      const int saved = errno;
      ::close(fd);
      throw engine::input_error(path.string() +
                                ": cannot map into memory: " + std::strerror(saved));
    }
    // Parsing reads the file front to back.
    ::madvise(p, size_, MADV_SEQUENTIAL);
    data_ = static_cast<const char*>(p);
    slot_ = claim_slot(data_, size_);
  }
  ::close(fd);
}

bool MappedFile::changed() const {
  if (slot_ != nullptr && static_cast<const Slot*>(slot_)->faulted.load()) return true;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return true;  // removed or renamed away
  return !(identity_of(st) == opened_);
}

void MappedFile::check_unchanged(const std::string& display) const {
  if (!changed()) return;
  struct stat st {};
  std::string now = "it is gone";
  if (::stat(path_.c_str(), &st) == 0) {
    now = static_cast<std::uint64_t>(st.st_size) == opened_.size
              ? "same size, modified or replaced"
              : "now " + std::to_string(st.st_size) + " bytes";
  }
  throw engine::input_error(display + ": changed while it was being read (" +
                            std::to_string(opened_.size) + " bytes when opened, " + now +
                            "); another process is writing it: rerun when the refresh has "
                            "finished");
}

void MappedFile::expect_random_access() const {
  if (data_ != nullptr && size_ > 0) ::madvise(const_cast<char*>(data_), size_, MADV_RANDOM);
}

void MappedFile::release(std::string_view part) const {
  if (data_ == nullptr || part.empty()) return;
  // Only whole pages strictly inside the part: its neighbours may still be in use.
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(part.data());
  const auto end = begin + part.size();
  const std::uintptr_t first = (begin + page - 1) / page * page;
  const std::uintptr_t last = end / page * page;
  if (first < last) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void MappedFile::unmap() {
  if (data_ == nullptr) return;
  free_slot(slot_);
  ::munmap(const_cast<char*>(data_), size_);
  data_ = nullptr;
  slot_ = nullptr;
}

MappedFile::~MappedFile() { unmap(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      slot_(std::exchange(other.slot_, nullptr)),
      opened_(other.opened_) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    unmap();
    path_ = std::move(other.path_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    slot_ = std::exchange(other.slot_, nullptr);
    opened_ = other.opened_;
  }
  return *this;
}

}  // namespace notspot::io
