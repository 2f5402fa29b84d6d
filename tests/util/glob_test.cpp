#include "mpyship/util/glob.h"

#include <gtest/gtest.h>

namespace mpyship {
namespace {

TEST(Glob, BareNamesMatchAnyComponent) {
    EXPECT_TRUE(glob_match("*.pyc", "a.pyc"));
    EXPECT_TRUE(glob_match("*.pyc", "lib/x/a.pyc"));
    EXPECT_TRUE(glob_match("__pycache__", "lib/__pycache__/a.mpy"));
    EXPECT_TRUE(glob_match(".*", "lib/.DS_Store"));
    EXPECT_FALSE(glob_match("*.pyc", "a.py"));
    EXPECT_FALSE(glob_match("test", "tests/a.py"));
}

TEST(Glob, SlashPatternsAreAnchored) {
    EXPECT_TRUE(glob_match("lib/*.py", "lib/a.py"));
    EXPECT_FALSE(glob_match("lib/*.py", "lib/sub/a.py"));
    EXPECT_FALSE(glob_match("lib/*.py", "x/lib/a.py"));
    EXPECT_TRUE(glob_match("lib/**/*.py", "lib/a.py"));
    EXPECT_TRUE(glob_match("lib/**/*.py", "lib/s/t/a.py"));
    EXPECT_TRUE(glob_match("**/test_*.py", "test_a.py"));
    EXPECT_TRUE(glob_match("**/test_*.py", "a/b/test_a.py"));
    EXPECT_TRUE(glob_match("tests/", "tests/a/b.py"));
    EXPECT_TRUE(glob_match("/code.py", "code.py"));
    EXPECT_FALSE(glob_match("/code.py", "lib/code.py"));
}

TEST(Glob, QuestionMarksAndClasses) {
    EXPECT_TRUE(glob_match("file?.txt", "file1.txt"));
    EXPECT_FALSE(glob_match("file?.txt", "file10.txt"));
    EXPECT_TRUE(glob_match("[a-c]x", "bx"));
    EXPECT_FALSE(glob_match("[!a-c]x", "bx"));
    EXPECT_TRUE(glob_match("[!a-c]x", "dx"));
    EXPECT_TRUE(glob_match("a[", "a[")); // an unterminated class is a literal '['
}

} // namespace
} // namespace mpyship
