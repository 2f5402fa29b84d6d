// The device updater's MicroPython sources (src/mpyship/ota/device/mpyship_ota/*.py), embedded in the binary
// so that a build can ship them without the repository.
#pragma once

#include <span>
#include <string_view>

namespace mpyship::ota {

struct DeviceSource {
    std::string_view name; // "__init__.py", "_update.py", ...
    std::string_view text;
};

std::span<const DeviceSource> device_sources();

} // namespace mpyship::ota
