// SHA-256 through libsodium (linked for Ed25519 already), as lowercase hex: the hash of manifests, build
// cache keys and deploy comparisons.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace mpyship {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& update(std::span<const std::uint8_t> data);
    Sha256& update(std::string_view text);
    std::string hex_digest(); // finishes the hash
    std::array<std::uint8_t, 32> digest(); // finishes the hash: the raw 32 bytes

  private:
    struct State;
    std::unique_ptr<State> m_state;
};

std::string sha256_hex(std::span<const std::uint8_t> data);

} // namespace mpyship
