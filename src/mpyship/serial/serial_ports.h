// `--port auto`: USB serial devices whose USB vendor is one MicroPython and CircuitPython boards use
// (the boards' own USB: Raspberry Pi, Adafruit, MicroPython's pyboard, Espressif, pid.codes; and the
// USB-UART bridges on most ESP32 boards: Silicon Labs, WCH, FTDI). Read from /sys/class/tty/*/device/..
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::serial {

struct SerialCandidate {
    std::string device;    // /dev/ttyACM0
    std::string vendor_id; // "2e8a"
    std::string vendor;    // "Raspberry Pi"
    std::string product;   // from the USB descriptor, may be empty
};

// Known vendors' devices under `sys_class_tty` (sorted by device path).
std::vector<SerialCandidate> list_board_ports(const std::filesystem::path& sys_class_tty = "/sys/class/tty");

// The one candidate; an error listing them when there are several, or saying none was found.
Result<std::string> find_board_port(const std::filesystem::path& sys_class_tty = "/sys/class/tty");

} // namespace mpyship::serial
