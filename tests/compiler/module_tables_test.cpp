// Deduplication rules of the module's qstr and constant tables.
#include "mpyship/compiler/module_tables.h"
#include "mpyship/compiler/small_int.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

mpy::Constant flt(std::string text) {
    return mpy::Constant{mpy::ObjKind::float_, std::move(text), {}};
}

TEST(ConstantTable, StrictEquality) {
    ConstantTable t;
    EXPECT_EQ(t.use(flt("1.0")), 0u);
    EXPECT_EQ(t.use(int_constant(1)), 1u);
    EXPECT_EQ(t.use(flt("0.0")), 2u);
    EXPECT_EQ(t.use(flt("-0.0")), 3u);
    EXPECT_EQ(t.use(flt("1.0")), 0u);
    EXPECT_EQ(t.use(str_constant("abc")), 4u);
    EXPECT_EQ(t.use(bytes_constant("abc")), 5u);
    EXPECT_EQ(t.use(str_constant("abc")), 4u);
    EXPECT_EQ(t.use(flt("nan")), 6u);
    EXPECT_EQ(t.use(flt("nan")), 7u);
}

TEST(QstrTable, StaticEntries) {
    QstrTable t;
    EXPECT_EQ(t.use("t.py"), 0u);
    EXPECT_EQ(t.use("<module>"), 1u);
    EXPECT_EQ(t.use("t.py"), 0u);
    auto entries = t.entries();
    EXPECT_FALSE(entries[0].is_static);
    EXPECT_TRUE(entries[1].is_static);
    EXPECT_EQ(entries[1].static_index, 7u);
}

TEST(SmallInt, Fits) {
    EXPECT_TRUE(fits_small_int(1073741823, 31));
    EXPECT_FALSE(fits_small_int(1073741824, 31));
    EXPECT_TRUE(fits_small_int(-1073741824, 31));
    EXPECT_FALSE(fits_small_int(-1073741825, 31));
    EXPECT_TRUE(fits_small_int(127, 8));
    EXPECT_FALSE(fits_small_int(128, 8));
    EXPECT_TRUE(fits_small_int(std::int64_t(1) << 40, 63));
}

} // namespace
} // namespace mpyship::compiler
