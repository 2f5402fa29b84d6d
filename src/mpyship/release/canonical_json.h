// Canonical JSON, the exact bytes a release signature covers (docs/ota.md): UTF-8, no whitespace, object
// keys sorted by their bytes, integers only, and only `"`, `\` and U+0000-U+001F escaped (as \" \\ \u00xx).
#pragma once

#include "mpyship/util/error.h"

#include <nlohmann/json.hpp>
#include <string>

namespace mpyship::release {

// Fails on floats, and on strings that are not valid UTF-8.
Result<std::string> canonical_json(const nlohmann::json& value);

} // namespace mpyship::release
