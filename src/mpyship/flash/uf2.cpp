#include "mpyship/flash/uf2.h"

#include "mpyship/util/parse_u32.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/core.h>
#include <map>

namespace mpyship::flash {

using namespace firmware;

namespace {

void put32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t get32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

using Page = std::array<std::uint8_t, k_uf2_page>;

// Page address → bytes; a byte no segment covers stays 0xff.
std::map<std::uint32_t, Page> paginate(const std::vector<Segment>& segments) {
    std::map<std::uint32_t, Page> pages;
    for (const auto& s : segments)
        for (std::size_t i = 0; i < s.data.size();) {
            std::uint32_t addr = s.address + static_cast<std::uint32_t>(i);
            std::uint32_t in_page = addr & (k_uf2_page - 1);
            std::size_t n = std::min<std::size_t>(k_uf2_page - in_page, s.data.size() - i);
            auto [it, fresh] = pages.try_emplace(addr - in_page);
            if (fresh)
                it->second.fill(0xff);
            std::copy_n(s.data.begin() + static_cast<std::ptrdiff_t>(i), n, it->second.begin() + in_page);
            i += n;
        }
    return pages;
}

struct BlockHeader {
    std::uint32_t flags, address, size, number, count, family_or_size;
};

Result<BlockHeader> read_block(const std::uint8_t* b, std::size_t index, const std::string& name) {
    auto bad = [&](const std::string& what) {
        return fail(fmt::format("not a valid UF2 file: block {} (offset {}): {}", index,
                                index * k_uf2_block_size, what),
                    name);
    };
    if (get32(b) != k_uf2_magic_start0 || get32(b + 4) != k_uf2_magic_start1)
        return bad("bad start magic");
    if (get32(b + 508) != k_uf2_magic_end)
        return bad("bad end magic");
    BlockHeader h{get32(b + 8), get32(b + 12), get32(b + 16), get32(b + 20), get32(b + 24), get32(b + 28)};
    if (h.size > k_uf2_max_payload)
        return bad(fmt::format("payload size {} is over {}", h.size, k_uf2_max_payload));
    if (h.number != index)
        return bad(fmt::format("block number {} out of order", h.number));
    if (h.count == 0 || h.number >= h.count)
        return bad(fmt::format("block number {} is not below the block count {}", h.number, h.count));
    if (static_cast<std::uint64_t>(h.address) + h.size > (std::uint64_t{1} << 32))
        return bad("payload runs past the 32-bit address space");
    return h;
}

} // namespace

std::vector<std::uint8_t> encode_uf2(std::vector<Segment> segments, std::optional<std::uint32_t> family) {
    auto pages = paginate(segments);
    std::vector<std::uint8_t> out(pages.size() * k_uf2_block_size, 0);
    std::uint32_t total = static_cast<std::uint32_t>(pages.size() * k_uf2_page);
    std::uint32_t index = 0;
    for (const auto& [address, page] : pages) {
        std::uint8_t* b = out.data() + std::size_t{index} * k_uf2_block_size;
        put32(b, k_uf2_magic_start0);
        put32(b + 4, k_uf2_magic_start1);
        put32(b + 8, family ? k_uf2_flag_family : 0);
        put32(b + 12, address);
        put32(b + 16, k_uf2_page);
        put32(b + 20, index);
        put32(b + 24, static_cast<std::uint32_t>(pages.size()));
        put32(b + 28, family ? *family : total);
        std::copy(page.begin(), page.end(), b + 32);
        put32(b + 508, k_uf2_magic_end);
        ++index;
    }
    return out;
}

Result<Uf2Image> parse_uf2(std::span<const std::uint8_t> bytes, const std::string& name) {
    if (bytes.empty() || bytes.size() % k_uf2_block_size != 0)
        return fail(fmt::format("not a valid UF2 file: its size {} is not a positive multiple of {}",
                                bytes.size(), k_uf2_block_size),
                    name);
    Uf2Image image;
    image.blocks = bytes.size() / k_uf2_block_size;
    std::vector<Segment> segments;
    for (std::size_t i = 0; i < image.blocks; ++i) {
        const std::uint8_t* b = bytes.data() + i * k_uf2_block_size;
        auto h = read_block(b, i, name);
        if (!h)
            return std::unexpected(h.error());
        if (h->count != image.blocks)
            return fail(fmt::format("not a valid UF2 file: block {} says the file has {} blocks, it has {}",
                                    i, h->count, image.blocks),
                        name);
        if (h->flags & k_uf2_flag_not_main_flash)
            continue;
        std::optional<std::uint32_t> family;
        if (h->flags & k_uf2_flag_family)
            family = h->family_or_size;
        if (!segments.empty() && family != image.family)
            return fail(fmt::format("not a valid UF2 file: block {} has family {}, the first block has {}", i,
                                    family ? describe_uf2_family(*family) : "none",
                                    image.family ? describe_uf2_family(*image.family) : "none"),
                        name);
        image.family = family;
        segments.push_back({h->address, {b + 32, b + 32 + h->size}});
        image.payload_bytes += h->size;
    }
    auto merged = merge_segments(std::move(segments), name);
    if (!merged)
        return std::unexpected(merged.error());
    image.segments = std::move(*merged);
    return image;
}

Result<std::vector<Segment>> merge_segments(std::vector<Segment> segments, const std::string& name) {
    std::stable_sort(segments.begin(), segments.end(),
                     [](const Segment& a, const Segment& b) { return a.address < b.address; });
    std::vector<Segment> out;
    for (auto& s : segments) {
        if (s.data.empty())
            continue;
        if (!out.empty()) {
            auto& last = out.back();
            std::uint64_t end = std::uint64_t{last.address} + last.data.size();
            if (s.address < end)
                return fail(fmt::format("data for address 0x{:08x} appears twice", s.address), name);
            if (s.address == end) {
                last.data.insert(last.data.end(), s.data.begin(), s.data.end());
                continue;
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace mpyship::flash
