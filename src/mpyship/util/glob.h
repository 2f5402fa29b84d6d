// Glob patterns over '/'-separated relative paths, as used in mpyship.toml include/exclude lists and
// deploy --keep: `*` and `?` stay within one path component, `**` spans any number of components,
// `[abc]` / `[!a-z]` are character classes. A pattern without '/' matches any one path component
// (as in .gitignore), so `__pycache__` or `*.bak` work at any depth and cover a matched directory's files.
#pragma once

#include <string_view>

namespace mpyship {

bool glob_match(std::string_view pattern, std::string_view path);

} // namespace mpyship
