// NodePool: recycles the memory of syntax-tree nodes (Expr and Stmt) and of the small lists inside them,
// which are allocated and freed by the hundred thousand per compile. Size-class free lists per thread,
// carved from 64 KiB chunks that live as long as the process, so a block may be freed on any thread.
// Large sizes go to ::operator new. PoolVector is a std::vector whose buffer comes from the pool.
#pragma once

#include <cstddef>
#include <vector>

namespace mpyship::compiler::node_pool {

void* allocate(std::size_t size);
void deallocate(void* p, std::size_t size) noexcept;

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
