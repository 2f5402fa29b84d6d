#include "mpyship/flash/flash.h"

#include "mpyship/firmware/output_collect.h"
#include "mpyship/flash/intel_hex.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process_stream.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <fmt/core.h>
#include <map>
#include <nlohmann/json.hpp>

namespace mpyship::flash {

using namespace firmware;

namespace fs = std::filesystem;

namespace {

struct Recorded {
    std::string sha256;
    std::uintmax_t size = 0;
};

// What build/firmware/firmware-manifest.json says.
struct BuiltFirmware {
    bool present = false;
    std::string port, board;
    FlashTarget target;
    std::map<std::string, Recorded> outputs;
};

Result<BuiltFirmware> load_built(const fs::path& dir, bool required) {
    fs::path path = dir / k_firmware_manifest;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        if (required)
            return fail("no firmware build here: run `mpyship firmware build` first, or pass --image FILE",
                        path.string());
        return BuiltFirmware{};
    }
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto j = nlohmann::json::parse(as_text(*bytes), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("outputs") || !j["outputs"].is_array())
        return fail("not a firmware manifest (no \"outputs\" list): rebuild with `mpyship firmware build`",
                    path.string());
    BuiltFirmware b;
    b.present = true;
    const auto& inputs = j.value("inputs", nlohmann::json::object());
    b.port = inputs.value("port", "");
    b.board = inputs.value("board", "");
    b.target = inputs.contains("target")
                   ? flash_target_from_json(inputs["target"])
                   : flash_target_for({}, b.port, b.board.empty() ? std::nullopt : std::optional(b.board));
    for (const auto& o : j["outputs"])
        if (o.is_object() && o.contains("name") && o["name"].is_string())
            b.outputs[o["name"].get<std::string>()] = {o.value("sha256", ""),
                                                       o.value("size", std::uintmax_t{0})};
    return b;
}

// The file's bytes, refused when they are not what the build recorded.
Result<Bytes> read_checked(const fs::path& dir, const BuiltFirmware& built, const std::string& name) {
    auto bytes = read_file(dir / name);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto it = built.outputs.find(name);
    if (it == built.outputs.end())
        return fail("is not listed in firmware-manifest.json: rebuild with `mpyship firmware build`",
                    (dir / name).string());
    if (sha256_hex(*bytes) != it->second.sha256)
        return fail(
            "changed since the build (its SHA-256 does not match firmware-manifest.json): rebuild with "
            "`mpyship firmware build`",
            (dir / name).string());
    return bytes;
}

bool has_output(const BuiltFirmware& b, const std::string& name) {
    return b.outputs.contains(name);
}

std::optional<std::string> first_output_with(const BuiltFirmware& b, const std::string& ext) {
    for (const auto& preferred : {"firmware" + ext, "micropython" + ext})
        if (has_output(b, preferred))
            return preferred;
    for (const auto& [name, rec] : b.outputs)
        if (fs::path(name).extension() == ext && name.find('/') == std::string::npos)
            return name;
    return std::nullopt;
}

// ---- esptool ----

Result<FlashArgs> esptool_images(const FlashOptions& o, const BuiltFirmware& b, const FlashTarget& t) {
    if (o.image) {
        auto offset = o.base ? o.base : t.esp_image_offset;
        if (!offset)
            return fail("where does this image go in flash? pass --base OFFSET", o.image->string());
        FlashArgs args;
        args.images.push_back({*offset, fs::absolute(*o.image).string()});
        return args;
    }
    if (has_output(b, "flash_args")) {
        auto text = read_checked(o.firmware_dir, b, "flash_args");
        if (!text)
            return std::unexpected(text.error());
        auto args = parse_flash_args(as_text(*text), (o.firmware_dir / "flash_args").string());
        if (!args)
            return std::unexpected(args.error());
        for (const auto& image : args->images)
            if (auto checked = read_checked(o.firmware_dir, b, image.file); !checked)
                return std::unexpected(checked.error());
        return args;
    }
    if (has_output(b, "firmware.bin") && t.esp_image_offset) {
        if (auto checked = read_checked(o.firmware_dir, b, "firmware.bin"); !checked)
            return std::unexpected(checked.error());
        FlashArgs args;
        args.images.push_back({*t.esp_image_offset, "firmware.bin"});
        return args;
    }
    return fail("the build has neither flash_args nor firmware.bin to flash with esptool",
                o.firmware_dir.string());
}

Result<void> plan_esptool(const FlashOptions& o, const BuiltFirmware& b, FlashPlan& plan) {
    auto args = esptool_images(o, b, plan.target);
    if (!args)
        return std::unexpected(args.error());
    EsptoolRequest r;
    auto tool = find_esptool(o.path_env);
    if (!tool)
        plan.blocker = tool.error();
    r.esptool = tool ? *tool : "esptool";
    r.chip = o.chip.value_or(plan.target.chip.empty() ? "auto" : plan.target.chip);
    r.port = o.port;
    r.baud = o.baud;
    r.erase_all = o.erase_all;
    r.firmware_dir = o.firmware_dir;
    r.args = std::move(*args);
    plan.argv = esptool_argv(r);
    return {};
}

// ---- UF2 ----

Result<fs::path> uf2_source(const FlashOptions& o, const BuiltFirmware& b) {
    if (o.image)
        return *o.image;
    for (const char* ext : {".uf2", ".hex", ".bin"})
        if (auto name = first_output_with(b, ext))
            return o.firmware_dir / *name;
    return fail("the build has no .uf2, .hex or .bin image to flash", o.firmware_dir.string());
}

Result<std::vector<Segment>> segments_of(const fs::path& source, const Bytes& bytes, const FlashOptions& o,
                                         const FlashTarget& t) {
    if (source.extension() == ".hex")
        return parse_intel_hex(as_text(bytes), source.string());
    auto base = o.base ? o.base : t.uf2_base;
    if (!base)
        return fail(
            "a .bin image has no addresses: pass --base ADDRESS (where the board's bootloader expects "
            "the application)",
            source.string());
    if (bytes.empty())
        return fail("the image is empty", source.string());
    return std::vector<Segment>{{*base, bytes}};
}

std::string family_names() {
    std::string s;
    for (const auto& f : uf2_families())
        s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

Result<void> convert_to_uf2(const FlashOptions& o, const Bytes& bytes, FlashPlan& plan) {
    auto family = o.family ? o.family : plan.target.uf2_family;
    if (!family)
        return fail("which chip is this for? pass --family NAME|0xID to convert it to UF2 (" +
                        family_names() + ")",
                    plan.source.string());
    auto segments = segments_of(plan.source, bytes, o, plan.target);
    if (!segments)
        return std::unexpected(segments.error());
    plan.uf2 = encode_uf2(*segments, family);
    plan.converted = true;
    auto parsed = parse_uf2(plan.uf2, plan.source.string() + " (converted)");
    if (!parsed || parsed->family != family || !uf2_covers(*parsed, *segments))
        return fail("the converted UF2 image does not read back as the input (a bug in mpyship)",
                    plan.source.string());
    plan.uf2_image = std::move(*parsed);
    return {};
}

Result<void> load_uf2(const FlashOptions& o, Bytes bytes, FlashPlan& plan) {
    auto parsed = parse_uf2(bytes, plan.source.string());
    if (!parsed)
        return std::unexpected(parsed.error());
    if (o.family && parsed->family != o.family)
        return fail(fmt::format("the image is for family {}, --family says {}",
                                parsed->family ? describe_uf2_family(*parsed->family) : "none",
                                describe_uf2_family(*o.family)),
                    plan.source.string());
    plan.uf2 = std::move(bytes);
    plan.uf2_image = std::move(*parsed);
    return {};
}

Result<void> check_drive_family(const FlashOptions& o, FlashPlan& plan) {
    if (!plan.drive || !plan.uf2_image.family || o.force)
        return {};
    auto accepted = drive_families(*plan.drive);
    if (accepted.empty() || std::ranges::find(accepted, *plan.uf2_image.family) != accepted.end())
        return {};
    return fail(
        fmt::format("the drive's bootloader is for {} (Board-ID: {}), the image for {}: refusing to flash "
                    "another chip's firmware (--force overrides)",
                    describe_uf2_family(accepted.front()), plan.drive->board_id,
                    describe_uf2_family(*plan.uf2_image.family)),
        plan.drive->root.string());
}

Result<void> plan_uf2(const FlashOptions& o, const BuiltFirmware& b, FlashPlan& plan) {
    auto source = uf2_source(o, b);
    if (!source)
        return std::unexpected(source.error());
    plan.source = *source;
    auto bytes = o.image ? read_file(*source) : read_checked(o.firmware_dir, b, source->filename().string());
    if (!bytes)
        return std::unexpected(bytes.error());
    auto loaded = source->extension() == ".uf2" ? load_uf2(o, std::move(*bytes), plan)
                                                : convert_to_uf2(o, *bytes, plan);
    if (!loaded)
        return loaded;
    auto drive = !o.to || *o.to == "auto" ? find_uf2_drive(o.mounts_file) : probe_uf2_drive(*o.to);
    if (!drive)
        plan.blocker = drive.error();
    else
        plan.drive = *drive;
    return check_drive_family(o, plan);
}

FlashMethod method_for_image(const FlashOptions& o, const FlashTarget& t) {
    if (o.method)
        return *o.method;
    if (o.image && o.image->extension() == ".uf2")
        return FlashMethod::uf2;
    return t.method;
}

} // namespace

Result<FlashPlan> plan_flash(const FlashOptions& o) {
    auto built = load_built(o.firmware_dir, !o.image);
    if (!built)
        return std::unexpected(built.error());
    FlashPlan plan;
    plan.port_name = built->port;
    plan.board = built->board;
    plan.target = built->target;
    if (o.chip)
        plan.target.chip = *o.chip;
    plan.method = method_for_image(o, plan.target);
    Result<void> planned;
    switch (plan.method) {
    case FlashMethod::esptool:
        planned = plan_esptool(o, *built, plan);
        break;
    case FlashMethod::uf2:
        planned = plan_uf2(o, *built, plan);
        break;
    case FlashMethod::none:
        return fail(plan.target.why_none.empty()
                        ? std::string("how should this image be flashed? pass --method esptool|uf2")
                        : "nothing to flash for this port: " + plan.target.why_none);
    }
    if (!planned)
        return std::unexpected(planned.error());
    return plan;
}

Result<FlashOutcome> execute_flash(const FlashPlan& plan, const FlashRunOptions& run) {
    if (plan.blocker)
        return std::unexpected(*plan.blocker);
    FlashOutcome outcome;
    if (plan.method == FlashMethod::esptool) {
        auto code = run_streaming(plan.argv, {}, [&](std::string_view line) {
            if (run.on_line)
                run.on_line(line);
        });
        if (!code)
            return std::unexpected(code.error());
        if (*code != 0)
            return fail(fmt::format("esptool failed (exit {}): check the port (--port), that the board is "
                                    "connected, and hold BOOT while pressing RESET if it does not connect",
                                    *code));
        return outcome;
    }
    auto written = write_uf2_to_drive(plan.drive->root, plan.drive_file, plan.uf2);
    if (!written)
        return std::unexpected(written.error());
    if (run.wait_timeout.count() > 0) {
        outcome.drive_gone = wait_for_drive_to_go(plan.drive->root, run.wait_timeout);
        if (!outcome.drive_gone)
            return fail(
                fmt::format("the image was written but the drive is still there after {} s: the "
                            "bootloader did not take it (wrong chip family or flash address?), or the "
                            "board does not reset by itself",
                            run.wait_timeout.count() / 1000.0),
                plan.drive->root.string());
    }
    return outcome;
}

bool uf2_covers(const Uf2Image& image, const std::vector<Segment>& segments) {
    for (const auto& s : segments) {
        std::size_t done = 0;
        while (done < s.data.size()) {
            std::uint32_t addr = s.address + static_cast<std::uint32_t>(done);
            auto it = std::ranges::find_if(image.segments, [&](const Segment& seg) {
                return addr >= seg.address && addr < seg.address + seg.data.size();
            });
            if (it == image.segments.end())
                return false;
            std::size_t offset = addr - it->address;
            std::size_t n = std::min(s.data.size() - done, it->data.size() - offset);
            if (!std::equal(s.data.begin() + static_cast<std::ptrdiff_t>(done),
                            s.data.begin() + static_cast<std::ptrdiff_t>(done + n),
                            it->data.begin() + static_cast<std::ptrdiff_t>(offset)))
                return false;
            done += n;
        }
    }
    return true;
}

} // namespace mpyship::flash
