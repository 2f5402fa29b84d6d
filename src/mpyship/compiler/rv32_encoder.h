// The RV32IMC instructions the native emitter writes, encoded the way mpy-cross -march=rv32imc encodes
// them: the compressed form whenever its registers and offset allow it, immediates as c.li / addi /
// (c.)lui + (c.)addi, offsets beyond 12 bits through an address built in a register. Jumps: a backward
// one is as short as its distance allows (c.j, c.beqz/c.bnez, beq/bne, else auipc + jalr behind an
// inverted branch); a forward one always has the long form (auipc t3 + jalr), a conditional one
// behind a 32-bit inverted branch, resolved by finish().
#pragma once

#include "mpyship/compiler/rv32_encoding.h"
#include "mpyship/mpy/model.h"

#include <map>
#include <vector>

namespace mpyship::compiler::rv32 {

enum class Cond : std::uint8_t { eq, ne }; // the register against zero

class Encoder {
  public:
    std::size_t size() const { return m_bytes.size(); }
    // While suppressed (unreachable code) nothing is written and no jump is recorded.
    void set_suppressed(bool on) { m_suppressed = on; }

    void word(std::uint32_t v); // raw data
    void label_word(std::uint32_t label); // data: the label's offset from the start of the code
    void add(Reg dst, Reg src) { op16(c_rr(k_c_add, dst, src)); } // c.add dst, src
    void op16(std::uint32_t v);
    void op32(std::uint32_t v);
    void mov_reg_reg(Reg dst, Reg src);
    void mov_reg_imm(Reg dst, std::int32_t imm);
    void load(Reg dst, Reg base, std::int32_t offset);     // lw dst, offset(base)
    void load_u16(Reg dst, Reg base, std::int32_t offset); // lhu
    void store(Reg base, std::int32_t offset, Reg src);     // sw src, offset(base)
    // lbu / lhu / lw and sb / sh / sw by element size (1, 2 or 4), with the word forms' compression
    void load_sized(int size, Reg dst, Reg base, std::int32_t offset);
    void store_sized(int size, Reg base, std::int32_t offset, Reg src);
    void lea_sp(Reg dst, std::int32_t offset);             // dst = sp + offset
    void add_sp(std::int32_t delta);                       // sp += delta
    void jalr(Reg r) { op16(c_rr(k_c_jalr, r)); }
    void jr(Reg r) { op16(c_rr(k_c_jr, r)); }
    void lea_label(Reg dst, std::uint32_t label); // auipc + addi

    void jump(std::uint32_t label);
    // A near backward branch if not zero takes c.bnez when it can; one if zero is always a beq.
    void jump_if(Cond cond, Reg r, std::uint32_t label);
    // A forward jump if a == b: a 32-bit bne over the long jump.
    void jump_forward_if_equal(Reg a, Reg b, std::uint32_t label);
    void bind(std::uint32_t label);
    // Resolves forward jumps; every label jumped to must be bound.
    mpy::Bytes finish();

  private:
    enum class Form : std::uint8_t { jump, lea, data };
    struct Fixup {
        std::size_t at; // of the auipc
        Form form;
        Reg reg;
        std::uint32_t label;
    };
    void mem(std::uint32_t bits, Reg r, Reg base, std::int32_t offset, bool store);
    void long_jump(std::uint32_t label, std::int64_t target);
    void patch32(std::size_t at, std::uint32_t v);

    mpy::Bytes m_bytes;
    std::map<std::uint32_t, std::int64_t> m_labels;
    std::vector<Fixup> m_fixups;
    bool m_suppressed = false;
};

} // namespace mpyship::compiler::rv32
