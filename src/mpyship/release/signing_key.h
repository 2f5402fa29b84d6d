// Ed25519 keys for signing OTA releases (libsodium). A private key file holds the 32-byte seed in base64
// with a comment; it is created 0600 and refused when others can read it. A public key is written
// "ed25519:<base64 of 32 bytes>", the form mpyship.toml's [ota] public_keys takes. A key is named by its
// keyid: the first 8 bytes of SHA-256(public key), in hex.
#pragma once

#include "mpyship/util/error.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::release {

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

struct SigningKey {
    std::array<std::uint8_t, 64> secret{}; // libsodium's secret key: seed || public key
    PublicKey public_key{};
};

SigningKey generate_signing_key();
// Writes the key to `path` (0600, never over an existing file unless `overwrite`), and `path`.pub.
Result<void> write_signing_key(const std::filesystem::path& path, const SigningKey& key, bool overwrite);
// Reads a key file; refuses one that group or others can read, naming the fix.
Result<SigningKey> read_signing_key(const std::filesystem::path& path);

std::string public_key_text(const PublicKey& key);                 // "ed25519:..."
Result<PublicKey> parse_public_key(std::string_view text);         // the inverse; a key file's .pub works too
Result<PublicKey> read_public_key(const std::string& text_or_path); // the text itself, or a file holding it
std::string key_id(const PublicKey& key);

Signature sign(const SigningKey& key, std::span<const std::uint8_t> message);
bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& sig);

std::string base64(std::span<const std::uint8_t> bytes);
Result<std::vector<std::uint8_t>> unbase64(std::string_view text);

} // namespace mpyship::release
