// The viper operations the x86-64 and i386 targets encode alike (mpy-cross writes the same instructions
// for both, 64-bit ones with a REX.W prefix on x64): register arithmetic, shifts by cl, negation, setcc
// comparisons and the zero-extending loads and stores through pointers; X64FamilyViper is the part of
// ViperTarget both implement with them.
#pragma once

#include "mpyship/compiler/native_viper_target.h"
#include "mpyship/compiler/x64_encoder.h"

namespace mpyship::compiler::x64 {

class ViperOps {
  public:
    // `wide`: 64-bit operands (x64); i386 has no REX prefixes at all.
    ViperOps(Encoder& a, bool wide) : m_a(a), m_wide(wide) {}

    void arith(ViperArith op, NativeReg dst, NativeReg src);
    void shift_by_count(ViperArith op, NativeReg dst);
    void negate(NativeReg r, bool invert); // neg / not
    void compare_to(Reg ret, ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs);
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp);
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src);
    // The index is added to the base once per byte of the element.
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) {
        for (int k = 0; k < size; ++k)
            arith(ViperArith::add, base, index);
        load_mem(size, dst, base, 0);
    }
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) {
        for (int k = 0; k < size; ++k)
            arith(ViperArith::add, base, index);
        store_mem(size, base, 0, src);
    }
    void cmp(NativeReg lhs, NativeReg rhs) { reg_reg(0x39, rhs, lhs); } // cmp lhs, rhs
    void jump_if(Reg r, bool nonzero, std::uint32_t label) { // on the whole register
        m_a.test_r64(r);
        m_a.jump_if(nonzero ? Cond::nonzero : Cond::zero, label);
    }

  private:
    void rex(bool w, NativeReg reg, NativeReg rm);
    void reg_reg(std::uint8_t opcode, NativeReg reg, NativeReg rm); // op rm, reg (word-sized)
    void mem(NativeReg reg, NativeReg base, std::int32_t disp);

    Encoder& m_a;
    bool m_wide;
};

// The viper operations of both targets; the arch's target class derives from its native target first
// (whose encoder this then uses) and from this.
class X64FamilyViper : public ViperTarget {
  public:
    X64FamilyViper(Encoder& a, bool wide) : m_ops(a, wide) {}

    void arith(ViperArith op, NativeReg dst, NativeReg src) override { m_ops.arith(op, dst, src); }
    std::optional<NativeReg> shift_count_reg() const override { return rcx; } // (ecx on i386)
    void shift_by_count(ViperArith op, NativeReg dst) override { m_ops.shift_by_count(op, dst); }
    void negate(NativeReg r, bool invert) override { m_ops.negate(r, invert); }
    void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) override {
        m_ops.compare_to(rax, cmp, is_unsigned, lhs, rhs);
    }
    void jump_if_ret(bool nonzero, std::uint32_t label) override { m_ops.jump_if(rax, nonzero, label); }
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) override {
        m_ops.load_mem(size, dst, base, disp);
    }
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) override {
        m_ops.store_mem(size, base, disp, src);
    }
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) override {
        m_ops.load_indexed(size, dst, base, index);
    }
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) override {
        m_ops.store_indexed(size, base, index, src);
    }
    // the value is stored from the third argument register (rdx, edx) whatever register it was in
    bool store_value_fixed() const override { return true; }

  protected:
    ViperOps m_ops;
};

} // namespace mpyship::compiler::x64
