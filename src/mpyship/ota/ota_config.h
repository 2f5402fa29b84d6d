// The [ota] section of mpyship.toml: where the device looks for releases and which keys it trusts.
//
//   [ota]
//   url = "http://updates.example.com/fleet"    # the published tree's base URL (required)
//   public_keys = ["ed25519:..."]               # from `mpyship keygen` (required, at least one)
//   channel = "stable"                          # optional
//   board = "RPI_PICO_W"                        # optional: refuse releases published for another board
//   max_boots = 3                               # optional: starts an unconfirmed release gets
//   manifest_cap = 65536                        # optional: largest manifest accepted, in bytes
#pragma once

#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::ota {

struct OtaConfig {
    std::string url;
    std::vector<std::string> public_keys;
    std::string channel = "stable";
    std::optional<std::string> board;
    std::int64_t max_boots = 3;
    std::int64_t manifest_cap = 65536;
};

// nullopt when the project has no [ota] section; errors name the file, line and column.
Result<std::optional<OtaConfig>> ota_config_from(const project::ProjectConfig& project);

} // namespace mpyship::ota
