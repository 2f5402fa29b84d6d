// Path rules shared by both transports: joining a folder and a name, the last component, whether a path is
// a root, and the errno texts a device reports (the numbers MicroPython's OSError carries are POSIX's).
#pragma once

#include <string>
#include <string_view>

namespace mpyship::device {

std::string join_path(std::string_view folder, std::string_view name); // "" + "a" = "a", "/" + "a" = "/a"
std::string_view base_name(std::string_view path);                     // "lib/a.py" -> "a.py"
bool is_root_path(std::string_view path);                              // "", ".", "/"
std::string trim_slashes(std::string_view path);                       // "lib/" -> "lib" ("/" stays)

// "no such file or folder" for 2, ... ; "error N" for numbers without a text here.
std::string errno_text(int e);

} // namespace mpyship::device
