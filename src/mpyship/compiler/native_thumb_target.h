// The native emitter's Thumb target as a class (native_thumb.h makes it): the viper target
// (native_viper_thumb.cpp) derives from it and shares its registers, calls, state slots, globals guard and
// epilogue, with a prologue of its own. The frame constants are the layout both use.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/thumb_encoder.h"

namespace mpyship::compiler {

namespace thumb {

inline constexpr std::uint32_t k_word = 4;
inline constexpr std::uint32_t k_nlr_words = 20;         // nlr buffer and the kept return value
inline constexpr std::uint32_t k_handler_nlr_words = 21; // with exception handlers, one more word (zeroed)
inline constexpr std::uint32_t k_exc_value_offset = 1 * 4;      // nlr_buf.ret_val: the exception
inline constexpr std::uint32_t k_handler_offset = 3 * 4;        // where an exception jumps to (0: none)
inline constexpr std::uint32_t k_return_value_offset = 19 * 4;
inline constexpr std::uint32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
inline constexpr std::uint32_t k_n_state_offset = 3 * k_word;
inline constexpr std::uint32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
inline constexpr std::uint32_t k_pushed_frame_words = 3;          // r1-r3, pushed with the callee-saved ones
inline constexpr std::uint32_t k_push = 0xb500, k_pop = 0xbd00; // with lr, with pc
inline constexpr std::uint32_t k_r1_to_r7 = 0xfe;
inline constexpr std::uint32_t k_max_sp_offset = 1020;      // of ldr/str rt, [sp, #imm8 * 4]
inline constexpr std::uint32_t k_private_label = 1u << 30; // labels of the prologue and the epilogue

inline constexpr Reg k_fun_table = r7;
inline constexpr Reg k_qstr_table = r6;
inline constexpr Reg k_call_temp = r3;     // holds the called function's address
inline constexpr Reg k_prologue_temp = r4; // the same in the prologue
inline constexpr Reg k_gen_state = r5;     // a generator's code state (in the object, passed in)
inline constexpr std::uint32_t k_code_state_ip_offset = 1 * k_word; // a generator's resume address
inline constexpr std::uint32_t k_code_state_sp_offset = 2 * k_word; // a generator's top of stack

inline const NativeAbi k_abi{r0, {r0, r1, r2, r3}, r0, r1, r2, r1, {r4, r5}};

class ThumbTarget : public NativeTarget {
  public:
    explicit ThumbTarget(bool thumb2) : m_asm(thumb2) {}
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override { m_asm.mov_reg_reg(Reg(dst), Reg(src)); }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override { m_asm.mov_reg_imm(Reg(dst), std::uint32_t(imm)); }
    void zero_reg(NativeReg dst) override { m_asm.mov_reg_imm(Reg(dst), 0); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), k_fun_table, k_word * std::uint32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), k_qstr_table, 2 * qstr);
    }
    void load_cell_contents(NativeReg dst, NativeReg cell) override { m_asm.load(Reg(dst), Reg(cell), k_word); }
    void store_cell_contents(NativeReg cell, NativeReg src) override { m_asm.store(Reg(cell), k_word, Reg(src)); }
    void mov_reg_context(NativeReg dst) override {
        load_fun(Reg(dst));
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        load_fun(r0);
        m_asm.load(r0, r0, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), r0, k_word * child);
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
        m_asm.add_reg_reg(Reg(dst), Reg(dst), k_gen_state);
    }
    void call(RtFun fun) override { call_via(fun, k_call_temp); }
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.cmp_zero(r0);
        m_asm.jump_if(value ? Cond::ne : Cond::eq, label);
    }
    void jump_if_ret_null(std::uint32_t label) override {
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, label);
    }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(r0, label);
        m_asm.store(sp, k_handler_offset, r0);
    }
    void clear_handler() override {
        m_asm.mov_reg_imm(r0, 0);
        m_asm.store(sp, k_handler_offset, r0);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), sp, k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(sp, k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override {
        m_asm.mov_reg_imm(r0, 0);
        m_asm.store(sp, k_exc_value_offset, r0);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.cmp_zero(Reg(reg));
        m_asm.jump_if(Cond::eq, label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(r0, label);
        m_asm.store(sp, m_code_state - k_word, r0);
    }
    void jump_to_unwind(std::uint32_t after, std::optional<std::uint32_t> via_finally) override {
        m_asm.load(r0, sp, m_code_state - k_word);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, after);
        if (via_finally)
            m_asm.jump(*via_finally);
        else
            m_asm.bx(r0);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(r0, sp, k_exc_value_offset);
        call(RtFun::raise);
    }
    bool supports_generators() const override { return true; }
    void store_gen_sp(std::uint32_t slot) override {
        lea_state(r0, slot);
        m_asm.store(k_gen_state, k_code_state_sp_offset, r0);
    }
    void store_return_kind(GenReturn kind) override {
        m_asm.mov_reg_imm(r0, std::uint32_t(kind));
        m_asm.store(sp, k_return_value_offset, r0);
    }
    void store_resume_address(std::uint32_t label) override {
        m_asm.lea_label(r0, label);
        m_asm.store(k_gen_state, k_code_state_ip_offset, r0);
    }
    void load_throw_value(NativeReg dst) override { m_asm.load(Reg(dst), sp, m_code_state); }
    void store_throw_value(NativeReg src) override { m_asm.store(sp, m_code_state, Reg(src)); }
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
    void leave_frame() { // the epilogue's last part
        m_asm.adjust_sp(false, m_frame_bytes);
        m_asm.op16(k_pop | m_saved_regs);
    }
    std::uint32_t state_offset(std::uint32_t slot) const { return m_state + slot * k_word; }
    void call_via(RtFun fun, Reg temp) {
        m_asm.load(temp, k_fun_table, k_word * std::uint32_t(fun));
        m_asm.blx(temp);
    }
    void guard_globals(std::uint32_t body_label);
    void dispatch_exceptions();

    Encoder m_asm;
    NativeFrame m_frame;
    std::uint32_t m_code_state = 0; // offset of the code state from sp
    std::uint32_t m_state = 0;      // offset of state slot 0 from sp (a generator: from k_gen_state)
    Reg m_state_reg = sp;           // the state slots' base
    std::uint32_t m_frame_bytes = 0;
    std::uint32_t m_saved_regs = k_r1_to_r7; // pushed with lr, popped with pc
};

} // namespace thumb

} // namespace mpyship::compiler
