// `mpyship flash` as a plan and its execution. The plan reads build/firmware/firmware-manifest.json, checks
// the images it will use against their recorded SHA-256, and chooses the method from the port (recorded as
// "target" at build time): an esptool command line from flash_args, or a UF2 image (converted from .hex/.bin
// with the board's family when the port made none, then parsed back and compared) for a bootloader drive.
// Anything that stops execution but not planning (no esptool, no drive) is kept in `blocker`, so --dry-run
// can still show the plan.
#pragma once

#include "mpyship/firmware/flash_target.h"
#include "mpyship/flash/esptool_command.h"
#include "mpyship/flash/uf2.h"
#include "mpyship/flash/uf2_drive.h"
#include "mpyship/util/error.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::flash {

struct FlashOptions {
    std::filesystem::path firmware_dir;         // usually PROJECT/build/firmware
    std::optional<std::filesystem::path> image; // flash this file instead of the build's images
    std::optional<firmware::FlashMethod> method;
    std::string path_env;
    // esptool
    std::optional<std::string> port;
    unsigned baud = 460800;
    std::optional<std::string> chip;
    bool erase_all = false;
    // UF2
    std::optional<std::string> to; // a folder, or "auto" (the default)
    std::optional<std::uint32_t> family;
    std::optional<std::uint32_t> base;
    bool force = false; // flash even when the drive names another chip than the image's family
    std::filesystem::path mounts_file = "/proc/self/mounts";
};

struct FlashPlan {
    firmware::FlashMethod method = firmware::FlashMethod::none;
    firmware::FlashTarget target;
    std::string port_name; // the MicroPython port the firmware was built for ("" with --image alone)
    std::string board;
    std::optional<Error> blocker; // why it cannot run now (missing esptool, no drive)
    // esptool
    std::vector<std::string> argv;
    // UF2
    std::filesystem::path source;  // the image the UF2 comes from
    bool converted = false;        // made here from .hex/.bin
    std::vector<std::uint8_t> uf2; // what will be written
    Uf2Image uf2_image;            // `uf2` parsed back
    std::optional<Uf2DriveInfo> drive;
    std::string drive_file = "firmware.uf2";
};

Result<FlashPlan> plan_flash(const FlashOptions& options);

struct FlashRunOptions {
    std::chrono::milliseconds wait_timeout{30000}; // 0: do not wait for the UF2 drive to go
    std::function<void(std::string_view)> on_line; // esptool's output, line by line
};

struct FlashOutcome {
    bool drive_gone = false; // UF2: the board reset (the drive went away) within the timeout
};

// Runs the plan; fails with the blocker when there is one.
Result<FlashOutcome> execute_flash(const FlashPlan& plan, const FlashRunOptions& options);

// Whether every byte of `segments` is at its address in `image` (the UF2 may add 0xff page padding).
bool uf2_covers(const Uf2Image& image, const std::vector<Segment>& segments);

} // namespace mpyship::flash
