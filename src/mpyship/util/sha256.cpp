#include "mpyship/util/sha256.h"

#include <sodium/crypto_hash_sha256.h>

namespace mpyship {

// libsodium has one portable SHA-256 and no run-time choice of implementation for it, so these calls need no
// sodium_init() (that picks the faster variants of other primitives and opens the random device).
struct Sha256::State {
    crypto_hash_sha256_state ctx;
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
    crypto_hash_sha256_init(&m_state->ctx);
}

Sha256::~Sha256() = default;

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
    crypto_hash_sha256_update(&m_state->ctx, data.data(), data.size());
    return *this;
}

Sha256& Sha256::update(std::string_view text) {
    crypto_hash_sha256_update(&m_state->ctx, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
    return *this;
}

std::array<std::uint8_t, 32> Sha256::digest() {
    std::array<std::uint8_t, 32> out{};
    crypto_hash_sha256_final(&m_state->ctx, out.data());
    return out;
}

std::string Sha256::hex_digest() {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : digest()) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

std::string sha256_hex(std::span<const std::uint8_t> data) {
    return Sha256().update(data).hex_digest();
}

} // namespace mpyship
