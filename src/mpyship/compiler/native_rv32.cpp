#include "mpyship/compiler/native_rv32.h"

#include "mpyship/compiler/rv32_encoder.h"

#include <algorithm>
#include <vector>

namespace mpyship::compiler {

namespace {

using namespace rv32;

constexpr std::int32_t k_word = 4;
constexpr std::int32_t k_nlr_words = 18;         // nlr buffer and the kept return value
constexpr std::int32_t k_handler_nlr_words = 19; // with exception handlers, one more word (zeroed)
constexpr std::int32_t k_exc_value_offset = 1 * k_word; // in the nlr area: nlr_buf.ret_val, the exception
constexpr std::int32_t k_handler_offset = 6 * k_word;   // where an exception jumps to (0: none)
constexpr std::int32_t k_return_value_offset = 17 * k_word;
constexpr std::int32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
constexpr std::int32_t k_n_state_offset = 3 * k_word;
constexpr std::int32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue
// Function-table entries below this offset are called through s0 with the compressed load, the
// others through t3.
constexpr std::int32_t k_s0_call_limit = 64;

constexpr Reg k_fun_table = s1;
constexpr Reg k_qstr_table = s4;
constexpr Reg k_handler_reg = s3; // the dispatcher's jump address (the first local's register)
constexpr std::int32_t k_cm_push_max = 80; // {ra, s0-s4} on RV32: 32 bytes + up to 3 * 16

const NativeAbi k_abi{a0, {a0, a1, a2, a3}, t1, t2, t3, t2, {s3, s2}};

class Rv32Target final : public NativeTarget {
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
        m_asm.load(Reg(dst), sp, m_code_state);
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        m_asm.load(t1, sp, m_code_state);
        m_asm.load(t1, t1, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), t1, k_word * std::int32_t(child));
    }
    void store_state(std::uint32_t slot, NativeReg src) override { m_asm.store(sp, state_offset(slot), Reg(src)); }
    void load_state(NativeReg dst, std::uint32_t slot) override { m_asm.load(Reg(dst), sp, state_offset(slot)); }
    void lea_state(NativeReg dst, std::uint32_t slot) override { m_asm.lea_sp(Reg(dst), state_offset(slot)); }
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
    void jump_to_unwind(std::uint32_t after) override {
        m_asm.load(a0, sp, m_code_state - k_word);
        m_asm.jump_if(Cond::eq, a0, after);
        m_asm.jr(a0);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(a0, sp, m_nlr + k_exc_value_offset);
        call(RtFun::raise);
    }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  private:
    std::int32_t state_offset(std::uint32_t slot) const {
        return m_code_state + (k_code_state_words + std::int32_t(slot)) * k_word;
    }
    std::vector<Reg> saved_regs() const;
    void push_classic();
    void push_zcmp();
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
    std::int32_t m_frame_bytes = 0;
};

// Once a call has gone through s0, this function (from its emitting pass on) and every later one of
// the module save it too (the reference keeps the choice from one function to the next).
void Rv32Target::call(RtFun fun) {
    const std::int32_t offset = k_word * std::int32_t(fun);
    const Reg via = offset < k_s0_call_limit ? s0 : t3;
    if (via == s0) // even in unreachable code, which writes nothing
        m_module.rv32_saves_s0 = true;
    m_asm.load(via, k_fun_table, offset);
    m_asm.jalr(via);
}

// The constant table hangs off the function object, which the code state's first word points to.
void Rv32Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    m_asm.load(r, sp, m_code_state);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * std::int32_t(index));
}

std::vector<Reg> Rv32Target::saved_regs() const {
    if (m_saves_s0)
        return {ra, s0, s1, s2, s3, s4};
    return {ra, s1, s2, s3, s4};
}

