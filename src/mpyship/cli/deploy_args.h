// The options of `mpyship deploy` and what its two paths share: the drive deploy (--to, cmd_deploy.cpp)
// and the serial deploy (--port, cmd_deploy_serial.cpp) print actions and errors the same way.
#pragma once

#include "mpyship/cli/command_table.h"
#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/drive_sync.h"
#include "mpyship/util/error.h"

#include <cstdio>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mpyship::cli {

struct DeployArgs {
    std::string dir = ".";
    std::string to;
    std::string port;
    unsigned baud = 115200;
    std::string delete_mode; // "", "recorded" (--delete) or "all"
    std::vector<std::string> keep;
    bool dry_run = false, force = false, json = false, reset = false;
};

inline deploy::DeleteMode delete_mode(const std::string& text) {
    if (text == "all")
        return deploy::DeleteMode::all;
    return text.empty() ? deploy::DeleteMode::none : deploy::DeleteMode::recorded;
}

inline void print_action(const deploy::Action& a) {
    fmt::print("{:<7} {}{}\n", a.verb, a.path, a.detail.empty() ? "" : " (" + a.detail + ")");
    std::fflush(stdout);
}

inline int report_error(const Error& e, bool as_json) {
    if (as_json)
        fmt::print("{}\n", nlohmann::ordered_json{{"ok", false}, {"error", e.to_string()}}.dump(2));
    fmt::print(stderr, "error: {}\n", e.to_string());
    return k_exit_failure;
}

// `deploy --port`: the serial path.
int deploy_serial(const DeployArgs& args);

} // namespace mpyship::cli
