// What every `--json` command prints: exactly one JSON object on stdout whose "ok" matches the exit code,
// with an "error" field whenever "ok" is false. Errors also go to stderr as text, for people.
#pragma once

#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/util/error.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <string>

namespace mpyship::cli {

// Prints the error (and, with --json, {"ok": false, "error": ...}); returns the failure exit code.
inline int report_error(const Error& e, bool as_json) {
    if (as_json)
        fmt::print("{}\n", nlohmann::ordered_json{{"ok", false}, {"error", e.to_string()}}.dump(2));
    print_error(e.to_string());
    return k_exit_failure;
}

// Sets "ok" (first) and, when it is false, "error".
inline void set_outcome(nlohmann::ordered_json& j, bool ok, const std::string& error) {
    nlohmann::ordered_json out{{"ok", ok}};
    if (!ok)
        out["error"] = error;
    for (auto it = j.begin(); it != j.end(); ++it)
        if (it.key() != "ok" && it.key() != "error")
            out[it.key()] = it.value();
    j = std::move(out);
}

} // namespace mpyship::cli
