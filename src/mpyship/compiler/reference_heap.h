// The official mpy-cross's garbage-collected heap as one constant fold sees it, to tell whether the reference
// folds an int result too big for us to keep (see huge_fold.h). Documented behaviour of MicroPython's GC:
// memory comes in 32-byte blocks (64-bit hosts); an allocation takes the first run of free blocks from the
// lowest block known to be free, kept at a granularity of 4 blocks; growing an allocation extends it in place
// when the blocks after it are free, else allocates anew, copies and frees the old blocks; an allocation that
// finds no room fails (a fold has no garbage to collect). Only sizes and positions are modelled.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace mpyship::compiler {

class ReferenceHeap {
  public:
    using Handle = std::uint32_t;
    static constexpr std::uint64_t k_block_bytes = 32;

    explicit ReferenceHeap(std::uint32_t free_blocks) : m_blocks(free_blocks) {}

    std::optional<Handle> allocate(std::uint64_t bytes);
    void release(Handle h);
    // The handle's blocks grown or shrunk to `bytes`; a move gives a new handle. nullopt: no room (the old
    // allocation is kept).
    std::optional<Handle> reallocate(Handle h, std::uint64_t bytes);

  private:
    struct Span {
        std::uint64_t start = 0;
        std::uint64_t blocks = 0;
        bool live = false;
    };
    static std::uint64_t blocks_for(std::uint64_t bytes);
    std::optional<std::uint64_t> find_room(std::uint64_t blocks) const;
    std::uint64_t next_used_after(std::uint64_t start) const;

    std::uint64_t m_blocks;
    std::uint64_t m_lowest_free = 0; // where a search starts (a multiple of 4 when used)
    std::vector<Span> m_spans;       // by handle
};

} // namespace mpyship::compiler