void Rv32Target::prologue(const NativeFrame& frame) {
    m_frame = frame;
    m_saves_s0 = m_zcmp || m_module.rv32_saves_s0;
    const auto saved_bytes = std::int32_t(saved_regs().size()) * k_word;
    const std::int32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_nlr = m_zcmp ? 0 : saved_bytes; // cm.push puts the registers above the frame
    m_code_state = m_nlr + nlr_words * k_word;
    m_frame_bytes = state_offset(frame.n_state) + (m_zcmp ? saved_bytes : 0);
    m_asm.word(frame.n_children); // a word before the entry point: the number of nested functions
    if (m_zcmp)
        push_zcmp();
    else
        push_classic();
    m_asm.load(k_fun_table, a0, 1 * k_word);           // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * std::int32_t(frame.fun_table_const)); // the function table
    m_asm.store(sp, m_code_state, a0);
    m_asm.mov_reg_imm(a0, std::int32_t(frame.n_state));
    m_asm.store(sp, m_code_state + k_n_state_offset, a0);
    m_asm.lea_sp(a0, m_code_state);
    call(RtFun::setup_code_state);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: s3 holds the handler address
    }
    if (frame.guards_globals)
        guard_globals();
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void Rv32Target::guard_globals() {
    const std::uint32_t body = k_private_label;
    m_asm.load(a0, sp, m_code_state);
    m_asm.load(a0, a0, 1 * k_word); // ->context
    m_asm.load(a0, a0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, a0);
    m_asm.jump_if(Cond::eq, a0, body);
    m_asm.lea_sp(a0, m_nlr);
    call(RtFun::nlr_push);
    m_asm.jump_if(Cond::eq, a0, body);
    m_asm.load(a0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    m_asm.load(a0, sp, m_nlr + k_exc_value_offset);
    call(RtFun::raise);
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void Rv32Target::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    m_asm.load(a0, sp, m_code_state);
    m_asm.load(a0, a0, 1 * k_word); // ->context
    m_asm.load(a0, a0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, a0);
    m_asm.store(sp, m_code_state - k_word, zero);
    m_asm.store(sp, m_nlr + k_exc_value_offset, zero);
    m_asm.lea_label(k_handler_reg, body);
    m_asm.bind(push);
    m_asm.lea_sp(a0, m_nlr);
    call(RtFun::nlr_push);
    m_asm.jump_if(Cond::ne, a0, caught);
    m_asm.store(sp, m_nlr + k_handler_offset, zero);
    m_asm.jr(k_handler_reg);
    m_asm.bind(caught);
    m_asm.load(k_handler_reg, sp, m_nlr + k_handler_offset);
    m_asm.jump_if(Cond::ne, k_handler_reg, push);
    m_asm.load(a0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

void Rv32Target::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(sp, m_nlr + k_return_value_offset, a0);
}

mpy::Bytes Rv32Target::epilogue_and_finish(std::uint32_t exit_label) {
    set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.has_handlers) {
        m_asm.load(a0, sp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(a0, sp, m_nlr + k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(a0, sp, m_code_state + k_old_globals_offset);
        m_asm.jump_if(Cond::eq, a0, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(a0, sp, m_nlr + k_return_value_offset);
    }
    if (m_zcmp) {
        if (m_frame_bytes != m_push_bytes)
            m_asm.add_sp(m_frame_bytes - m_push_bytes);
        m_asm.op16(cm_push_pop(k_cm_popret, m_push_bytes));
    } else {
        const std::vector<Reg> saved = saved_regs();
        for (std::size_t i = 0; i < saved.size(); ++i)
            m_asm.load(saved[i], sp, k_word * std::int32_t(i));
        m_asm.add_sp(m_frame_bytes);
        m_asm.jr(ra);
    }
    return m_asm.finish();
}

// The frame below the registers saved at its bottom.
void Rv32Target::push_classic() {
    m_asm.add_sp(-m_frame_bytes);
    const std::vector<Reg> saved = saved_regs();
    for (std::size_t i = 0; i < saved.size(); ++i)
        m_asm.store(sp, k_word * std::int32_t(i), saved[i]);
}

// Zcmp: cm.push {ra, s0-s4} with as much of the frame as it can take (a multiple of 16, 80 at most),
// the rest with an addi; the frame proper starts at sp.
void Rv32Target::push_zcmp() {
    m_push_bytes = std::min(k_cm_push_max, m_frame_bytes & ~15);
    m_asm.op16(cm_push_pop(k_cm_push, m_push_bytes));
    if (m_frame_bytes != m_push_bytes)
        m_asm.add_sp(m_push_bytes - m_frame_bytes);
}

} // namespace

std::unique_ptr<NativeTarget> make_rv32_target(NativeModuleState& module, bool zcmp) {
    return std::make_unique<Rv32Target>(module, zcmp);
}

} // namespace mpyship::compiler
