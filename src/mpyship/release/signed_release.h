// An OTA release as published: the signed object of docs/ota.md (version, files, sequence, target, .mpy ABI,
// optional board and expiry) and the envelope around it, {"signed":<canonical bytes>,"signatures":[...]}.
// A reader verifies the exact bytes between `{"signed":` and the last `,"signatures":[` and parses only
// those bytes, so what is checked is what is used.
#pragma once

#include "mpyship/release/signing_key.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::release {

inline constexpr int k_release_format = 1;
inline constexpr std::string_view k_signing_context = "mpyship-ota-v1\n";

struct ReleaseFile {
    std::string path;          // in the app, '/'-separated
    std::string download_path; // "objects/<sha256>"
    std::string sha256;
    std::uint64_t size = 0;
    std::optional<std::uint64_t> z; // size of the zlib twin objects/<sha256>.z, when published
    bool operator==(const ReleaseFile&) const = default;
};

struct MpyAbi {
    std::string header; // "M" or "C"
    int version = 6;
    int sub_version = 3;
    int small_int_bits = 31;
    bool operator==(const MpyAbi&) const = default;
};

struct SignedRelease {
    std::string version;
    std::string build_timestamp;
    std::uint64_t sequence = 0;
    std::string channel;
    std::string target;
    MpyAbi mpy_abi;
    std::optional<std::string> board;
    std::optional<std::int64_t> expires;
    std::vector<ReleaseFile> files; // sorted by path
    bool operator==(const SignedRelease&) const = default;
};

nlohmann::json release_json(const SignedRelease& r);
Result<SignedRelease> release_from_json(const nlohmann::json& j);

// b"mpyship-ota-v1\n" + SHA-256(signed_bytes): what each key signs.
std::vector<std::uint8_t> signing_message(std::string_view signed_bytes);

// The whole manifest.json text, signed by every key.
Result<std::string> make_envelope(const SignedRelease& release, std::span<const SigningKey> keys);

struct EnvelopeSignature {
    std::string keyid;
    std::string sig; // base64
};
struct Envelope {
    std::string signed_bytes;
    std::vector<EnvelopeSignature> signatures;
};
// Splits the text as a device does; fails when it is not an envelope.
Result<Envelope> split_envelope(std::string_view text);

// Verifies a manifest.json text: the signed bytes must be canonical and carry a valid signature of one of
// `trusted`. `name` is used in errors.
Result<SignedRelease> open_envelope(std::string_view text, std::span<const PublicKey> trusted, const std::string& name);

} // namespace mpyship::release
