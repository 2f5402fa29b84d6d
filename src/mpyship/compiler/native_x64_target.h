// The native emitter's x86-64 target as a class (native_x64.h makes it): the viper target
// (native_viper_x64.cpp) derives from it and shares its registers, calls, state slots, globals guard and
// epilogue, with a prologue of its own. The frame constants are the layout both use.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/x64_encoder.h"

namespace mpyship::compiler::x64 {

inline constexpr std::int32_t k_word = 8;
inline constexpr std::int32_t k_nlr_words = 14;       // nlr buffer (13 words) and the kept return value
inline constexpr std::int32_t k_handler_nlr_words = 15; // with exception handlers, one more word (zeroed)
inline constexpr std::int32_t k_exc_value_offset = 1 * k_word; // nlr_buf.ret_val: the exception
inline constexpr std::int32_t k_handler_offset = 5 * k_word;   // where an exception jumps to (0: none)
inline constexpr std::int32_t k_return_value_offset = 13 * k_word;
inline constexpr std::int32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
inline constexpr std::int32_t k_n_state_offset = 3 * k_word;
inline constexpr std::int32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
inline constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue
inline constexpr std::int32_t k_code_state_ip_offset = 1 * k_word; // a generator's resume address
inline constexpr std::int32_t k_code_state_sp_offset = 2 * k_word; // a generator's top of stack
inline constexpr Reg k_gen_state = r12; // a generator's code state (in the object, passed in)

inline const NativeAbi k_abi{rax, {rdi, rsi, rdx, rcx}, rax, rdi, rsi, rdi, {rbx, r12}};

class X64Target : public NativeTarget {
  public:
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override { m_asm.mov_reg_reg(Reg(dst), Reg(src)); }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override { m_asm.mov_reg_imm(Reg(dst), imm); }
    void zero_reg(NativeReg dst) override { m_asm.zero(Reg(dst)); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), rbp, k_word * std::int32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), r13, std::int32_t(2 * qstr));
    }
    void load_cell_contents(NativeReg dst, NativeReg cell) override { m_asm.load(Reg(dst), Reg(cell), k_word); }
    void store_cell_contents(NativeReg cell, NativeReg src) override { m_asm.store(Reg(cell), k_word, Reg(src)); }
    void mov_reg_context(NativeReg dst) override {
        load_fun(Reg(dst));
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        load_fun(rax);
        m_asm.load(rax, rax, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), rax, k_word * std::int32_t(child));
    }
    void store_state(std::uint32_t slot, NativeReg src) override {
        m_asm.store(m_state_reg, state_offset(slot), Reg(src));
    }
    void load_state(NativeReg dst, std::uint32_t slot) override {
        m_asm.load(Reg(dst), m_state_reg, state_offset(slot));
    }
    // (a frame without a code state, viper's, moves rsp itself for its first slot; a generator adds the
    // offset to its code state's address)
    void lea_state(NativeReg dst, std::uint32_t slot) override {
        if (m_frame.generator) {
            m_asm.mov_reg_imm(Reg(dst), std::uint64_t(state_offset(slot)));
            m_asm.add_reg_reg(Reg(dst), k_gen_state);
        } else if (state_offset(slot) == 0)
            m_asm.mov_reg_reg(Reg(dst), rsp);
        else
            m_asm.lea(Reg(dst), rsp, state_offset(slot));
    }
    void call(RtFun fun) override {
        m_asm.load(rax, rbp, k_word * std::int32_t(fun));
        m_asm.call_reg(rax);
    }
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.test_r8(rax);
        m_asm.jump_if(value ? Cond::nonzero : Cond::zero, label);
    }
    void jump_if_ret_null(std::uint32_t label) override {
        m_asm.test_r64(rax);
        m_asm.jump_if(Cond::zero, label);
    }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(rax, label);
        m_asm.store(rsp, k_handler_offset, rax);
    }
    void clear_handler() override {
        m_asm.zero(rax);
        m_asm.store(rsp, k_handler_offset, rax);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), rsp, k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(rsp, k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override {
        m_asm.zero(rax);
        m_asm.store(rsp, k_exc_value_offset, rax);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.test_r64(Reg(reg));
        m_asm.jump_if(Cond::zero, label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(rax, label);
        m_asm.store(rsp, m_code_state - k_word, rax);
    }
    void jump_to_unwind(std::uint32_t after, std::optional<std::uint32_t> via_finally) override {
        m_asm.load(rax, rsp, m_code_state - k_word);
        m_asm.test_r64(rax);
        m_asm.jump_if(Cond::zero, after);
        if (via_finally)
            m_asm.jump(*via_finally);
        else
            m_asm.jump_reg(rax);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(rdi, rsp, k_exc_value_offset);
        call(RtFun::raise);
    }
    bool supports_generators() const override { return true; }
    void store_gen_sp(std::uint32_t slot) override {
        lea_state(rax, slot);
        m_asm.store(k_gen_state, k_code_state_sp_offset, rax);
    }
    void store_return_kind(GenReturn kind) override {
        m_asm.mov_reg_imm(rax, std::uint64_t(kind));
        m_asm.store(rsp, k_return_value_offset, rax);
    }
    void store_resume_address(std::uint32_t label) override {
        m_asm.lea_label(rax, label);
        m_asm.store(k_gen_state, k_code_state_ip_offset, rax);
    }
    void load_throw_value(NativeReg dst) override { m_asm.load(Reg(dst), rsp, m_code_state); }
    void store_throw_value(NativeReg src) override { m_asm.store(rsp, m_code_state, Reg(src)); }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  protected:
    // The function object: the code state's first word (in a generator, the generator's code state).
    void load_fun(Reg dst) {
        if (m_frame.generator)
            m_asm.load(dst, k_gen_state, 0);
        else
            m_asm.load(dst, rsp, m_code_state);
    }
    void generator_prologue();
    void leave_frame(); // the epilogue's last part: frame, saved registers, ret
    std::int32_t state_offset(std::uint32_t slot) const { return m_state + std::int32_t(slot) * k_word; }
    void guard_globals(std::uint32_t body_label);
    void dispatch_exceptions();

    Encoder m_asm;
    NativeFrame m_frame;
    std::int32_t m_code_state = 0; // offset of the code state from rsp
    std::int32_t m_state = 0;      // offset of state slot 0 from rsp (a generator: from k_gen_state)
    Reg m_state_reg = rsp;         // the state slots' base
    std::int32_t m_frame_bytes = 0;
};

} // namespace mpyship::compiler::x64
