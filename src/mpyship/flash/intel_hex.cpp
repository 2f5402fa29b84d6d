#include "mpyship/flash/intel_hex.h"

#include "mpyship/util/text_lines.h"

#include <fmt/core.h>
#include <optional>

namespace mpyship::flash {

namespace {

std::optional<std::vector<std::uint8_t>> hex_bytes(std::string_view s) {
    if (s.size() % 2 != 0)
        return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::vector<std::uint8_t> out;
    out.reserve(s.size() / 2);
    for (std::size_t i = 0; i < s.size(); i += 2) {
        int hi = nibble(s[i]), lo = nibble(s[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    return out;
}

struct Record {
    std::uint8_t type = 0;
    std::uint16_t address = 0;
    std::vector<std::uint8_t> data;
};

// One line without its ':'; the error is the problem only (the caller adds file and line).
std::expected<Record, std::string> parse_record(std::string_view body) {
    auto bytes = hex_bytes(body);
    if (!bytes)
        return std::unexpected("not a hex record (odd length or a non-hex character)");
    if (bytes->size() < 5)
        return std::unexpected("record too short");
    const auto& b = *bytes;
    if (b.size() != std::size_t{b[0]} + 5)
        return std::unexpected(fmt::format("byte count {} does not match the record's length", b[0]));
    std::uint8_t sum = 0;
    for (auto v : b)
        sum = static_cast<std::uint8_t>(sum + v);
    if (sum != 0)
        return std::unexpected("bad checksum");
    return Record{b[3], static_cast<std::uint16_t>(b[1] << 8 | b[2]), {b.begin() + 4, b.end() - 1}};
}

} // namespace

Result<std::vector<Segment>> parse_intel_hex(std::string_view text, const std::string& name) {
    std::vector<Segment> segments;
    std::uint32_t base = 0;
    bool ended = false;
    std::size_t line_no = 0;
    auto at = [&](const std::string& what) { return fail(fmt::format("line {}: {}", line_no, what), name); };
    for (std::string_view raw : split_lines(text)) {
        if (ended)
            break;
        std::string_view line = trim(raw);
        ++line_no;
        if (line.empty())
            continue;
        if (line[0] != ':')
            return at("expected ':' at the start of an Intel HEX record");
        auto rec = parse_record(line.substr(1));
        if (!rec)
            return at(rec.error());
        switch (rec->type) {
        case 0x00:
            segments.push_back({base + rec->address, std::move(rec->data)});
            break;
        case 0x01:
            ended = true;
            break;
        case 0x02:
        case 0x04:
            if (rec->data.size() != 2)
                return at("an extended address record must hold 2 bytes");
            base = static_cast<std::uint32_t>(rec->data[0] << 8 | rec->data[1])
                   << (rec->type == 0x02 ? 4 : 16);
            break;
        case 0x03:
        case 0x05:
            break;
        default:
            return at(fmt::format("unknown record type {:02X}", rec->type));
        }
    }
    if (!ended)
        return fail("no end-of-file record (:00000001FF): the file is truncated", name);
    if (segments.empty())
        return fail("no data records", name);
    return merge_segments(std::move(segments), name);
}

} // namespace mpyship::flash
