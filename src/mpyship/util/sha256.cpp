#include "mpyship/util/sha256.h"

#include <cstdlib>
#include <openssl/evp.h>

namespace mpyship {

struct Sha256::State {
    EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
    m_state->ctx = EVP_MD_CTX_new();
    if (!m_state->ctx || EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr) != 1)
        std::abort(); // out of memory or a broken libcrypto: not recoverable
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_state->ctx);
}

Sha256& Sha256::update(std::span<const std::uint8_t> data) {
    EVP_DigestUpdate(m_state->ctx, data.data(), data.size());
    return *this;
}

Sha256& Sha256::update(std::string_view text) {
    EVP_DigestUpdate(m_state->ctx, text.data(), text.size());
    return *this;
}

std::array<std::uint8_t, 32> Sha256::digest() {
    std::array<std::uint8_t, 32> out{};
    unsigned int len = 0;
    EVP_DigestFinal_ex(m_state->ctx, out.data(), &len);
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
