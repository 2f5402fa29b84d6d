#include "mpyship/compiler/reference_heap.h"

#include <algorithm>

namespace mpyship::compiler {

std::uint64_t ReferenceHeap::blocks_for(std::uint64_t bytes) {
    return std::max<std::uint64_t>(1, (bytes + k_block_bytes - 1) / k_block_bytes);
}

std::uint64_t ReferenceHeap::next_used_after(std::uint64_t start) const {
    std::uint64_t next = m_blocks;
    for (const Span& s : m_spans)
        if (s.live && s.start > start)
            next = std::min(next, s.start);
    return next;
}

std::optional<std::uint64_t> ReferenceHeap::find_room(std::uint64_t blocks) const {
    std::vector<const Span*> live;
    for (const Span& s : m_spans)
        if (s.live)
            live.push_back(&s);
    std::sort(live.begin(), live.end(), [](const Span* a, const Span* b) { return a->start < b->start; });
    std::uint64_t pos = m_lowest_free / 4 * 4;
    for (const Span* s : live) {
        if (s->start + s->blocks <= pos)
            continue;
        if (s->start >= pos && s->start - pos >= blocks)
            return pos;
        pos = std::max(pos, s->start + s->blocks);
    }
    if (pos <= m_blocks && m_blocks - pos >= blocks)
        return pos;
    return std::nullopt;
}

std::optional<ReferenceHeap::Handle> ReferenceHeap::allocate(std::uint64_t bytes) {
    const std::uint64_t blocks = blocks_for(bytes);
    auto start = find_room(blocks);
    if (!start)
        return std::nullopt;
    if (blocks == 1)
        m_lowest_free = *start + 1;
    m_spans.push_back({*start, blocks, true});
    return Handle(m_spans.size() - 1);
}

void ReferenceHeap::release(Handle h) {
    Span& s = m_spans[h];
    s.live = false;
    m_lowest_free = std::min(m_lowest_free, s.start);
}

std::optional<ReferenceHeap::Handle> ReferenceHeap::reallocate(Handle h, std::uint64_t bytes) {
    const std::uint64_t blocks = blocks_for(bytes);
    Span& s = m_spans[h];
    if (blocks <= s.blocks) {
        s.blocks = blocks;
        m_lowest_free = std::min(m_lowest_free, s.start + blocks);
        return h;
    }
    if (next_used_after(s.start) - s.start >= blocks) {
        s.blocks = blocks;
        return h;
    }
    auto moved = allocate(bytes);
    if (moved)
        release(h);
    return moved;
}

} // namespace mpyship::compiler
