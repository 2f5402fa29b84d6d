#include "mpyship/util/edit_distance.h"

#include <gtest/gtest.h>

namespace mpyship {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("inspect", "inspect"), 0u);
    EXPECT_EQ(edit_distance("inspct", "inspect"), 1u);
    EXPECT_EQ(edit_distance("insepct", "inspect"), 2u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

} // namespace
} // namespace mpyship
