// The native emitter's RISC-V target as a class (native_rv32.h makes it): the viper target
// (native_viper_rv32.cpp) derives from it and shares its registers, calls, state slots, globals guard and
// epilogue, with a prologue of its own. The frame constants are the layout both use.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/rv32_encoder.h"

#include <vector>

namespace mpyship::compiler {

namespace rv32 {

inline constexpr std::int32_t k_word = 4;
inline constexpr std::int32_t k_nlr_words = 18;         // nlr buffer and the kept return value
inline constexpr std::int32_t k_handler_nlr_words = 19; // with exception handlers, one more word (zeroed)
inline constexpr std::int32_t k_exc_value_offset = 1 * k_word; // in the nlr area: nlr_buf.ret_val, the exception
inline constexpr std::int32_t k_handler_offset = 6 * k_word;   // where an exception jumps to (0: none)
inline constexpr std::int32_t k_return_value_offset = 17 * k_word;
inline constexpr std::int32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
inline constexpr std::int32_t k_n_state_offset = 3 * k_word;
inline constexpr std::int32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
inline constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue
// Function-table entries below this offset are called through s0 with the compressed load, the
// others through t3.
inline constexpr std::int32_t k_s0_call_limit = 64;

inline constexpr Reg k_fun_table = s1;
inline constexpr Reg k_qstr_table = s4;
inline constexpr Reg k_handler_reg = s3; // the dispatcher's jump address (the first local's register)
inline constexpr Reg k_gen_state = s2;   // a generator's code state (in the object, passed in)
inline constexpr std::int32_t k_code_state_ip_offset = 1 * k_word; // a generator's resume address
inline constexpr std::int32_t k_code_state_sp_offset = 2 * k_word; // a generator's top of stack
inline constexpr std::int32_t k_cm_push_min = 32, k_cm_push_max = 80; // {ra, s0-s4} on RV32: 32 + up to 3 * 16

inline const NativeAbi k_abi{a0, {a0, a1, a2, a3}, t1, t2, t3, t2, {s3, s2}};

class Rv32Target : public NativeTarget {
  public:
    Rv32Target(NativeModuleState& module, bool zcmp) : m_module(module), m_zcmp(zcmp) {}
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override {
        if (dst != src)
            m_asm.mov_reg_reg(Reg(dst), Reg(src));
    }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override {
        m_asm.mov_reg_imm(Reg(dst), std::int32_t(std::uint32_t(imm)));
    }
    void zero_reg(NativeReg dst) override { m_asm.mov_reg_imm(Reg(dst), 0); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), k_fun_table, k_word * std::int32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), k_qstr_table, std::int32_t(2 * qstr));
    }
    void load_cell_contents(NativeReg dst, NativeReg cell) override { m_asm.load(Reg(dst), Reg(cell), k_word); }
    void store_cell_contents(NativeReg cell, NativeReg src) override { m_asm.store(Reg(cell), k_word, Reg(src)); }
    void mov_reg_context(NativeReg dst) override {
        load_fun(Reg(dst));
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        load_fun(t1);
        m_asm.load(t1, t1, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), t1, k_word * std::int32_t(child));
    }
    void store_state(std::uint32_t slot, NativeReg src) override {
        m_asm.store(m_state_reg, state_offset(slot), Reg(src));
    }
    void load_state(NativeReg dst, std::uint32_t slot) override {
        m_asm.load(Reg(dst), m_state_reg, state_offset(slot));
    }
    void lea_state(NativeReg dst, std::uint32_t slot) override {
        if (!m_frame.generator)
            return m_asm.lea_sp(Reg(dst), state_offset(slot));
        m_asm.mov_reg_imm(Reg(dst), state_offset(slot));
        m_asm.add(Reg(dst), k_gen_state);
    }
    void call(RtFun fun) override;
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.jump_if(value ? Cond::ne : Cond::eq, a0, label);
    }
    void jump_if_ret_null(std::uint32_t label) override { m_asm.jump_if(Cond::eq, a0, label); }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(a0, label);
        m_asm.store(sp, m_nlr + k_handler_offset, a0);
    }
    void clear_handler() override {
        m_asm.mov_reg_imm(a0, 0);
        m_asm.store(sp, m_nlr + k_handler_offset, a0);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), sp, m_nlr + k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(sp, m_nlr + k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override { m_asm.store(sp, m_nlr + k_exc_value_offset, zero); }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override { m_asm.jump_if(Cond::eq, Reg(reg), label); }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(a0, label);
        m_asm.store(sp, m_code_state - k_word, a0);
    }
    void jump_to_unwind(std::uint32_t after, std::optional<std::uint32_t> via_finally) override {
        m_asm.load(a0, sp, m_code_state - k_word);
        m_asm.jump_if(Cond::eq, a0, after);
        if (via_finally)
            m_asm.jump(*via_finally);
        else
            m_asm.jr(a0);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(a0, sp, m_nlr + k_exc_value_offset);
        call(RtFun::raise);
    }
    bool supports_generators() const override { return true; }
    void store_gen_sp(std::uint32_t slot) override {
        lea_state(t1, slot);
        m_asm.store(k_gen_state, k_code_state_sp_offset, t1);
    }
    void store_return_kind(GenReturn kind) override {
        m_asm.mov_reg_imm(t1, std::int32_t(kind));
        m_asm.store(sp, m_nlr + k_return_value_offset, t1);
    }
    void store_resume_address(std::uint32_t label) override {
        m_asm.lea_label(t1, label);
        m_asm.store(k_gen_state, k_code_state_ip_offset, t1);
    }
    void load_throw_value(NativeReg dst) override { m_asm.load(Reg(dst), sp, m_code_state); }
    void store_throw_value(NativeReg src) override { m_asm.store(sp, m_code_state, Reg(src)); }
    void clear_throw_value(NativeReg) override { m_asm.store(sp, m_code_state, zero); }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  protected:
    // The function object: the code state's first word (in a generator, the generator's code state).
    void load_fun(Reg dst) {
        if (m_frame.generator)
            m_asm.load(dst, k_gen_state, 0);
        else
            m_asm.load(dst, sp, m_code_state);
    }
    void generator_prologue();
    void leave_frame(); // the epilogue's last part: saved registers, frame, return
    std::int32_t state_offset(std::uint32_t slot) const { return m_state + std::int32_t(slot) * k_word; }
    void call_entry(std::uint32_t index); // the function table's entry `index`
    std::vector<Reg> saved_regs() const;
    void push_classic();
    void push_zcmp();
    // The registers saved (cm.push or the classic way), then the qstr table and the function table loaded
    // from the function object in a0: the start of every native and viper prologue.
    void save_registers_and_load_tables(std::uint32_t fun_table_const);
    void guard_globals();
    void dispatch_exceptions();

    NativeModuleState& m_module;
    bool m_zcmp; // -march-flags=zcmp: the registers are saved and restored with cm.push / cm.popret
    std::int32_t m_push_bytes = 0; // the part of the frame cm.push allocates
    Encoder m_asm;
    NativeFrame m_frame;
    bool m_saves_s0 = false;
    std::int32_t m_nlr = 0;        // offset of the nlr area from sp (after the saved registers)
    std::int32_t m_code_state = 0; // offset of the code state from sp
    std::int32_t m_state = 0;      // offset of state slot 0 from sp (a generator: from k_gen_state)
    Reg m_state_reg = sp;          // the state slots' base
    std::int32_t m_frame_bytes = 0;
};

} // namespace rv32

} // namespace mpyship::compiler
