// The syntax-tree node pool: freed blocks are reused by size class, large sizes bypass it, and nodes
// built through unique_ptr come from and return to it.
#include "mpyship/compiler/node_pool.h"

#include "mpyship/compiler/ast.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

namespace mpyship::compiler {
namespace {

TEST(NodePool, FreedBlockIsReusedForTheSameSizeClass) {
    void* a = node_pool::allocate(40);
    node_pool::deallocate(a, 40);
    void* b = node_pool::allocate(48); // same 16-byte class as 40
    EXPECT_EQ(a, b);
    node_pool::deallocate(b, 48);
}

TEST(NodePool, BlocksAreAlignedAndDistinct) {
    void* a = node_pool::allocate(24);
    void* b = node_pool::allocate(24);
    EXPECT_NE(a, b);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(a) % 16, 0u);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b) % 16, 0u);
    node_pool::deallocate(a, 24);
    node_pool::deallocate(b, 24);
}

TEST(NodePool, LargeSizesWork) {
    void* p = node_pool::allocate(4096);
    ASSERT_NE(p, nullptr);
    node_pool::deallocate(p, 4096);
}

TEST(NodePool, AstNodesRoundTrip) {
    ExprPtr name = std::make_unique<Name>(SourcePos{1, 1}, "a_rather_long_identifier_name");
    ExprPtr attr = std::make_unique<Attribute>(SourcePos{1, 1}, std::move(name), "attr");
    EXPECT_EQ(attr->as<Attribute>().value->as<Name>().id, "a_rather_long_identifier_name");
    attr.reset(); // both nodes go back through the sized class delete
    ExprPtr again = std::make_unique<Name>(SourcePos{2, 1}, "b");
    EXPECT_EQ(again->as<Name>().id, "b");
}

TEST(NodePool, PoolVectorBuffersComeFromThePool) {
    PoolVector<ExprPtr> list;
    for (int i = 0; i < 40; ++i) // 320 bytes: still pooled
        list.push_back(std::make_unique<Name>(SourcePos{1, 1}, "n"));
    EXPECT_EQ(list.back()->as<Name>().id, "n");
    const void* buffer = list.data();
    const std::size_t bytes = list.capacity() * sizeof(ExprPtr);
    PoolVector<ExprPtr>().swap(list); // frees the buffer into its size class
    void* reused = node_pool::allocate(bytes);
    EXPECT_EQ(reused, buffer);
    node_pool::deallocate(reused, bytes);
}

} // namespace
} // namespace mpyship::compiler
