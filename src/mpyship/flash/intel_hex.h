// Intel HEX, the text image format the nrf, stm32 and mimxrt ports write (firmware.hex): lines
// ":LLAAAATT<data>CC" with a byte count, a 16-bit address, a record type and a two's-complement checksum.
// Types used: 00 data, 01 end of file, 02 extended segment address (<<4), 04 extended linear address (<<16);
// 03 and 05 (start addresses) carry no flash data and are skipped.
#pragma once

#include "mpyship/flash/uf2.h"
#include "mpyship/util/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace mpyship::flash {

// The data records as merged segments; errors name `name`, the line and the problem (bad character, bad
// checksum, unknown record type, overlapping data, missing end-of-file record).
Result<std::vector<Segment>> parse_intel_hex(std::string_view text, const std::string& name);

} // namespace mpyship::flash
