#include "mpyship/compiler/native_rv32.h"

#include "mpyship/compiler/native_rv32_target.h"

#include <algorithm>

namespace mpyship::compiler {

namespace rv32 {

// Once a call has gone through s0, this function (from its emitting pass on) and every later one of
// the module save it too (the reference keeps the choice from one function to the next).
void Rv32Target::call(RtFun fun) {
    call_entry(std::uint32_t(fun));
}

void Rv32Target::call_entry(std::uint32_t index) {
    const std::int32_t offset = k_word * std::int32_t(index);
    const Reg via = offset < k_s0_call_limit ? s0 : t3;
    if (via == s0) // even in unreachable code, which writes nothing
        m_module.rv32_saves_s0 = true;
    m_asm.load(via, k_fun_table, offset);
    m_asm.jalr(via);
}

// The constant table hangs off the function object, which the code state's first word points to.
void Rv32Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    load_fun(r);
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
    if (frame.generator)
        return generator_prologue();
    const auto saved_bytes = std::int32_t(saved_regs().size()) * k_word;
    const std::int32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_nlr = m_zcmp ? 0 : saved_bytes; // cm.push puts the registers above the frame
    m_code_state = m_nlr + nlr_words * k_word;
    m_state = m_code_state + k_code_state_words * k_word;
    m_frame_bytes = state_offset(frame.n_state) + (m_zcmp ? saved_bytes : 0);
    m_asm.word(frame.n_children); // a word before the entry point: the number of nested functions
    save_registers_and_load_tables(frame.fun_table_const);
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

// A generator's frame is the saved registers, the nlr area and the throw slot; its state is the
// generator object's code state (s2), its entry word says where the code starts on the first resume.
// Every resume pushes an nlr frame: an exception goes to the handler slot's address (with handlers) or,
// uncaught, is returned in state[0] as the exception return kind; otherwise the code goes on at the code
// state's address.
void Rv32Target::generator_prologue() {
    const std::uint32_t entry = k_private_label + 4, resume = k_private_label + 5;
    const auto saved_bytes = std::int32_t(saved_regs().size()) * k_word;
    m_nlr = m_zcmp ? 0 : saved_bytes;
    m_code_state = m_nlr + k_handler_nlr_words * k_word; // here: the throw slot
    m_frame_bytes = m_code_state + k_word + (m_zcmp ? saved_bytes : 0);
    m_state_reg = k_gen_state;
    m_state = k_code_state_words * k_word;
    m_asm.word(m_frame.n_children); // the number of nested functions, then the entry's offset
    m_asm.label_word(entry);
    if (m_zcmp)
        push_zcmp();
    else
        push_classic();
    m_asm.mov_reg_reg(k_gen_state, a0);
    store_throw_value(a1);
    m_asm.load(t1, k_gen_state, 0);           // code_state->fun_bc
    m_asm.load(t1, t1, 1 * k_word);           // ->context
    m_asm.load(k_qstr_table, t1, 2 * k_word); // ->constants.qstr_table
    m_asm.load(t1, t1, 3 * k_word);           // ->constants.obj_table
    m_asm.load(k_fun_table, t1, k_word * std::int32_t(m_frame.fun_table_const)); // the function table
    if (m_frame.has_handlers) {
        const std::uint32_t push = k_private_label + 2, caught = k_private_label + 3;
        m_asm.store(sp, m_code_state - k_word, zero);
        m_asm.store(sp, m_nlr + k_exc_value_offset, zero);
        m_asm.lea_label(k_handler_reg, resume);
        m_asm.bind(push);
        m_asm.lea_sp(a0, m_nlr);
        call(RtFun::nlr_push);
        m_asm.jump_if(Cond::ne, a0, caught);
        m_asm.store(sp, m_nlr + k_handler_offset, zero);
        m_asm.jr(k_handler_reg);
        m_asm.bind(caught);
        m_asm.load(k_handler_reg, sp, m_nlr + k_handler_offset);
        m_asm.jump_if(Cond::ne, k_handler_reg, push);
    } else {
        m_asm.lea_sp(a0, m_nlr);
        call(RtFun::nlr_push);
        m_asm.jump_if(Cond::eq, a0, resume);
    }
    m_asm.load(t1, sp, m_nlr + k_exc_value_offset);
    store_state(0, t1);
    m_asm.mov_reg_imm(a0, std::int32_t(GenReturn::exception));
    leave_frame();
    m_asm.bind(resume);
    m_asm.load(t1, k_gen_state, k_code_state_ip_offset);
    m_asm.jr(t1);
    m_asm.bind(entry);
}

void Rv32Target::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(sp, m_nlr + k_return_value_offset, a0);
}

mpy::Bytes Rv32Target::epilogue_and_finish(std::uint32_t exit_label) {
    set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.generator) {
        call(RtFun::nlr_pop);
        m_asm.load(a0, sp, m_nlr + k_return_value_offset);
    } else if (m_frame.has_handlers) {
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
    leave_frame();
    return m_asm.finish();
}

void Rv32Target::leave_frame() {
    if (m_zcmp) {
        if (m_frame_bytes > m_push_bytes)
            m_asm.add_sp(m_frame_bytes - m_push_bytes);
        m_asm.op16(cm_push_pop(k_cm_popret, m_push_bytes));
    } else {
        const std::vector<Reg> saved = saved_regs();
        for (std::size_t i = 0; i < saved.size(); ++i)
            m_asm.load(saved[i], sp, k_word * std::int32_t(i));
        m_asm.add_sp(m_frame_bytes);
        m_asm.jr(ra);
    }
}

// The frame below the registers saved at its bottom.
void Rv32Target::push_classic() {
    m_asm.add_sp(-m_frame_bytes);
    const std::vector<Reg> saved = saved_regs();
    for (std::size_t i = 0; i < saved.size(); ++i)
        m_asm.store(sp, k_word * std::int32_t(i), saved[i]);
}

// Zcmp: cm.push {ra, s0-s4} with as much of the frame as it can take (a multiple of 16, 80 at most),
// the rest with an addi; the frame proper starts at sp. A smaller frame (a viper function's can be)
// still gets cm.push's least, 32 bytes, and no addi (measured).
void Rv32Target::save_registers_and_load_tables(std::uint32_t fun_table_const) {
    if (m_zcmp)
        push_zcmp();
    else
        push_classic();
    m_asm.load(k_fun_table, a0, 1 * k_word);           // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * std::int32_t(fun_table_const)); // the function table
}

void Rv32Target::push_zcmp() {
    m_push_bytes = std::clamp(m_frame_bytes & ~15, k_cm_push_min, k_cm_push_max);
    m_asm.op16(cm_push_pop(k_cm_push, m_push_bytes));
    if (m_frame_bytes > m_push_bytes)
        m_asm.add_sp(m_push_bytes - m_frame_bytes);
}

} // namespace rv32

std::unique_ptr<NativeTarget> make_rv32_target(NativeModuleState& module, bool zcmp) {
    return std::make_unique<rv32::Rv32Target>(module, zcmp);
}

} // namespace mpyship::compiler
