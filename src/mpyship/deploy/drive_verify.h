// `mpyship verify DRIVE`: the manifest's files on a mounted board drive, plus what makes the board run
// something else than the build even when every file matches: a stale foo.py (or package folder foo/) that
// the runtime imports before the build's foo.mpy. Each is a problem with its reason; `deploy` removes them.
#pragma once

#include "mpyship/project/manifest.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/error.h"

#include <filesystem>

namespace mpyship::deploy {

Result<release::VerifyReport> verify_board_drive(const std::filesystem::path& drive,
                                                 const project::Manifest& manifest);

} // namespace mpyship::deploy
