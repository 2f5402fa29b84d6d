// The native emitter's Xtensa target as a class (native_xtensa.h makes it): the viper target
// (native_viper_xtensa.cpp) derives from it and shares its registers, calls, state slots and epilogue,
// with a prologue of its own. The frame constants are the layout both use.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/xtensa_encoder.h"

namespace mpyship::compiler::xtensa {

inline constexpr std::uint32_t k_word = 4;
inline constexpr std::uint32_t k_exc_value_offset =
    1 * k_word;                                        // in the nlr area: nlr_buf.ret_val, the exception
inline constexpr std::uint32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
inline constexpr std::uint32_t k_n_state_offset = 3 * k_word;
inline constexpr std::uint32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
inline constexpr std::uint32_t k_max_frame_offset = 1020;         // of l32i/s32i off a1
inline constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue
inline constexpr std::uint32_t k_setjmp = 49;                     // the function table's setjmp (xtensawin)
inline constexpr std::uint32_t k_code_state_ip_offset = 1 * k_word; // a generator's resume address
inline constexpr std::uint32_t k_code_state_sp_offset = 2 * k_word; // a generator's top of stack

// What differs between the two ABIs.
struct XtensaAbi {
    NativeAbi regs;
    Reg fun_ret; // the function's own return value
    Reg fun_table, qstr_table;
    Reg call_temp;                   // holds the called function's address
    Reg handler_reg;                 // the dispatcher's jump address (the first local's register)
    Reg gen_state;                   // a generator's code state (the second local's register)
    std::uint32_t nlr;               // the nlr area's offset in the frame (after the saved registers)
    std::uint32_t nlr_words;         // nlr buffer and the kept return value
    std::uint32_t handler_nlr_words; // with exception handlers, one more word (zeroed)
    std::uint32_t handler_offset;    // in the nlr area: where an exception jumps to (0: none)
    bool windowed;
};

inline const XtensaAbi k_windowed{{a10, {a10, a11, a12, a13}, a10, a11, a12, a11, {a4, a5}},
                                  a2,
                                  a7,
                                  a6,
                                  a8,
                                  a4,
                                  a5,
                                  1 * k_word,
                                  21,
                                  22,
                                  6 * k_word,
                                  true};
inline const XtensaAbi k_call0{{a2, {a2, a3, a4, a5}, a2, a3, a4, a3, {a12, a13}},
                               a2,
                               a15,
                               a14,
                               a0,
                               a12,
                               a13,
                               5 * k_word,
                               14,
                               15,
                               8 * k_word,
                               false};

class XtensaTarget : public NativeTarget {
  public:
    explicit XtensaTarget(const XtensaAbi& abi) : m_abi(abi), m_ret(Reg(abi.regs.ret)) {}
    const NativeAbi& abi() const override { return m_abi.regs; }
    NativeReg return_reg() const override { return m_abi.fun_ret; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override { m_asm.mov_reg_reg(Reg(dst), Reg(src)); }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override {
        m_asm.mov_reg_imm(Reg(dst), std::int32_t(std::uint32_t(imm)));
    }
    void zero_reg(NativeReg dst) override { m_asm.mov_reg_imm(Reg(dst), 0); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), m_abi.fun_table, k_word * std::uint32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), m_abi.qstr_table, 2 * qstr);
    }
    void load_cell_contents(NativeReg dst, NativeReg cell) override {
        m_asm.load(Reg(dst), Reg(cell), k_word);
    }
    void store_cell_contents(NativeReg cell, NativeReg src) override {
        m_asm.store(Reg(cell), k_word, Reg(src));
    }
    void mov_reg_context(NativeReg dst) override {
        load_fun(Reg(dst));
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        load_fun(m_ret);
        m_asm.load(m_ret, m_ret, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), m_ret, k_word * child);
    }
    // (a generator's slots are off its code state's register, with the short forms where they fit)
    void store_state(std::uint32_t slot, NativeReg src) override {
        if (m_frame.generator)
            return m_asm.store(m_abi.gen_state, state_offset(slot), Reg(src));
        m_asm.store_frame(state_offset(slot), Reg(src));
    }
    void load_state(NativeReg dst, std::uint32_t slot) override {
        if (m_frame.generator)
            return m_asm.load(Reg(dst), m_abi.gen_state, state_offset(slot));
        m_asm.load_frame(Reg(dst), state_offset(slot));
    }
    void lea_state(NativeReg dst, std::uint32_t slot) override {
        if (!m_frame.generator)
            return m_asm.lea_frame(Reg(dst), state_offset(slot));
        m_asm.mov_reg_imm(Reg(dst), std::int32_t(state_offset(slot)));
        m_asm.add_n(Reg(dst), Reg(dst), m_abi.gen_state);
    }
    void call(RtFun fun) override { call_entry(std::uint32_t(fun)); }
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override { m_asm.jump_if_zero(!value, m_ret, label); }
    void jump_if_ret_null(std::uint32_t label) override { m_asm.jump_if_zero(true, m_ret, label); }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(m_ret, label);
        m_asm.store_frame(m_abi.nlr + m_abi.handler_offset, m_ret);
    }
    void clear_handler() override {
        m_asm.mov_reg_imm(m_ret, 0);
        m_asm.store_frame(m_abi.nlr + m_abi.handler_offset, m_ret);
    }
    void load_exc_value(NativeReg dst) override {
        m_asm.load_frame(Reg(dst), m_abi.nlr + k_exc_value_offset);
    }
    void store_exc_value(NativeReg src) override {
        m_asm.store_frame(m_abi.nlr + k_exc_value_offset, Reg(src));
    }
    void clear_exc_value() override {
        m_asm.mov_reg_imm(m_ret, 0);
        store_exc_value(m_ret);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.jump_if_zero(true, Reg(reg), label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(m_ret, label);
        m_asm.store_frame(m_code_state - k_word, m_ret);
    }
    void jump_to_unwind(std::uint32_t after, std::optional<std::uint32_t> via_finally) override {
        m_asm.load_frame(m_ret, m_code_state - k_word);
        m_asm.jump_if_zero(true, m_ret, after);
        if (via_finally)
            m_asm.jump(*via_finally);
        else
            m_asm.jx(m_ret);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        load_exc_value(m_ret);
        call(RtFun::raise);
    }
    bool supports_generators() const override { return true; }
    void store_gen_sp(std::uint32_t slot) override {
        const Reg temp = Reg(m_abi.regs.temp0);
        lea_state(temp, slot);
        m_asm.store(m_abi.gen_state, k_code_state_sp_offset, temp);
    }
    void store_return_kind(GenReturn kind) override {
        const Reg temp = Reg(m_abi.regs.temp0);
        m_asm.mov_reg_imm(temp, std::int32_t(kind));
        m_asm.store_frame(return_value_offset(), temp);
    }
    void store_resume_address(std::uint32_t label) override {
        const Reg temp = Reg(m_abi.regs.temp0);
        m_asm.lea_label(temp, label);
        m_asm.store(m_abi.gen_state, k_code_state_ip_offset, temp);
    }
    void load_throw_value(NativeReg dst) override { m_asm.load_frame(Reg(dst), m_code_state); }
    void store_throw_value(NativeReg src) override { m_asm.store_frame(m_code_state, Reg(src)); }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  protected:
    std::uint32_t return_value_offset() const { return m_abi.nlr + (m_abi.nlr_words - 1) * k_word; }
    // The function object: the code state's first word (in a generator, the generator's code state).
    void load_fun(Reg dst) {
        if (m_frame.generator)
            m_asm.load(dst, m_abi.gen_state, 0);
        else
            m_asm.load_frame(dst, m_code_state);
    }
    void generator_prologue();
    std::uint32_t state_offset(std::uint32_t slot) const { return m_state + slot * k_word; }
    void call_entry(std::uint32_t index) {
        m_asm.load(m_abi.call_temp, m_abi.fun_table, k_word * index);
        m_asm.op24(rrr(m_abi.windowed ? k_callx8 : k_callx0, 0, m_abi.call_temp, 0));
    }
    void enter(std::uint32_t frame_bytes);
    void leave();
    void load_tables(std::uint32_t fun_table_const);
    void nlr_push();
    void swap_to_module_globals();
    void guard_globals();
    void dispatch_exceptions();

    const XtensaAbi& m_abi;
    Reg m_ret;
    Encoder m_asm;
    NativeFrame m_frame;
    std::uint32_t m_code_state = 0; // offset of the code state from a1
    std::uint32_t m_state = 0;      // offset of state slot 0 from a1
    std::uint32_t m_frame_bytes = 0;
    bool m_children_word = true; // native code starts with the number of nested functions, viper code not
};

} // namespace mpyship::compiler::xtensa
