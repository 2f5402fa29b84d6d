// NodePool implementation: per-thread free lists by 16-byte size class over process-lifetime chunks.
#include "mpyship/compiler/node_pool.h"

#include <array>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace mpyship::compiler::node_pool {
namespace {

constexpr std::size_t k_chunk_size = 64 * 1024;

// Every chunk ever carved, kept reachable (never freed): nodes may move between threads' free lists.
std::byte* new_chunk() {
    static std::mutex mutex;
    static auto* chunks = new std::vector<std::unique_ptr<std::byte[]>>();
    std::lock_guard lock(mutex);
    chunks->push_back(std::make_unique_for_overwrite<std::byte[]>(k_chunk_size));
    return chunks->back().get();
}

} // namespace

namespace detail {

thread_local constinit ThreadPool t_pool;

void* carve(std::size_t size_class) {
    const std::size_t bytes = (size_class + 1) * k_granule;
    if (t_pool.left < bytes) {
        t_pool.cursor = new_chunk();
        t_pool.left = k_chunk_size;
    }
    void* p = t_pool.cursor;
    t_pool.cursor += bytes;
    t_pool.left -= bytes;
    return p;
}

} // namespace detail
} // namespace mpyship::compiler::node_pool
