// The options of `mpyship deploy` and what its two paths share: the drive deploy (--to, cmd_deploy.cpp)
// and the serial deploy (--port, cmd_deploy_serial.cpp) print actions and errors the same way.
#pragma once

#include "mpyship/cli/command_table.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/deploy/deploy_plan.h"
#include "mpyship/deploy/drive_sync.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <cstdio>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <optional>
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
    bool dry_run = false, force = false, json = false, reset = false, no_build = false;
};

inline deploy::DeleteMode delete_mode(const std::string& text) {
    if (text == "all")
        return deploy::DeleteMode::all;
    return text.empty() ? deploy::DeleteMode::none : deploy::DeleteMode::recorded;
}

// The plan's actions in execution order and what it skipped, as both deploy paths report them with --json.
inline nlohmann::ordered_json plan_actions_json(const deploy::DeployPlan& plan) {
    nlohmann::ordered_json actions = nlohmann::ordered_json::array();
    for (const auto& a : deploy::plan_actions(plan))
        actions.push_back({{"action", a.verb}, {"path", a.path}, {"detail", a.detail}});
    return actions;
}

inline nlohmann::ordered_json plan_skipped_json(const deploy::DeployPlan& plan) {
    nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
    for (const auto& s : plan.skipped)
        skipped.push_back({{"path", s.path}, {"reason", s.reason}});
    return skipped;
}

inline void print_action(const deploy::Action& a) {
    fmt::print("{:<7} {}{}\n", a.verb, a.path, a.detail.empty() ? "" : " (" + a.detail + ")");
    std::fflush(stdout);
}

// The settings both deploy paths take from the command line and the project alike.
template <typename Options>
void fill_common_options(Options& o, const DeployArgs& a, const project::ProjectConfig& config) {
    o.build_dir = config.out_dir();
    o.plan = {delete_mode(a.delete_mode), a.keep, config.entry_points};
    o.dry_run = a.dry_run;
    o.force = a.force;
    o.generator = version_text();
    if (!a.json && !a.dry_run)
        o.on_action = print_action;
}

// A deploy ships what src/ holds now: it builds first (incremental; nothing is redone when nothing changed)
// and never deploys a failed build. --no-build deploys build/ as it is. Returns an exit code to stop with.
std::optional<int> build_first(const DeployArgs& args);

// `deploy --port`: the serial path.
int deploy_serial(const DeployArgs& args);

} // namespace mpyship::cli
