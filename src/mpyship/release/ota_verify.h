// `mpyship verify PUBDIR --pubkey KEY`: a published OTA tree checked as a device would, and more: every
// channel's manifest (and every kept release) carries a valid signature by a trusted key over canonical
// bytes, every object it names is there with the right size and SHA-256, and every zlib twin inflates to
// the same bytes.
#pragma once

#include "mpyship/release/signing_key.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <span>

namespace mpyship::release {

// Whether `path` looks like a published tree (or one channel's manifest.json in it).
bool is_published_tree(const std::filesystem::path& path);

Result<VerifyReport> verify_published(const std::filesystem::path& path, std::span<const PublicKey> trusted);

} // namespace mpyship::release
