#include "mpyship/release/canonical_json.h"
#include "mpyship/release/signed_release.h"
#include "mpyship/release/signing_key.h"
#include "../support/test_support.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace mpyship::release {
namespace {

TEST(CanonicalJson, SortedKeysNoSpacesMinimalEscapes) {
    auto j = nlohmann::json::parse(R"({"b": [1, -2, {"z": null, "a": true}], "a": "x\"y\\z/\u00e9\n\u0001"})");
    EXPECT_EQ(*canonical_json(j), "{\"a\":\"x\\\"y\\\\z/\xc3\xa9\\u000a\\u0001\",\"b\":[1,-2,{\"a\":true,\"z\":null}]}");
    EXPECT_FALSE(canonical_json(nlohmann::json::parse("{\"f\": 1.5}")));
    EXPECT_FALSE(canonical_json(nlohmann::json(std::string("\xff"))));
}

SignedRelease sample() {
    SignedRelease r;
    r.version = "1.0";
    r.build_timestamp = "2026-01-01T00:00:00Z";
    r.sequence = 7;
    r.channel = "stable";
    r.target = "micropython";
    r.mpy_abi.header = "M";
    std::string sha(64, 'a');
    r.files.push_back({"app.mpy", "objects/" + sha, sha, 10, 8});
    return r;
}

TEST(SignedRelease, EnvelopeRoundTripsAndRefusesTampering) {
    auto key = generate_signing_key();
    auto other = generate_signing_key();
    auto text = make_envelope(sample(), std::span(&key, 1));
    ASSERT_TRUE(text);
    EXPECT_TRUE(text->starts_with("{\"signed\":{\"build_timestamp\":"));
    EXPECT_TRUE(text->ends_with("]}\n"));
    auto opened = open_envelope(*text, std::span(&key.public_key, 1), "m");
    ASSERT_TRUE(opened) << opened.error().to_string();
    EXPECT_EQ(*opened, sample());

    auto unknown = open_envelope(*text, std::span(&other.public_key, 1), "m");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("no signature by a trusted key"), std::string::npos);

    std::string tampered = *text;
    tampered.replace(tampered.find("\"sequence\":7"), 12, "\"sequence\":8");
    auto bad = open_envelope(tampered, std::span(&key.public_key, 1), "m");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("bad signature"), std::string::npos);

    // Valid signature over bytes that are not canonical (a space added before signing).
    auto envelope = split_envelope(*text);
    std::string spaced = envelope->signed_bytes;
    spaced.insert(1, " ");
    auto sig = sign(key, signing_message(spaced));
    std::string handmade = "{\"signed\":" + spaced + ",\"signatures\":[{\"keyid\":\"" + key_id(key.public_key) +
                           "\",\"sig\":\"" + base64(sig) + "\"}]}\n";
    auto non_canonical = open_envelope(handmade, std::span(&key.public_key, 1), "m");
    ASSERT_FALSE(non_canonical);
    EXPECT_NE(non_canonical.error().message.find("not canonical"), std::string::npos);
}

TEST(SigningKey, FileIsPrivateAndOthersReadableKeysAreRefused) {
    test::TempDir dir;
    auto path = dir.path() / "k.key";
    auto key = generate_signing_key();
    ASSERT_TRUE(write_signing_key(path, key, false));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_FALSE(write_signing_key(path, key, false)); // never over an existing key without --force
    auto read = read_signing_key(path);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->public_key, key.public_key);
    EXPECT_EQ(*read_public_key(path.string() + ".pub"), key.public_key);
    EXPECT_EQ(*read_public_key(path.string()), key.public_key); // the private file names its public key too
    ::chmod(path.c_str(), 0644);
    auto open = read_signing_key(path);
    ASSERT_FALSE(open);
    EXPECT_NE(open.error().message.find("can be read by others (mode 644); run `chmod 600"), std::string::npos)
        << open.error().message;
}

} // namespace
} // namespace mpyship::release
