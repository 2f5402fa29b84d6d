#include "mpyship/flash/esptool_command.h"

#include "mpyship/firmware/port_info.h"
#include "mpyship/util/parse_u32.h"
#include "mpyship/util/text_lines.h"

#include <fmt/core.h>
#include <sstream>

namespace mpyship::flash {

using namespace firmware;

namespace {

std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::istringstream in{std::string(line)};
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

bool safe_relative(const std::string& file) {
    std::filesystem::path p(file);
    if (p.is_absolute())
        return false;
    for (const auto& part : p)
        if (part == "..")
            return false;
    return true;
}

} // namespace

Result<FlashArgs> parse_flash_args(std::string_view text, const std::string& name) {
    FlashArgs args;
    std::size_t line_no = 0;
    for (std::string_view line : split_lines(text)) {
        auto w = words(line);
        ++line_no;
        if (w.empty())
            continue;
        if (w[0].starts_with("--")) {
            args.options.insert(args.options.end(), w.begin(), w.end());
            continue;
        }
        auto offset = parse_u32(w[0]);
        if (!offset || w.size() != 2)
            return fail(
                fmt::format("line {}: expected \"OFFSET FILE\" or write options, got '{}'", line_no, line),
                name);
        if (!safe_relative(w[1]))
            return fail(fmt::format("line {}: image path '{}' leaves the firmware folder", line_no, w[1]),
                        name);
        args.images.push_back({*offset, w[1]});
    }
    if (args.images.empty())
        return fail("lists no image to flash", name);
    return args;
}

std::vector<std::string> esptool_argv(const EsptoolRequest& r) {
    std::vector<std::string> argv{r.esptool, "--chip", r.chip.empty() ? "auto" : r.chip};
    if (r.port) {
        argv.push_back("--port");
        argv.push_back(*r.port);
    }
    argv.insert(argv.end(), {"--baud", std::to_string(r.baud), "--before", "default_reset", "--after",
                             "hard_reset", "write_flash"});
    argv.insert(argv.end(), r.args.options.begin(), r.args.options.end());
    if (r.erase_all)
        argv.push_back("--erase-all");
    for (const auto& image : r.args.images) {
        argv.push_back(fmt::format("0x{:x}", image.offset));
        argv.push_back((r.firmware_dir / image.file).string());
    }
    return argv;
}

Result<std::string> find_esptool(const std::string& path_env) {
    for (const char* name : {"esptool", "esptool.py"})
        if (auto p = find_on_path(name, path_env))
            return p->string();
    // Debian 12 has no esptool package: Espressif's own tool comes from PyPI (pipx keeps it out of the
    // system).
    return fail("'esptool' not found on PATH: install Espressif's esptool (e.g. `pipx install esptool`; see "
                "https://docs.espressif.com/projects/esptool/), or put esptool / esptool.py on PATH");
}

} // namespace mpyship::flash
