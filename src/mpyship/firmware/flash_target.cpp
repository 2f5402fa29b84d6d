#include "mpyship/firmware/flash_target.h"

#include "mpyship/firmware/uf2_family.h"
#include "mpyship/util/parse_u32.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

namespace mpyship::firmware {

namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// NAME = value / NAME ?= value / NAME := value in a makefile fragment; set(NAME value) in a cmake file.
std::optional<std::string> board_variable(const std::string& mk, const std::string& cmake,
                                          const std::string& name) {
    std::smatch m;
    std::regex make_re("(^|\\n)[ \\t]*" + name + "[ \\t]*[:?]?=[ \\t]*([^\\s#]+)");
    if (std::regex_search(mk, m, make_re))
        return m[2].str();
    std::regex cmake_re("set\\(\\s*" + name + "\\s+\"?([^\"\\s)]+)\"?");
    if (std::regex_search(cmake, m, cmake_re))
        return m[1].str();
    return std::nullopt;
}

FlashTarget target(FlashMethod method, std::string chip) {
    FlashTarget t;
    t.method = method;
    t.chip = std::move(chip);
    return t;
}

// Where MicroPython's download pages say the merged esp32 firmware.bin goes, per chip.
std::uint32_t esp32_image_offset(const std::string& chip) {
    if (chip == "esp32" || chip == "esp32s2")
        return 0x1000;
    if (chip == "esp32p4")
        return 0x2000;
    return 0x0;
}

FlashTarget esp32_target(const std::string& mk, const std::string& cmake) {
    FlashTarget t =
        target(FlashMethod::esptool, lower(board_variable(mk, cmake, "IDF_TARGET").value_or("esp32")));
    t.esp_image_offset = esp32_image_offset(t.chip);
    if (t.chip == "esp32s2" || t.chip == "esp32s3") { // boards with a TinyUF2 bootloader
        t.uf2_family = parse_uf2_family(t.chip == "esp32s2" ? "ESP32S2" : "ESP32S3");
        t.uf2_base = 0;
    }
    return t;
}

FlashTarget rp2_target(const std::string& cmake) {
    std::string text = lower(cmake);
    bool rp2350 =
        text.find("rp2350") != std::string::npos || text.find("pico_board \"pico2") != std::string::npos;
    FlashTarget t = target(FlashMethod::uf2, rp2350 ? "rp2350" : "rp2040");
    t.uf2_family = parse_uf2_family(rp2350 ? "RP2350-ARM-S" : "RP2040");
    t.uf2_base = 0x10000000;
    return t;
}

FlashTarget samd_target(const std::string& mk, const std::string& cmake) {
    std::string series = lower(board_variable(mk, cmake, "MCU_SERIES").value_or(""));
    FlashTarget t = target(FlashMethod::uf2, series);
    if (series == "samd21" || series == "samd51")
        t.uf2_family = parse_uf2_family(series);
    if (auto text0 = board_variable(mk, cmake, "TEXT0"))
        t.uf2_base = parse_u32(*text0);
    if (!t.uf2_base && !series.empty())
        t.uf2_base = series == "samd21" ? 0x2000 : 0x4000;
    return t;
}

FlashTarget nrf_target(const std::string& mk, const std::string& cmake) {
    std::string chip = lower(board_variable(mk, cmake, "MCU_SUB_VARIANT").value_or(""));
    FlashTarget t = target(FlashMethod::uf2, chip);
    if (chip == "nrf52840" || chip == "nrf52833")
        t.uf2_family = parse_uf2_family(chip);
    return t;
}

FlashTarget none(std::string why) {
    FlashTarget t;
    t.why_none = std::move(why);
    return t;
}

} // namespace

FlashTarget flash_target_for(const fs::path& tree, const std::string& port,
                             const std::optional<std::string>& board) {
    fs::path dir = tree / "ports" / port / "boards" / board.value_or("");
    std::string mk = board ? read_all(dir / "mpconfigboard.mk") : std::string();
    std::string cmake = board ? read_all(dir / "mpconfigboard.cmake") : std::string();
    if (port == "esp32")
        return esp32_target(mk, cmake);
    if (port == "esp8266") {
        FlashTarget t = target(FlashMethod::esptool, "esp8266");
        t.esp_image_offset = 0;
        return t;
    }
    if (port == "rp2")
        return rp2_target(cmake);
    if (port == "samd")
        return samd_target(mk, cmake);
    if (port == "nrf")
        return nrf_target(mk, cmake);
    if (port == "mimxrt") {
        FlashTarget t = target(FlashMethod::uf2, "mimxrt");
        t.uf2_family = parse_uf2_family("MIMXRT10XX");
        return t;
    }
    if (port == "unix")
        return none("the unix port builds a program for this computer: run build/firmware/micropython");
    if (port == "qemu")
        return none(
            "the qemu port runs in an emulator: qemu-system-arm -machine <board's machine> -nographic "
            "-kernel build/firmware/firmware.elf");
    return none(
        "mpyship flash knows esptool (esp32, esp8266) and UF2 bootloaders (rp2, samd, nrf, mimxrt); for "
        "the " +
        port + " port use its own tools (see ports/" + port +
        "/README.md), or pass --method uf2 "
        "--family F [--base ADDR] if the board has a UF2 bootloader");
}

std::string_view flash_method_name(FlashMethod method) {
    switch (method) {
    case FlashMethod::esptool:
        return "esptool";
    case FlashMethod::uf2:
        return "uf2";
    case FlashMethod::none:
        break;
    }
    return "none";
}

nlohmann::ordered_json flash_target_json(const FlashTarget& t) {
    nlohmann::ordered_json j{{"method", flash_method_name(t.method)}, {"chip", t.chip}};
    if (t.uf2_family)
        j["uf2_family"] = *t.uf2_family;
    if (t.uf2_base)
        j["uf2_base"] = *t.uf2_base;
    if (t.esp_image_offset)
        j["esp_image_offset"] = *t.esp_image_offset;
    if (!t.why_none.empty())
        j["why_none"] = t.why_none;
    return j;
}

FlashTarget flash_target_from_json(const nlohmann::json& j) {
    FlashTarget t;
    if (!j.is_object())
        return t;
    std::string method = j.value("method", "none");
    t.method = method == "esptool" ? FlashMethod::esptool
               : method == "uf2"   ? FlashMethod::uf2
                                   : FlashMethod::none;
    t.chip = j.value("chip", "");
    auto u32 = [&](const char* key) -> std::optional<std::uint32_t> {
        if (j.contains(key) && j[key].is_number_unsigned() && j[key].get<std::uint64_t>() <= 0xffffffffu)
            return j[key].get<std::uint32_t>();
        return std::nullopt;
    };
    t.uf2_family = u32("uf2_family");
    t.uf2_base = u32("uf2_base");
    t.esp_image_offset = u32("esp_image_offset");
    t.why_none = j.value("why_none", "");
    return t;
}

} // namespace mpyship::firmware
