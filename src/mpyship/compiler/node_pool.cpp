// NodePool implementation: per-thread free lists by 16-byte size class over process-lifetime chunks.
#include "mpyship/compiler/node_pool.h"

#include <array>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace mpyship::compiler::node_pool {
namespace {

constexpr std::size_t k_granule = 16;
constexpr std::size_t k_max_pooled = 512;
constexpr std::size_t k_classes = k_max_pooled / k_granule;
constexpr std::size_t k_chunk_size = 64 * 1024;

struct FreeNode {
    FreeNode* next;
};

// Every chunk ever carved, kept reachable (never freed): nodes may move between threads' free lists.
std::byte* new_chunk() {
    static std::mutex mutex;
    static auto* chunks = new std::vector<std::unique_ptr<std::byte[]>>();
    std::lock_guard lock(mutex);
    chunks->push_back(std::make_unique_for_overwrite<std::byte[]>(k_chunk_size));
    return chunks->back().get();
}

struct ThreadPool {
    std::array<FreeNode*, k_classes> free_lists{};
    std::byte* cursor = nullptr;
    std::size_t left = 0;

    void* carve(std::size_t bytes) {
        if (left < bytes) {
            cursor = new_chunk();
            left = k_chunk_size;
        }
        void* p = cursor;
        cursor += bytes;
        left -= bytes;
        return p;
    }
};

thread_local ThreadPool t_pool;

std::size_t size_class(std::size_t size) { return (size + k_granule - 1) / k_granule - 1; }

} // namespace

void* allocate(std::size_t size) {
    if (size == 0 || size > k_max_pooled)
        return ::operator new(size);
    std::size_t c = size_class(size);
    if (FreeNode* node = t_pool.free_lists[c]) {
        t_pool.free_lists[c] = node->next;
        return node;
    }
    return t_pool.carve((c + 1) * k_granule);
}

void deallocate(void* p, std::size_t size) noexcept {
    if (p == nullptr)
        return;
    if (size == 0 || size > k_max_pooled) {
        ::operator delete(p, size);
        return;
    }
    std::size_t c = size_class(size);
    auto* node = static_cast<FreeNode*>(p);
    node->next = t_pool.free_lists[c];
    t_pool.free_lists[c] = node;
}

} // namespace mpyship::compiler::node_pool
