// The Xtensa instructions the native emitter writes, encoded the way mpy-cross -march=xtensa and
// -march=xtensawin encode them (found by probing it):
// - immediates: movi.n for -32..95, movi for -2048..2047, else l32r from a literal pool at the start of
//   the code (jumped over, one pad byte, one word per load in program order, no sharing, unreachable
//   code's loads included);
// - loads off a register: l32i.n/l32i while the offset fits, else movi + add.n + l32i.n (l16ui for
//   halfwords); the frame (a1) is always reached with the 3-byte l32i/s32i;
// - a forward jump is `j`; a conditional one is the inverted beqz/bnez over a `j`, also backward when
//   the label is beyond beqz/bnez's 12 bits;
// - a label's address: movi (always 3 bytes) of its distance from the return address of a call0 to
//   the next word, then add.n with a0.
// mpy-cross writes wrong code where these forms run out (frame offsets beyond l32i's 8 bits are
// truncated, a far load into its own base register loses the base, a label beyond movi's 12 bits
// wraps): those throw a "not implemented yet" CompileError instead, so such a function stays source.
#pragma once

#include "mpyship/compiler/xtensa_encoding.h"
#include "mpyship/mpy/model.h"

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace mpyship::compiler::xtensa {

enum Reg : std::uint8_t { a0 = 0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15 };

class Encoder {
  public:
    // While suppressed (unreachable code) nothing is written and no jump is recorded (literals are).
    void set_suppressed(bool on) { m_suppressed = on; }

    void op16(std::uint32_t v);
    void op24(std::uint32_t v);
    void mov_reg_reg(Reg dst, Reg src); // mov.n (nothing when dst is src)
    void mov_reg_imm(Reg dst, std::int32_t imm);
    void load(Reg dst, Reg base, std::uint32_t offset);
    void load_u16(Reg dst, Reg base, std::uint32_t offset);
    void store(Reg base, std::uint32_t offset, Reg src); // s32i.n / s32i (offsets up to 1020)
    void load_frame(Reg dst, std::uint32_t offset);      // l32i dst, a1, offset
    void store_frame(std::uint32_t offset, Reg src);     // s32i src, a1, offset
    void lea_frame(Reg dst, std::uint32_t offset);       // addi, or movi + add.n
    void add_n(Reg r, Reg s, Reg t);
    void jx(Reg r);
    void lea_label(Reg dst, std::uint32_t label);

    // A generator's code starts with the offset of its entry (after the number of nested functions, before
    // the literal pool): the label's offset from the start of the code.
    void set_entry_word(std::uint32_t label) { m_entry_label = label; }

    void jump(std::uint32_t label);
    void jump_if_zero(bool zero, Reg r, std::uint32_t label); // beqz (zero) or bnez
    void bind(std::uint32_t label);
    // The code state's first word (the number of nested functions; none for viper code), the literal
    // pool and the code, with every forward jump, label address and literal load resolved.
    mpy::Bytes finish(std::optional<std::uint32_t> n_children);

  private:
    enum class Form : std::uint8_t { jump, lea, literal };
    struct Fixup {
        std::size_t at;
        Form form;
        std::uint32_t target; // a label, or a literal's index
    };
    void load_far(bool halfword, Reg dst, Reg base, std::uint32_t offset);
    void patch24(std::size_t at, std::uint32_t v);
    void resolve(const Fixup& f, std::size_t pool_bytes);

    mpy::Bytes m_bytes; // the code after the literal pool; offsets are from its start (word-aligned)
    std::vector<std::uint32_t> m_literals;
    std::map<std::uint32_t, std::int64_t> m_labels;
    std::vector<Fixup> m_fixups;
    bool m_suppressed = false;
    std::optional<std::uint32_t> m_entry_label;
};

} // namespace mpyship::compiler::xtensa
