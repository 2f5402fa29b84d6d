#include "mpyship/util/sha256.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <vector>

namespace mpyship {
namespace {

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    std::string abc = "abc";
    EXPECT_EQ(Sha256().update(abc).hex_digest(),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256().update("a").update("bc").hex_digest(), Sha256().update(abc).hex_digest());
}

// FIPS 180-2's two-block message and its million 'a's, the latter fed in uneven pieces across block
// boundaries; digest() is the same hash as raw bytes.
TEST(Sha256, LongMessagesInPieces) {
    EXPECT_EQ(Sha256().update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex_digest(),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    std::vector<std::uint8_t> a(1'000'000, 'a');
    Sha256 h;
    for (std::size_t at = 0, piece = 1; at < a.size(); at += piece, piece = piece * 7 % 1000 + 1)
        h.update(std::span(a).subspan(at, std::min(piece, a.size() - at)));
    auto raw = h.digest();
    EXPECT_EQ(raw[0], 0xcd);
    EXPECT_EQ(raw[31], 0xd0);
    EXPECT_EQ(sha256_hex(a), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

} // namespace
} // namespace mpyship
