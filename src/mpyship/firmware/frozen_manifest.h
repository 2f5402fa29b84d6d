// The manifest.py passed to the port as FROZEN_MANIFEST: the port's own default manifest (unless
// include_port_manifest = false), the user's manifest file or inline text, and with freeze_project = true
// one module(...) line per .py file of the project's src/ (entry points excepted: they stay source).
#pragma once

#include "mpyship/firmware/firmware_config.h"

#include <filesystem>
#include <string>

namespace mpyship::firmware {

// `tree` is the prepared source, used to find which default manifest the port has.
Result<std::string> frozen_manifest_text(const FirmwareConfig& config, const std::filesystem::path& tree);

} // namespace mpyship::firmware
