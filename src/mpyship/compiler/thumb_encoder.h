// The Thumb instructions the native emitter writes, encoded the way mpy-cross -march=armv6m..armv7emdp
// encodes them. Thumb-2 (armv7m and later) loads wide immediates with movw/movt and reaches far offsets
// with 32-bit loads; armv6m builds immediates from movs/lsls/adds/negs or a literal word after the
// instruction, and reaches far offsets through an added base. Jumps: a backward jump is short when it
// fits; a forward one is 32-bit on Thumb-2 and, on armv6m, a slot as big as the long form (align, ldr
// r1 from a literal, add pc) that finish() fills with a short branch and nops when the target is near.
#pragma once

#include "mpyship/compiler/thumb_encoding.h"
#include "mpyship/mpy/model.h"

#include <cstdint>
#include <map>
#include <vector>

namespace mpyship::compiler::thumb {

enum Reg : std::uint8_t { r0 = 0, r1, r2, r3, r4, r5, r6, r7, sp = 13, pc = 15 };

class Encoder {
  public:
    explicit Encoder(bool thumb2) : m_thumb2(thumb2) {}
    std::size_t size() const { return m_bytes.size(); }
    // While suppressed (unreachable code) nothing is written and no jump is recorded.
    void set_suppressed(bool on) { m_suppressed = on; }

    void word(std::uint32_t v); // raw data
    void label_word(std::uint32_t label); // data: the label's offset from the start of the code
    void add_reg_reg(Reg dst, Reg a, Reg b); // adds dst, a, b
    void op16(std::uint32_t v);
    void op32(std::uint32_t halfwords);
    void mov_reg_reg(Reg dst, Reg src);
    void mov_reg_imm(Reg dst, std::uint32_t imm);
    void load(Reg dst, Reg base, std::uint32_t offset);     // ldr dst, [base, #offset]
    void load_u16(Reg dst, Reg base, std::uint32_t offset); // ldrh
    void store(Reg base, std::uint32_t offset, Reg src);     // str src, [base, #offset]
    // Loads zero-extend an element of 1, 2 or 4 bytes; stores write one. Any offset (two's complement).
    void load_sized(int size, Reg dst, Reg base, std::uint32_t offset);
    void store_sized(int size, Reg base, std::uint32_t offset, Reg src);
    void push(Reg r);
    void pop(Reg r);
    void lea_sp(Reg dst, std::uint32_t offset);             // add dst, sp, #offset
    void adjust_sp(bool grow, std::uint32_t bytes);        // sub sp / add sp
    void blx(Reg r);
    void bx(Reg r);
    // dst = the label's address (with the Thumb bit): a 16-bit offset, sign-extended, added to pc.
    void lea_label(Reg dst, std::uint32_t label);
    void cmp_zero(Reg r);

    void jump(std::uint32_t label);
    void jump_if(Cond cond, std::uint32_t label);
    void bind(std::uint32_t label);
    // Resolves forward jumps; every label jumped to must be bound.
    mpy::Bytes finish();

  private:
    enum class Form : std::uint8_t { wide, wide_cond, slot, lea, data };
    struct Fixup {
        std::size_t at;
        std::size_t size; // of the slot (armv6m)
        Form form;
        Cond cond;
        std::uint32_t label;
    };
    void mov_imm_v6m(Reg dst, std::uint32_t imm);
    bool mov_small_v6m(Reg dst, std::uint32_t v);
    void mov_excess(Reg r, std::uint32_t excess, int size);
    void load_far(int size, Reg dst, Reg base, std::uint32_t offset);
    void store_far(int size, Reg base, std::uint32_t offset, Reg src);
    bool backward(std::uint32_t label, std::int64_t& off) const;
    void long_jump_slot(std::uint32_t label);
    void patch16(std::size_t at, std::uint32_t v);
    void patch_slot(const Fixup& f, std::int64_t target);
    void patch_lea(const Fixup& f, std::int64_t target);

    bool m_thumb2;
    mpy::Bytes m_bytes;
    std::map<std::uint32_t, std::int64_t> m_labels;
    std::vector<Fixup> m_fixups;
    bool m_suppressed = false;
};

} // namespace mpyship::compiler::thumb
