// `mpyship publish`: a finished build as a signed OTA release in a static tree any HTTP server can host
// (docs/ota.md): objects/<sha256> (and a zlib twin with a 1 KiB window where that is smaller), the signed
// manifest of the channel, every earlier release kept under <channel>/releases/, and a mip package.json.
// Objects are written before the manifest that names them, so a reader never sees a release whose files
// are missing; the channel's manifest.json is replaced last, in one rename.
#pragma once

#include "mpyship/release/signed_release.h"
#include "mpyship/release/signing_key.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace mpyship::release {

struct PublishOptions {
    std::filesystem::path build_dir; // the project's out folder: manifest.json and mpy/
    std::filesystem::path out;       // PUBDIR
    std::string channel = "stable";
    std::optional<std::uint64_t> sequence; // default: the channel's last + 1
    std::optional<std::string> board;
    std::optional<std::int64_t> expires;
    std::string name; // the project's, for package.json
    SigningKey key;
};

struct PublishReport {
    std::uint64_t sequence = 0;
    std::string version;
    std::size_t files = 0;
    std::size_t objects_written = 0; // new objects (an unchanged file's object is already there)
    std::size_t compressed = 0;      // objects that got a .z twin
    std::filesystem::path manifest;
};

bool is_valid_channel(std::string_view name);
// The sequence of the channel's current release in PUBDIR, 0 when it has none.
Result<std::uint64_t> current_sequence(const std::filesystem::path& out, const std::string& channel);

Result<PublishReport> publish_release(const PublishOptions& options);

} // namespace mpyship::release
