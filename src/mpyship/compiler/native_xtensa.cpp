#include "mpyship/compiler/native_xtensa.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_xtensa_target.h"

namespace mpyship::compiler {

namespace xtensa {

// The constant table hangs off the function object, which the code state's first word points to.
void XtensaTarget::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    load_fun(r);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * index);
}

// windowed: entry (which reserves the register-save area above the frame); call0: a1 lowered, a0 and
// a12-a15 saved in the frame's first words.
void XtensaTarget::enter(std::uint32_t frame_bytes) {
    if (m_abi.windowed) {
        m_asm.op24(entry(a1, frame_bytes));
        m_asm.op16(narrow_load_store(k_s32i_n, a0, a1, 0));
        return;
    }
    if (frame_bytes <= 128) {
        m_asm.op24(rri8(k_addi, a1, a1, 0u - frame_bytes));
    } else {
        m_asm.mov_reg_imm(a9, std::int32_t(frame_bytes));
        m_asm.op24(rrr(k_sub, a1, a1, a9));
    }
    std::uint32_t slot = 0;
    for (Reg r : {a0, a12, a13, a14, a15})
        m_asm.op16(narrow_load_store(k_s32i_n, r, a1, k_word * slot++));
}

void XtensaTarget::leave() {
    if (m_abi.windowed) {
        m_asm.op16(narrow_load_store(k_l32i_n, a0, a1, 0));
        m_asm.op16(k_retw_n);
        return;
    }
    std::uint32_t slot = 5;
    for (Reg r : {a15, a14, a13, a12, a0})
        m_asm.op16(narrow_load_store(k_l32i_n, r, a1, k_word * --slot));
    if (m_frame_bytes <= 127) {
        m_asm.op24(rri8(k_addi, a1, a1, m_frame_bytes));
    } else {
        m_asm.mov_reg_imm(a9, std::int32_t(m_frame_bytes));
        m_asm.add_n(a1, a1, a9);
    }
    m_asm.op16(k_ret_n);
}

void XtensaTarget::load_tables(std::uint32_t fun_table_const) {
    const Reg table = m_abi.fun_table;
    m_asm.load(table, a2, 1 * k_word);                  // fun->context
    m_asm.load(m_abi.qstr_table, table, 2 * k_word);    // ->constants.qstr_table
    m_asm.load(table, table, 3 * k_word);               // ->constants.obj_table
    m_asm.load(table, table, k_word * fun_table_const); // the function table
}

void XtensaTarget::prologue(const NativeFrame& frame) {
    m_frame = frame;
    if (frame.generator)
        return generator_prologue();
    const std::uint32_t nlr_words = frame.has_handlers    ? m_abi.handler_nlr_words
                                    : frame.guards_globals ? m_abi.nlr_words
                                                           : 0;
    m_code_state = m_abi.nlr + nlr_words * k_word;
    m_state = m_code_state + k_code_state_words * k_word;
    // mpy-cross truncates frame offsets beyond l32i's reach (wrong code): such a function stays source.
    if (state_offset(frame.n_state - 1) > k_max_frame_offset)
        throw CompileError{"NotImplementedError",
                           "mpyship: native code for a frame beyond 1020 bytes on Xtensa is not implemented yet",
                           SourcePos{0, 0}, "", false, true};
    const std::uint32_t bytes = (state_offset(frame.n_state) + 15) & ~15u;
    m_frame_bytes = m_abi.windowed ? bytes + 32 : bytes;
    enter(m_frame_bytes);
    load_tables(frame.fun_table_const);
    const NativeReg* arg = m_abi.regs.arg;
    m_asm.store_frame(m_code_state, a2);
    m_asm.mov_reg_imm(Reg(arg[0]), std::int32_t(frame.n_state));
    m_asm.store_frame(m_code_state + k_n_state_offset, Reg(arg[0]));
    m_asm.lea_frame(Reg(arg[0]), m_code_state);
    for (int i = 1; i < 4; ++i) // n_args, n_kw, args: where the caller put them, to the call's registers
        m_asm.mov_reg_reg(Reg(arg[i]), Reg(a2 + i));
    call(RtFun::setup_code_state);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: the first local's register holds the handler address
    }
    if (frame.guards_globals)
        guard_globals();
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(m_abi.regs.local_regs[k], frame.n_state - 1 - k);
}

// nlr_push; xtensawin's nlr frame then needs setjmp on its jump buffer (whose result is tested).
void XtensaTarget::nlr_push() {
    m_asm.lea_frame(m_ret, m_abi.nlr);
    call(RtFun::nlr_push);
    if (m_abi.windowed) {
        m_asm.lea_frame(m_ret, m_abi.nlr + 2 * k_word);
        call_entry(k_setjmp);
    }
}

