// Which names a FAT drive can hold, and how it compares them. FAT long names forbid control characters and
// <>:"/\|?*, drop trailing dots and spaces, allow at most 255 characters per name, and compare without
// case; two build files differing only in case would overwrite each other. Folding is ASCII-only (the
// runtime's FatFs also folds only ASCII unless built with a code page), which is what CIRCUITPY uses.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mpyship::deploy {

// Why `path` ('/'-separated, relative) cannot be stored on FAT; empty when it can.
std::string fat_name_problem(std::string_view path);

// The key FAT compares names by: ASCII lowercase.
std::string fat_fold(std::string_view path);

// "path: reason" for every path FAT cannot hold, plus every case-insensitive collision, sorted.
std::vector<std::string> unstorable_names(const std::vector<std::string>& paths);

} // namespace mpyship::deploy
