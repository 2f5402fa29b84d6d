// What a git source's `rev` names right now, asked of the remote with `git ls-remote` (no clone): so a build
// without mpyship.lock keys its cache by the commit a branch or tag points to today, and a moved branch gets
// a fresh tree instead of the stale one cached under the same name. A full 40-hex commit needs no asking.
#pragma once

#include "mpyship/util/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace mpyship::firmware {

bool is_full_commit(std::string_view rev);

// The commit `rev` (a branch, a tag — peeled to its commit — a full ref name, or a full commit) points to in
// the repository at `url`; nullopt when no ref has that name (an abbreviated commit: the rev is used as
// written). Fails when git cannot reach `url`; the error carries git's message.
Result<std::optional<std::string>> resolve_remote_rev(const std::string& url, const std::string& rev);

// Pure: picks the commit for `rev` from `git ls-remote` output ("<sha>\t<ref>" lines).
std::optional<std::string> pick_ref(std::string_view ls_remote_output, const std::string& rev);

} // namespace mpyship::firmware
