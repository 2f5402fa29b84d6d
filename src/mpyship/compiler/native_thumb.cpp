#include "mpyship/compiler/native_thumb.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_thumb_target.h"

namespace mpyship::compiler {

using namespace thumb;

// The constant table hangs off the function object, which the code state's first word points to.
void ThumbTarget::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    load_fun(r);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * index);
}

void ThumbTarget::prologue(const NativeFrame& frame) {
    m_frame = frame;
    if (frame.generator)
        return generator_prologue();
    const std::uint32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_code_state = nlr_words * k_word;
    m_state = m_code_state + k_code_state_words * k_word;
    // Every slot is reached with the 16-bit sp-relative forms; mpy-cross refuses (without a line) a
    // frame whose last slot is beyond them.
    if (state_offset(frame.n_state - 1) > k_max_sp_offset)
        throw CompileError{"NotImplementedError", "too many locals for native method", SourcePos{0, 0}, "", false,
                           true};
    const std::uint32_t words = nlr_words + k_code_state_words + frame.n_state;
    // The pushed r1-r3 are the frame's top words; sp stays 8-byte aligned.
    m_frame_bytes = ((words - k_pushed_frame_words + 1) & ~1u) * k_word;
    m_asm.word(frame.n_children); // a word before the entry point: the number of nested functions
    m_asm.op16(k_push | m_saved_regs);
    m_asm.adjust_sp(true, m_frame_bytes);
    m_asm.load(k_fun_table, r0, 1 * k_word);       // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * frame.fun_table_const); // the function table
    m_asm.store(sp, m_code_state, r0);
    m_asm.mov_reg_imm(r0, frame.n_state);
    m_asm.store(sp, m_code_state + k_n_state_offset, r0);
    m_asm.lea_sp(r0, m_code_state);
    call_via(RtFun::setup_code_state, k_prologue_temp);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: r4 holds the handler address
    }
    if (frame.guards_globals)
        guard_globals(k_private_label);
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void ThumbTarget::guard_globals(std::uint32_t body) {
    m_asm.load(r0, sp, m_code_state);
    m_asm.load(r0, r0, 1 * k_word); // ->context
    m_asm.load(r0, r0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, r0);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::eq, body);
    m_asm.lea_sp(r0, 0);
    call(RtFun::nlr_push);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::eq, body);
    m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    m_asm.load(r0, sp, 1 * k_word); // nlr_buf.ret_val: the exception
    call(RtFun::raise);
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void ThumbTarget::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    m_asm.load(r0, sp, m_code_state);
    m_asm.load(r0, r0, 1 * k_word); // ->context
    m_asm.load(r0, r0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, r0);
    m_asm.mov_reg_imm(r0, 0);
    m_asm.store(sp, m_code_state - k_word, r0);
    m_asm.store(sp, k_exc_value_offset, r0);
    m_asm.lea_label(r4, body);
    m_asm.bind(push);
    m_asm.lea_sp(r0, 0);
    call(RtFun::nlr_push);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::ne, caught);
    clear_handler();
    m_asm.bx(r4);
    m_asm.bind(caught);
    m_asm.load(r4, sp, k_handler_offset);
    m_asm.cmp_zero(r4);
    m_asm.jump_if(Cond::ne, push);
    m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

// A generator's frame is the nlr area and the throw slot; its state is the generator object's code
// state (r5), its entry word says where the code starts on the first resume. Every resume pushes an nlr
// frame: an exception goes to the handler slot's address (with handlers) or, uncaught, is returned in
// state[0] as the exception return kind; otherwise the code goes on at the code state's address.
void ThumbTarget::generator_prologue() {
    const std::uint32_t entry = k_private_label + 4, resume = k_private_label + 5;
    m_code_state = k_handler_nlr_words * k_word; // here: the throw slot
    m_frame_bytes = ((k_handler_nlr_words + 1 - k_pushed_frame_words + 1) & ~1u) * k_word;
    m_state_reg = k_gen_state;
    m_state = k_code_state_words * k_word;
    m_asm.word(m_frame.n_children); // the number of nested functions, then the entry's offset
    m_asm.label_word(entry);
    m_asm.op16(k_push | m_saved_regs);
    m_asm.adjust_sp(true, m_frame_bytes);
    m_asm.mov_reg_reg(k_gen_state, r0);
    store_throw_value(r1);
    m_asm.load(r0, k_gen_state, 0);                // code_state->fun_bc
    m_asm.load(r0, r0, 1 * k_word);                // ->context
    m_asm.load(k_qstr_table, r0, 2 * k_word);      // ->constants.qstr_table
    m_asm.load(r0, r0, 3 * k_word);                // ->constants.obj_table
    m_asm.load(k_fun_table, r0, k_word * m_frame.fun_table_const); // the function table
    if (m_frame.has_handlers) {
        const std::uint32_t push = k_private_label + 2, caught = k_private_label + 3;
        m_asm.mov_reg_imm(r0, 0);
        m_asm.store(sp, m_code_state - k_word, r0);
        m_asm.store(sp, k_exc_value_offset, r0);
        m_asm.lea_label(r4, resume);
        m_asm.bind(push);
        m_asm.lea_sp(r0, 0);
        call(RtFun::nlr_push);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::ne, caught);
        clear_handler();
        m_asm.bx(r4);
        m_asm.bind(caught);
        m_asm.load(r4, sp, k_handler_offset);
        m_asm.cmp_zero(r4);
        m_asm.jump_if(Cond::ne, push);
    } else {
        m_asm.lea_sp(r0, 0);
        call(RtFun::nlr_push);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, resume);
    }
    m_asm.load(r0, sp, k_exc_value_offset);
    store_state(0, r0);
    m_asm.mov_reg_imm(r0, std::uint32_t(GenReturn::exception));
    leave_frame();
    m_asm.bind(resume);
    m_asm.load(r0, k_gen_state, k_code_state_ip_offset);
    m_asm.bx(r0);
    m_asm.bind(entry);
}

void ThumbTarget::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(sp, k_return_value_offset, r0);
}

mpy::Bytes ThumbTarget::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.generator) {
        call(RtFun::nlr_pop);
        m_asm.load(r0, sp, k_return_value_offset);
    } else if (m_frame.has_handlers) {
        m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(r0, sp, k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(r0, sp, k_return_value_offset);
    }
    leave_frame();
    return m_asm.finish();
}

bool is_thumb_native_arch(mpy::NativeArch arch) {
    using mpy::NativeArch;
    return arch == NativeArch::armv6m || arch == NativeArch::armv7m || arch == NativeArch::armv7em ||
           arch == NativeArch::armv7emsp || arch == NativeArch::armv7emdp;
}

std::unique_ptr<NativeTarget> make_thumb_target(bool thumb2) {
    return std::make_unique<ThumbTarget>(thumb2);
}

} // namespace mpyship::compiler
