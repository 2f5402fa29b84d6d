// NodePool: recycles the memory of syntax-tree nodes (Expr and Stmt), which are allocated and freed
// by the hundred thousand per compile. Size-class free lists per thread, carved from 64 KiB chunks that
// live as long as the process, so a node may be freed on any thread. Large sizes go to ::operator new.
#pragma once

#include <cstddef>

namespace mpyship::compiler::node_pool {

void* allocate(std::size_t size);
void deallocate(void* p, std::size_t size) noexcept;

} // namespace mpyship::compiler::node_pool
