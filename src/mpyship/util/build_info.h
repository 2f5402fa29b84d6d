// Where this binary came from: the git commit it was built from ("unknown" outside a checkout), written by
// cmake/git_commit.cmake at build time. Only `mpyship version` reports it: build outputs, manifests and
// cache keys never depend on it, so two builds of one version stay byte-identical.
#pragma once

#include <string_view>

namespace mpyship {

std::string_view git_commit();

} // namespace mpyship
