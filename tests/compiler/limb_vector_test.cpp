// LimbVector: the inline-to-heap switch keeps every limb through copies, moves and growth.
#include "mpyship/compiler/big_int.h"
#include "mpyship/compiler/limb_vector.h"

#include <gtest/gtest.h>

#include <utility>

using mpyship::compiler::BigInt;
using mpyship::compiler::LimbVector;

namespace {

LimbVector counting(std::uint32_t n) {
    LimbVector v;
    for (std::uint32_t i = 0; i < n; ++i)
        v.push_back(i + 1);
    return v;
}

} // namespace

TEST(LimbVector, GrowsCopiesAndMoves) {
    for (std::uint32_t n : {0u, 1u, 2u, 3u, 9u}) {
        LimbVector v = counting(n);
        ASSERT_EQ(v.size(), n);
        LimbVector copy = v;
        EXPECT_EQ(copy, v);
        LimbVector moved = std::move(copy);
        EXPECT_EQ(moved, v);
        EXPECT_TRUE(copy.empty()); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
        LimbVector assigned{7};
        assigned = moved;
        EXPECT_EQ(assigned, v);
        assigned = counting(1);
        EXPECT_EQ(assigned, counting(1));
        for (std::uint32_t i = 0; i < n; ++i)
            EXPECT_EQ(v[i], i + 1);
    }
    LimbVector r(5, 0);
    r.resize(7, 3);
    EXPECT_EQ(r, (LimbVector{0, 0, 0, 0, 0, 3, 3}));
}

TEST(LimbVector, BigIntsAcrossTheInlineLimit) {
    const BigInt big = *BigInt::from_digits("123456789012345678901234567890", 10);
    EXPECT_EQ(big.to_string(), "123456789012345678901234567890");
    EXPECT_EQ((big * big - big * big).to_string(), "0");
    EXPECT_EQ((BigInt(-5) * BigInt(4000000000)).to_string(), "-20000000000");
    EXPECT_EQ(BigInt(std::int64_t(1) << 62).shifted_left(10).to_string(), "4722366482869645213696");
}
