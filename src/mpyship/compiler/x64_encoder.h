// The x86-64 instructions the native emitter writes, encoded the way mpy-cross -march=x64 encodes them:
// 64-bit moves and loads with the shortest displacement (none, 8-bit, 32-bit), immediates as a 32-bit
// zero-extending `mov r32, imm32` when they fit and a 10-byte movabs otherwise, calls through rax, and
// jumps whose form depends on direction (a backward jump is short when it fits; a forward jump is always
// rel32, so the code size is known before the target is). In x86 mode (mpy-cross -march=x86) the same
// instructions are written without REX prefixes, as their 32-bit forms, and a label's address is taken
// with call/pop/add (i386 has no rip-relative addressing).
#pragma once

#include "mpyship/mpy/model.h"

#include <cstdint>
#include <map>
#include <vector>

namespace mpyship::compiler::x64 {

enum Reg : std::uint8_t { rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15 };

enum class Cond : std::uint8_t { zero = 0x4, nonzero = 0x5 }; // je / jne

enum class Mode : std::uint8_t { x64, x86 };

class Encoder {
  public:
    explicit Encoder(Mode mode = Mode::x64) : m_mode(mode) {}
    std::size_t size() const { return m_bytes.size(); }
    // While suppressed (unreachable code) nothing is written and no jump is recorded.
    void set_suppressed(bool on) { m_suppressed = on; }
    bool suppressed() const { return m_suppressed; }

    void raw8(std::uint8_t v) { u8(v); }
    void push(Reg r);
    void pop(Reg r);
    void ret();
    void mov_reg_reg(Reg dst, Reg src);
    void mov_reg_imm(Reg dst, std::uint64_t imm);
    void zero(Reg r); // xor r, r
    void add_reg_reg(Reg dst, Reg src); // add dst, src
    void load(Reg dst, Reg base, std::int32_t disp);  // mov dst, [base + disp]
    void store(Reg base, std::int32_t disp, Reg src); // mov [base + disp], src
    void lea(Reg dst, Reg base, std::int32_t disp);
    void load_u16(Reg dst, Reg base, std::int32_t disp); // movzx dst32, word [base + disp]
    void sub_rsp(std::int32_t imm);
    void add_rsp_i8(std::int8_t imm); // add rsp, imm8
    void call_reg(Reg r);
    void jump_reg(Reg r);                  // jmp *r
    void lea_label(Reg dst, std::uint32_t label); // lea dst, [rip + label] (x86: call/pop/add)
    void test_r8(Reg r);  // test r8l, r8l
    void test_r64(Reg r); // test r, r
    // A data word (x64: 8 bytes, x86: 4) holding the label's offset from the start of the code.
    void label_word(std::uint32_t label);

    // Jumps to labels numbered by the caller; bind() places a label here.
    void jump(std::uint32_t label);
    void jump_if(Cond cond, std::uint32_t label);
    void bind(std::uint32_t label);
    // Resolves forward jumps; every label jumped to must be bound.
    mpy::Bytes finish();

  private:
    void u8(std::uint8_t v);
    void u32(std::uint32_t v);
    void rex(bool w, Reg reg, Reg rm);
    void modrm_mem(Reg reg, Reg base, std::int32_t disp);
    void op_mem(std::uint8_t opcode, Reg reg, Reg base, std::int32_t disp, bool wide = true);
    void branch(std::uint8_t short_op, std::uint8_t long_op0, int long_op1, std::uint32_t label);

    void label_address_x86(Reg dst, std::uint32_t label);
    void rel32_to(std::uint32_t label, std::int64_t base); // label - base, fixed up once bound

    struct Fixup {
        std::size_t at; // offset of the rel32 field
        std::uint32_t label;
        std::int64_t base; // the offset the field counts from
    };
    mpy::Bytes m_bytes;
    std::map<std::uint32_t, std::int64_t> m_labels; // bound labels' offsets
    std::vector<Fixup> m_fixups;
    bool m_suppressed = false;
    Mode m_mode;
};

} // namespace mpyship::compiler::x64