void XtensaTarget::swap_to_module_globals() {
    m_asm.load_frame(m_ret, m_code_state);
    m_asm.load(m_ret, m_ret, 1 * k_word); // ->context
    m_asm.load(m_ret, m_ret, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store_frame(m_code_state + k_old_globals_offset, m_ret);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void XtensaTarget::guard_globals() {
    const std::uint32_t body = k_private_label;
    swap_to_module_globals();
    m_asm.jump_if_zero(true, m_ret, body);
    nlr_push();
    m_asm.jump_if_zero(true, m_ret, body);
    m_asm.load_frame(m_ret, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void XtensaTarget::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    const Reg handler = m_abi.handler_reg;
    swap_to_module_globals();
    m_asm.mov_reg_imm(m_ret, 0);
    m_asm.store_frame(m_code_state - k_word, m_ret);
    store_exc_value(m_ret);
    m_asm.lea_label(handler, body);
    m_asm.bind(push);
    nlr_push();
    m_asm.jump_if_zero(false, m_ret, caught);
    clear_handler();
    m_asm.jx(handler);
    m_asm.bind(caught);
    m_asm.load_frame(handler, m_abi.nlr + m_abi.handler_offset);
    m_asm.jump_if_zero(false, handler, push);
    m_asm.load_frame(m_ret, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

// A generator's frame is the saved registers, the nlr area and the throw slot; its state is the
// generator object's code state (the second local's register), its entry word says where the code
// starts on the first resume. Every resume pushes an nlr frame: an exception goes to the handler slot's
// address (with handlers) or, uncaught, is returned in state[0] as the exception return kind; otherwise
// the code goes on at the code state's address.
void XtensaTarget::generator_prologue() {
    const std::uint32_t entry = k_private_label + 4, resume = k_private_label + 5;
    const Reg temp = Reg(m_abi.regs.temp0), gen = m_abi.gen_state;
    m_code_state = m_abi.nlr + m_abi.handler_nlr_words * k_word; // here: the throw slot
    m_state = k_code_state_words * k_word;
    if (state_offset(m_frame.n_state - 1) > k_max_frame_offset)
        throw CompileError{"NotImplementedError",
                           "mpyship: native code for a generator state beyond 1020 bytes on Xtensa is not "
                           "implemented yet",
                           SourcePos{0, 0}, "", false, true};
    const std::uint32_t bytes = (m_code_state + k_word + 15) & ~15u;
    m_frame_bytes = m_abi.windowed ? bytes + 32 : bytes;
    m_asm.set_entry_word(entry);
    enter(m_frame_bytes);
    m_asm.mov_reg_reg(gen, a2);
    store_throw_value(a3);
    m_asm.load(temp, gen, 0);                        // code_state->fun_bc
    m_asm.load(temp, temp, 1 * k_word);              // ->context
    m_asm.load(m_abi.qstr_table, temp, 2 * k_word);  // ->constants.qstr_table
    m_asm.load(temp, temp, 3 * k_word);              // ->constants.obj_table
    m_asm.load(m_abi.fun_table, temp, k_word * m_frame.fun_table_const); // the function table
    if (m_frame.has_handlers) {
        const std::uint32_t push = k_private_label + 2, caught = k_private_label + 3;
        const Reg handler = m_abi.handler_reg;
        m_asm.mov_reg_imm(m_ret, 0);
        m_asm.store_frame(m_code_state - k_word, m_ret);
        store_exc_value(m_ret);
        m_asm.lea_label(handler, resume);
        m_asm.bind(push);
        nlr_push();
        m_asm.jump_if_zero(false, m_ret, caught);
        clear_handler();
        m_asm.jx(handler);
        m_asm.bind(caught);
        m_asm.load_frame(handler, m_abi.nlr + m_abi.handler_offset);
        m_asm.jump_if_zero(false, handler, push);
    } else {
        nlr_push();
        m_asm.jump_if_zero(true, m_ret, resume);
    }
    m_asm.load_frame(temp, m_abi.nlr + k_exc_value_offset);
    store_state(0, temp);
    m_asm.mov_reg_imm(m_abi.fun_ret, std::int32_t(GenReturn::exception));
    leave();
    m_asm.bind(resume);
    m_asm.load(temp, gen, k_code_state_ip_offset);
    m_asm.jx(temp);
    m_asm.bind(entry);
}

void XtensaTarget::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store_frame(m_abi.nlr + (m_abi.nlr_words - 1) * k_word, m_abi.fun_ret);
}

mpy::Bytes XtensaTarget::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    const std::uint32_t return_value = return_value_offset();
    if (m_frame.generator) {
        call(RtFun::nlr_pop);
        m_asm.load_frame(m_abi.fun_ret, return_value);
    } else if (m_frame.has_handlers) {
        m_asm.load_frame(m_ret, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load_frame(m_abi.fun_ret, return_value);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load_frame(m_ret, m_code_state + k_old_globals_offset);
        m_asm.jump_if_zero(true, m_ret, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load_frame(m_abi.fun_ret, return_value);
    }
    leave();
    if (!m_children_word)
        return m_asm.finish(std::nullopt);
    return m_asm.finish(m_frame.n_children);
}

} // namespace xtensa

bool is_xtensa_native_arch(mpy::NativeArch arch) {
    return arch == mpy::NativeArch::xtensa || arch == mpy::NativeArch::xtensawin;
}

std::unique_ptr<NativeTarget> make_xtensa_target(bool windowed) {
    return std::make_unique<xtensa::XtensaTarget>(windowed ? xtensa::k_windowed : xtensa::k_call0);
}

} // namespace mpyship::compiler
