// The Python that `mpyship device` runs on a board through the raw REPL, and the reading of what it prints.
// Helpers are defined once per connection; each operation is then one short call. Paths travel as hex of
// their UTF-8 bytes (names with spaces, quotes, newlines or non-ASCII letters come back intact) and file
// content as base64 lines. Outcomes the host must tell apart are marker lines: "!N" nothing at that path,
// "!D" a folder where a file was expected, "!X" already exists, "!E errno name" another OSError (errno
// numbers differ between ports, so the name from errno.errorcode is sent when the port has it).
#pragma once

#include "mpyship/device/device_fs.h"
#include "mpyship/util/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace mpyship::device {

std::string_view device_helpers();

// A call of a helper with a path argument: "_d_list('a b',1)".
std::string device_call(std::string_view helper, std::string_view path, std::string_view extra = {});

// The lines of a reply without their \r; the first marker line ("!N", ...) becomes an Error naming `path`.
Result<std::vector<std::string>> reply_lines(std::string_view out, const std::string& path);

Result<std::vector<DeviceEntry>> parse_listing(const std::vector<std::string>& lines, const std::string& path);
Result<Bytes> parse_content(const std::vector<std::string>& lines, const std::string& path);

std::string hex_decode_text(std::string_view hex);
Result<Bytes> base64_decode(std::string_view text);

} // namespace mpyship::device
