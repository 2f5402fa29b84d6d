// The native emitter's i386 target as a class (native_x86.h makes it): the viper target
// (native_viper_x86.cpp) derives from it and shares its registers, calls, state slots, globals guard and
// epilogue, with a prologue of its own. The frame constants are the layout both use.
#pragma once

#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/x64_encoder.h"

namespace mpyship::compiler::x86 {

using x64::Cond;
using x64::Encoder;
using x64::Reg;

// The i386 registers: the x86-64 encoder's first eight, written without REX prefixes.
inline constexpr Reg eax = x64::rax, ecx = x64::rcx, edx = x64::rdx, ebx = x64::rbx, esp = x64::rsp, ebp = x64::rbp,
              esi = x64::rsi, edi = x64::rdi;

inline constexpr std::int32_t k_word = 4;
inline constexpr std::int32_t k_nlr_words = 10;         // nlr buffer (9 words) and the kept return value
inline constexpr std::int32_t k_handler_nlr_words = 11; // with exception handlers, one more word (zeroed)
inline constexpr std::int32_t k_exc_value_offset = 1 * k_word; // nlr_buf.ret_val: the exception
inline constexpr std::int32_t k_handler_offset = 5 * k_word;   // where an exception jumps to (0: none)
inline constexpr std::int32_t k_return_value_offset = 9 * k_word;
inline constexpr std::int32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
inline constexpr std::int32_t k_n_state_offset = 3 * k_word;
inline constexpr std::int32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
inline constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue
inline constexpr std::int32_t k_saved_words = 5;                  // the return address and ebp, ebx, esi, edi
inline constexpr std::int32_t k_call_area = 16;                   // calls keep esp 16-byte aligned
inline constexpr int k_max_call_args = 4;

inline constexpr Reg k_fun_table = ebp;
inline constexpr Reg k_qstr_table = edi;
inline constexpr Reg k_handler_reg = ebx; // the dispatcher's jump address (the first local's register)
inline constexpr Reg k_gen_state = esi;   // a generator's code state (the second local's register)
inline constexpr std::int32_t k_code_state_ip_offset = 1 * k_word; // a generator's resume address
inline constexpr std::int32_t k_code_state_sp_offset = 2 * k_word; // a generator's top of stack

inline const NativeAbi k_abi{eax, {eax, ecx, edx, ebx}, eax, ecx, edx, ecx, {ebx, esi}};

// How many arguments a function-table entry takes (they are pushed).
int n_args(RtFun fun);

class X86Target : public NativeTarget {
  public:
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override {
        if (dst != src) // (the return value is already the first argument)
            m_asm.mov_reg_reg(Reg(dst), Reg(src));
    }
    // Small-int objects are 32-bit words here: a negative one is its low 32 bits.
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override { m_asm.mov_reg_imm(Reg(dst), imm & 0xffffffffu); }
    void zero_reg(NativeReg dst) override { m_asm.zero(Reg(dst)); }
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
        load_fun(eax);
        m_asm.load(eax, eax, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), eax, k_word * std::int32_t(child));
    }
    void store_state(std::uint32_t slot, NativeReg src) override {
        m_asm.store(m_state_reg, state_offset(slot), Reg(src));
    }
    void load_state(NativeReg dst, std::uint32_t slot) override {
        m_asm.load(Reg(dst), m_state_reg, state_offset(slot));
    }
    void lea_state(NativeReg dst, std::uint32_t slot) override {
        if (!m_frame.generator)
            return lea_esp(Reg(dst), state_offset(slot));
        m_asm.mov_reg_imm(Reg(dst), std::uint64_t(state_offset(slot)));
        m_asm.add_reg_reg(Reg(dst), k_gen_state);
    }
    void call(RtFun fun) override;
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override {
        if (m_frame.has_handlers || m_frame.guards_globals)
            m_asm.store(esp, k_return_value_offset, eax);
    }
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.test_r8(eax);
        m_asm.jump_if(value ? Cond::nonzero : Cond::zero, label);
    }
    void jump_if_ret_null(std::uint32_t label) override { jump_if_zero(eax, label); }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(eax, label);
        m_asm.store(esp, k_handler_offset, eax);
    }
    void clear_handler() override {
        m_asm.zero(eax);
        m_asm.store(esp, k_handler_offset, eax);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), esp, k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(esp, k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override {
        m_asm.zero(eax);
        m_asm.store(esp, k_exc_value_offset, eax);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.test_r64(Reg(reg));
        m_asm.jump_if(Cond::zero, label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(eax, label);
        m_asm.store(esp, m_code_state - k_word, eax);
    }
    void jump_to_unwind(std::uint32_t after, std::optional<std::uint32_t> via_finally) override {
        m_asm.load(eax, esp, m_code_state - k_word);
        m_asm.test_r64(eax);
        m_asm.jump_if(Cond::zero, after);
        if (via_finally)
            m_asm.jump(*via_finally);
        else
            m_asm.jump_reg(eax);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(eax, esp, k_exc_value_offset);
        call(RtFun::raise);
    }
    bool supports_generators() const override { return true; }
    void store_gen_sp(std::uint32_t slot) override {
        lea_state(eax, slot);
        m_asm.store(k_gen_state, k_code_state_sp_offset, eax);
    }
    void store_return_kind(GenReturn kind) override {
        m_asm.mov_reg_imm(eax, std::uint64_t(kind));
        m_asm.store(esp, k_return_value_offset, eax);
    }
    void store_resume_address(std::uint32_t label) override {
        m_asm.lea_label(eax, label);
        m_asm.store(k_gen_state, k_code_state_ip_offset, eax);
    }
    void load_throw_value(NativeReg dst) override { m_asm.load(Reg(dst), esp, m_code_state); }
    void store_throw_value(NativeReg src) override { m_asm.store(esp, m_code_state, Reg(src)); }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  protected:
    // The function object: the code state's first word (in a generator, the generator's code state).
    void load_fun(Reg dst) {
        if (m_frame.generator)
            m_asm.load(dst, k_gen_state, 0);
        else
            m_asm.load(dst, esp, m_code_state);
    }
    void generator_prologue();
    void leave_frame(); // the epilogue's last part: frame, saved registers, ret
    // calls function-table entry `entry` with its first n arguments pushed
    void call_entry(std::int32_t entry, int n);
    std::int32_t state_offset(std::uint32_t slot) const { return m_state + std::int32_t(slot) * k_word; }
    void lea_esp(Reg dst, std::int32_t offset) {
        if (offset == 0)
            m_asm.mov_reg_reg(dst, esp);
        else
            m_asm.lea(dst, esp, offset);
    }
    void guard_globals(std::uint32_t body_label);
    void dispatch_exceptions();
    void load_module_globals(Reg dst);

    Encoder m_asm{x64::Mode::x86};
    NativeFrame m_frame;
    std::int32_t m_code_state = 0; // offset of the code state from esp
    std::int32_t m_state = 0;      // offset of state slot 0 from esp (a generator: from k_gen_state)
    Reg m_state_reg = esp;         // the state slots' base
    std::int32_t m_frame_bytes = 0;
};

} // namespace mpyship::compiler::x86
