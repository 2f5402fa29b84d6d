#include "mpyship/project/build_arch.h"

namespace mpyship::project {

namespace {

using mpy::NativeArch;

struct BoardArch {
    std::string_view port;
    std::string_view board; // empty: every board of the port not listed before
    NativeArch arch;
};

// From the ports' makefiles of MicroPython v1.28.0 (their MPY_CROSS_FLAGS / MICROPY_CROSS_FLAGS).
constexpr BoardArch k_board_archs[] = {
    {"unix", "", NativeArch::x64},
    {"esp8266", "", NativeArch::xtensa},
    {"esp32", "ESP32_GENERIC_C2", NativeArch::rv32imc},
    {"esp32", "ESP32_GENERIC_C3", NativeArch::rv32imc},
    {"esp32", "ESP32_GENERIC_C5", NativeArch::rv32imc},
    {"esp32", "ESP32_GENERIC_C6", NativeArch::rv32imc},
    {"esp32", "ESP32_GENERIC_H2", NativeArch::rv32imc},
    {"esp32", "", NativeArch::xtensawin},
    {"rp2", "RPI_PICO", NativeArch::armv6m},
    {"rp2", "RPI_PICO_W", NativeArch::armv6m},
    {"rp2", "RPI_PICO2", NativeArch::armv7m},
    {"rp2", "RPI_PICO2_W", NativeArch::armv7m},
    {"qemu", "MPS2_AN385", NativeArch::armv7m},
    {"qemu", "NETDUINO2", NativeArch::armv7m},
    {"qemu", "MICROBIT", NativeArch::armv7m},
    {"qemu", "MPS2_AN500", NativeArch::armv7emdp},
    {"qemu", "MPS3_AN547", NativeArch::armv7emdp},
    {"qemu", "SABRELITE", NativeArch::armv6},
    {"qemu", "VIRT_RV32", NativeArch::rv32imc},
    {"qemu", "VIRT_RV64", NativeArch::rv64imc},
    {"renesas-ra", "", NativeArch::armv7m},
    {"mimxrt", "", NativeArch::armv7m},
    {"alif", "", NativeArch::armv7emdp},
};

} // namespace

std::optional<mpy::NativeArch> firmware_default_arch(std::string_view port, std::string_view board) {
    for (const BoardArch& b : k_board_archs)
        if (b.port == port && (b.board.empty() || b.board == board))
            return b.arch;
    return std::nullopt;
}

std::string native_arch_names() {
    std::string names;
    for (auto a = std::uint8_t(NativeArch::x86); a <= std::uint8_t(NativeArch::rv64imc); ++a)
        names += std::string(names.empty() ? "" : ", ") + mpy::native_arch_name(NativeArch(a));
    return names;
}

} // namespace mpyship::project
