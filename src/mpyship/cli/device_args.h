// What every `mpyship device VERB` shares: where the board is (--to PATH|auto for its mounted drive,
// --port DEV|auto for its serial REPL), --json, and opening the board as a DeviceFs. Verbs live in
// cmd_device_files.cpp; the verb table and dispatch in cmd_device.cpp.
#pragma once

#include "mpyship/device/device_fs.h"

#include <CLI/CLI.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace mpyship::cli {

struct DeviceArgs {
    std::string to;
    std::string port;
    unsigned baud = 115200;
    bool json = false;
};

// --to, --port, --baud; with `json`, --json too.
void add_device_options(CLI::App& app, DeviceArgs& a, bool json = true);

// The board the options name; an error when neither or both of --to and --port are given.
Result<std::unique_ptr<device::DeviceFs>> open_device(const DeviceArgs& a);

// Runs `body` on the opened board, closes it, maps the outcome to an exit code (errors through report_error).
int with_device(const DeviceArgs& a, const std::function<Result<void>(device::DeviceFs&)>& body);

int device_ls(std::string_view program, std::span<const std::string> args);
int device_cat(std::string_view program, std::span<const std::string> args);
int device_get(std::string_view program, std::span<const std::string> args);
int device_put(std::string_view program, std::span<const std::string> args);
int device_rm(std::string_view program, std::span<const std::string> args);
int device_mkdir(std::string_view program, std::span<const std::string> args);
int device_df(std::string_view program, std::span<const std::string> args);
int device_hash(std::string_view program, std::span<const std::string> args);
int device_run(std::string_view program, std::span<const std::string> args);
int device_repl(std::string_view program, std::span<const std::string> args);
int device_reset(std::string_view program, std::span<const std::string> args);

} // namespace mpyship::cli
