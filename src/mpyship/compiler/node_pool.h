// NodePool: recycles the memory of syntax-tree nodes (Expr and Stmt) and of the small lists inside them,
// which are allocated and freed by the hundred thousand per compile. Size-class free lists per thread,
// carved from 64 KiB chunks that live as long as the process, so a block may be freed on any thread.
// Large sizes go to ::operator new. PoolVector is a std::vector whose buffer comes from the pool.
#pragma once

#include <array>
#include <cstddef>
#include <new>
#include <vector>

namespace mpyship::compiler::node_pool {

// The per-thread free lists; the common paths below are inline (a node is allocated per AST node).
namespace detail {
inline constexpr std::size_t k_granule = 16;
inline constexpr std::size_t k_max_pooled = 512;
struct FreeNode {
    FreeNode* next;
};
struct ThreadPool {
    std::array<FreeNode*, k_max_pooled / k_granule> free_lists{};
    std::byte* cursor = nullptr;
    std::size_t left = 0;
};
extern thread_local constinit ThreadPool t_pool;
inline std::size_t size_class(std::size_t size) {
    return (size + k_granule - 1) / k_granule - 1;
}
void* carve(std::size_t size_class); // a new block of that class from the current chunk
} // namespace detail

inline void* allocate(std::size_t size) {
    if (size == 0 || size > detail::k_max_pooled)
        return ::operator new(size);
    const std::size_t c = detail::size_class(size);
    if (detail::FreeNode* node = detail::t_pool.free_lists[c]) {
        detail::t_pool.free_lists[c] = node->next;
        return node;
    }
    return detail::carve(c);
}

inline void deallocate(void* p, std::size_t size) noexcept {
    if (p == nullptr)
        return;
    if (size == 0 || size > detail::k_max_pooled) {
        ::operator delete(p, size);
        return;
    }
    const std::size_t c = detail::size_class(size);
    auto* node = static_cast<detail::FreeNode*>(p);
    node->next = detail::t_pool.free_lists[c];
    detail::t_pool.free_lists[c] = node;
}

// A standard allocator over the pool (blocks are 16-byte aligned).
template <typename T> struct Allocator {
    static_assert(alignof(T) <= 16);
    using value_type = T;
    Allocator() = default;
    template <typename U> Allocator(const Allocator<U>&) noexcept {} // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return static_cast<T*>(node_pool::allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { node_pool::deallocate(p, n * sizeof(T)); }
    template <typename U> bool operator==(const Allocator<U>&) const noexcept { return true; }
};

} // namespace mpyship::compiler::node_pool

namespace mpyship::compiler {

template <typename T> using PoolVector = std::vector<T, node_pool::Allocator<T>>;

} // namespace mpyship::compiler
