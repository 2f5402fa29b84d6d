// `mpyship flash [DIR]`: put build/firmware/ (from `mpyship firmware build`) on a board, through the user's
// esptool (esp32, esp8266) or the board's UF2 bootloader drive (rp2, samd, nrf, mimxrt). --dry-run prints the
// esptool command line, or the UF2 image and drive, without touching the board.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/flash/flash.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/parse_u32.h"
#include "mpyship/util/process.h"

#include <chrono>
#include <cstdlib>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;
using namespace firmware;
using namespace flash;

struct FlashArgsCli {
    std::string dir = ".";
    std::string image, method, port, chip, to, family, base;
    unsigned baud = 460800;
    double timeout = 30;
    bool erase = false, force = false, dry_run = false;
};

void add_flash_options(CLI::App& app, FlashArgsCli& a) {
    app.add_option("dir", a.dir, "project folder (default: the current folder); flashes its build/firmware/");
    app.add_option("--image", a.image, "flash this .uf2/.hex/.bin file instead of the build's images");
    app.add_option("--method", a.method, "esptool or uf2 (default: from the port the firmware was built for)")
        ->check(CLI::IsMember({"esptool", "uf2"}));
    app.add_option("--port", a.port, "esptool: serial device (default: esptool searches)");
    app.add_option("--baud", a.baud, "esptool: baud rate (default 460800)")->check(CLI::Range(1u, 100000000u));
    app.add_option("--chip", a.chip, "esptool: chip (default: the board's IDF_TARGET)");
    app.add_flag("--erase", a.erase, "esptool: erase the whole flash first (also the file system)");
    app.add_option("--to", a.to,
                   "UF2: the bootloader drive's folder, or 'auto' (default: the one with INFO_UF2.TXT)");
    app.add_option("--family", a.family,
                   "UF2: family for converting .hex/.bin, by name (RP2040, SAMD51, ...) or 0xID");
    app.add_option("--base", a.base,
                   "flash address of a .bin image (UF2) or of --image (esptool), e.g. 0x2000");
    app.add_option("--timeout", a.timeout, "UF2: seconds to wait for the board to reset (0: do not wait)")
        ->check(CLI::Range(0.0, 3600.0));
    app.add_flag("--force", a.force, "UF2: flash even when the drive names a different chip than the image");
    app.add_flag("--dry-run", a.dry_run, "print what would be run or written, touch nothing");
}

fs::path firmware_dir_of(const std::string& dir) {
    auto config = project::load_project_config(dir);
    return (config ? config->out_dir() : fs::path(dir) / "build") / "firmware";
}

Result<FlashOptions> flash_options(const FlashArgsCli& a) {
    FlashOptions o;
    o.firmware_dir = firmware_dir_of(a.dir);
    if (!a.image.empty())
        o.image = a.image;
    if (!a.method.empty())
        o.method = a.method == "esptool" ? FlashMethod::esptool : FlashMethod::uf2;
    const char* path = std::getenv("PATH");
    o.path_env = path ? path : "/usr/bin:/bin";
    if (!a.port.empty())
        o.port = a.port;
    o.baud = a.baud;
    if (!a.chip.empty())
        o.chip = a.chip;
    o.erase_all = a.erase;
    if (!a.to.empty())
        o.to = a.to;
    if (!a.family.empty() && !(o.family = parse_uf2_family(a.family))) {
        std::string names;
        for (const auto& f : uf2_families())
            names += (names.empty() ? "" : ", ") + std::string(f.name);
        return fail("unknown UF2 family '" + a.family + "': use one of " + names +
                    ", or a number like 0xe48bff56");
    }
    if (!a.base.empty() && !(o.base = parse_u32(a.base)))
        return fail("--base: '" + a.base + "' is not an address (decimal, or hex with 0x)");
    o.force = a.force;
    return o;
}

void print_header(const FlashPlan& p) {
    std::string what = p.port_name.empty() ? std::string("image") : p.port_name + " firmware";
    if (!p.board.empty())
        what += " for " + p.board;
    if (!p.target.chip.empty())
        what += " (" + p.target.chip + ")";
    fmt::print("flash: {} with {}\n", what,
               p.method == FlashMethod::esptool ? "esptool" : "the UF2 bootloader drive");
}

void print_uf2_plan(const FlashPlan& p) {
    const auto& img = p.uf2_image;
    std::string range = img.segments.empty()
                            ? std::string("no data")
                            : fmt::format("0x{:08x}-0x{:08x}", img.segments.front().address,
                                          img.segments.back().address + img.segments.back().data.size());
    fmt::print("image: {}{}: {} blocks, {} bytes, family {}, {}\n", p.source.string(),
               p.converted ? " (converted to UF2)" : "", img.blocks, img.payload_bytes,
               img.family ? describe_uf2_family(*img.family) : "none", range);
    if (p.drive)
        fmt::print("drive: {} (Model: {}, Board-ID: {})\n", p.drive->root.string(), p.drive->model,
                   p.drive->board_id);
}

int report_dry_run(const FlashPlan& p, const FlashArgsCli& a) {
    if (p.method == FlashMethod::esptool)
        fmt::print("would run: {}\n", command_line(p.argv));
    else if (p.drive)
        fmt::print("would write {} ({} bytes) to {}{}\n", p.drive_file, p.uf2.size(), p.drive->root.string(),
                   a.timeout > 0 ? fmt::format(", then wait up to {} s for the board to reset", a.timeout)
                                 : "");
    if (p.blocker)
        print_warning(fmt::format("this cannot run now: {}", p.blocker->to_string()));
    return k_exit_ok;
}

} // namespace

int cmd_flash(std::string_view program, std::span<const std::string> args) {
    CLI::App app("flash the firmware from `mpyship firmware build` with esptool or a UF2 bootloader drive",
                 std::string(program) + " flash");
    FlashArgsCli a;
    add_flash_options(app, a);
    if (auto stop = parse_args(app, args))
        return *stop;
    auto options = flash_options(a);
    auto plan = options ? plan_flash(*options) : Result<FlashPlan>(std::unexpected(options.error()));
    if (!plan) {
        print_error(plan.error().to_string());
        return k_exit_failure;
    }
    print_header(*plan);
    if (plan->method == FlashMethod::uf2)
        print_uf2_plan(*plan);
    if (a.dry_run)
        return report_dry_run(*plan, a);
    if (plan->method == FlashMethod::esptool)
        fmt::print("running: {}\n", command_line(plan->argv));
    std::fflush(stdout);
    FlashRunOptions run;
    run.wait_timeout = std::chrono::milliseconds(static_cast<long long>(a.timeout * 1000));
    run.on_line = [](std::string_view line) {
        fmt::print("  {}\n", line);
        std::fflush(stdout);
    };
    auto started = std::chrono::steady_clock::now();
    auto done = execute_flash(*plan, run);
    if (!done) {
        print_error(done.error().to_string());
        return k_exit_failure;
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (plan->method == FlashMethod::esptool)
        fmt::print("flash: done in {:.1f} s\n", secs);
    else
        fmt::print("flash: wrote {} ({} bytes) to {}; {}\n", plan->drive_file, plan->uf2.size(),
                   plan->drive->root.string(),
                   done->drive_gone ? fmt::format("the board reset ({:.1f} s)", secs)
                                    : std::string("not waiting for the board to reset"));
    return k_exit_ok;
}

} // namespace mpyship::cli
