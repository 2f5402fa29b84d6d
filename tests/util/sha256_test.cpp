#include "mpyship/util/sha256.h"

#include <gtest/gtest.h>

namespace mpyship {
namespace {

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string abc = "abc";
    EXPECT_EQ(Sha256().update(abc).hex_digest(),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256().update("a").update("bc").hex_digest(), Sha256().update(abc).hex_digest());
}

} // namespace
} // namespace mpyship
