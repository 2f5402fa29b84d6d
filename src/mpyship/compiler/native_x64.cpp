#include "mpyship/compiler/native_x64.h"

#include "mpyship/compiler/native_x64_target.h"

namespace mpyship::compiler {

using namespace x64;


// The constant table hangs off the function object, which the code state's first word points to.
void X64Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    load_fun(r);
    m_asm.load(r, r, 1 * k_word);                           // ->context
    m_asm.load(r, r, 3 * k_word);                           // ->constants.obj_table
    m_asm.load(r, r, k_word * std::int32_t(index));
}

void X64Target::prologue(const NativeFrame& frame) {
    m_frame = frame;
    if (frame.generator)
        return generator_prologue();
    const std::int32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_code_state = nlr_words * k_word;
    m_state = m_code_state + k_code_state_words * k_word;
    std::int32_t words = nlr_words + k_code_state_words + std::int32_t(frame.n_state);
    words |= 1; // with the return address and 4 pushes, keeps rsp 16-byte aligned at calls
    m_frame_bytes = words * k_word;
    for (int i = 0; i < 8; ++i) // a word before the entry point: the number of nested functions
        m_asm.raw8(std::uint8_t(std::uint64_t(frame.n_children) >> (8 * i)));
    for (Reg r : {rbp, rbx, r12, r13})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    m_asm.load(rbp, rdi, 1 * k_word);   // fun->context
    m_asm.load(r13, rbp, 2 * k_word);   // ->constants.qstr_table
    m_asm.load(rbp, rbp, 3 * k_word);   // ->constants.obj_table
    m_asm.load(rbp, rbp, k_word * std::int32_t(frame.fun_table_const)); // the function table
    m_asm.store(rsp, m_code_state, rdi);
    m_asm.mov_reg_imm(rdi, frame.n_state);
    m_asm.store(rsp, m_code_state + k_n_state_offset, rdi);
    if (m_code_state == 0)
        m_asm.mov_reg_reg(rdi, rsp);
    else
        m_asm.lea(rdi, rsp, m_code_state);
    call(RtFun::setup_code_state);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: rbx holds the handler address
    }
    if (frame.guards_globals)
        guard_globals(k_private_label);
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void X64Target::guard_globals(std::uint32_t body) {
    m_asm.load(rdi, rsp, m_code_state);
    m_asm.load(rdi, rdi, 1 * k_word); // ->context
    m_asm.load(rdi, rdi, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(rsp, m_code_state + k_old_globals_offset, rax);
    m_asm.test_r64(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.mov_reg_reg(rdi, rsp);
    call(RtFun::nlr_push);
    m_asm.test_r8(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    m_asm.load(rdi, rsp, 1 * k_word); // nlr_buf.ret_val: the exception
    call(RtFun::raise);
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void X64Target::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    m_asm.load(rdi, rsp, m_code_state);
    m_asm.load(rdi, rdi, 1 * k_word); // ->context
    m_asm.load(rdi, rdi, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(rsp, m_code_state + k_old_globals_offset, rax);
    m_asm.zero(rax);
    m_asm.store(rsp, m_code_state - k_word, rax);
    m_asm.store(rsp, k_exc_value_offset, rax);
    m_asm.lea_label(rbx, body);
    m_asm.bind(push);
    m_asm.mov_reg_reg(rdi, rsp);
    call(RtFun::nlr_push);
    m_asm.test_r8(rax);
    m_asm.jump_if(Cond::nonzero, caught);
    clear_handler();
    m_asm.jump_reg(rbx);
    m_asm.bind(caught);
    m_asm.load(rbx, rsp, k_handler_offset);
    m_asm.test_r64(rbx);
    m_asm.jump_if(Cond::nonzero, push);
    m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

// A generator's frame is the nlr area and the throw slot; its state is the generator object's code
// state (r12), its entry word says where the code starts on the first resume. Every resume pushes an nlr
// frame: an exception goes to the handler slot's address (with handlers) or, uncaught, is returned in
// state[0] as the exception return kind; otherwise the code goes on at the code state's address.
void X64Target::generator_prologue() {
    const std::uint32_t entry = k_private_label + 4, resume = k_private_label + 5;
    m_code_state = k_handler_nlr_words * k_word; // here: the throw slot
    m_frame_bytes = ((k_handler_nlr_words + 1) | 1) * k_word;
    m_state_reg = k_gen_state;
    m_state = k_code_state_words * k_word;
    for (int i = 0; i < 8; ++i) // the number of nested functions, then the entry's offset
        m_asm.raw8(std::uint8_t(std::uint64_t(m_frame.n_children) >> (8 * i)));
    m_asm.label_word(entry);
    for (Reg r : {rbp, rbx, r12, r13})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    m_asm.mov_reg_reg(k_gen_state, rdi);
    store_throw_value(rsi);
    m_asm.load(rax, k_gen_state, 0);    // code_state->fun_bc
    m_asm.load(rax, rax, 1 * k_word);   // ->context
    m_asm.load(r13, rax, 2 * k_word);   // ->constants.qstr_table
    m_asm.load(rax, rax, 3 * k_word);   // ->constants.obj_table
    m_asm.load(rbp, rax, k_word * std::int32_t(m_frame.fun_table_const)); // the function table
    if (m_frame.has_handlers) {
        const std::uint32_t push = k_private_label + 2, caught = k_private_label + 3;
        m_asm.zero(rax);
        m_asm.store(rsp, m_code_state - k_word, rax);
        m_asm.store(rsp, k_exc_value_offset, rax);
        m_asm.lea_label(rbx, resume);
        m_asm.bind(push);
        m_asm.mov_reg_reg(rdi, rsp);
        call(RtFun::nlr_push);
        m_asm.test_r8(rax);
        m_asm.jump_if(Cond::nonzero, caught);
        clear_handler();
        m_asm.jump_reg(rbx);
        m_asm.bind(caught);
        m_asm.load(rbx, rsp, k_handler_offset);
        m_asm.test_r64(rbx);
        m_asm.jump_if(Cond::nonzero, push);
    } else {
        m_asm.mov_reg_reg(rdi, rsp);
        call(RtFun::nlr_push);
        m_asm.test_r8(rax);
        m_asm.jump_if(Cond::zero, resume);
    }
    m_asm.load(rax, rsp, k_exc_value_offset);
    store_state(0, rax);
    m_asm.mov_reg_imm(rax, std::uint64_t(GenReturn::exception));
    leave_frame();
    m_asm.bind(resume);
    m_asm.load(rax, k_gen_state, k_code_state_ip_offset);
    m_asm.jump_reg(rax);
    m_asm.bind(entry);
}

void X64Target::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(rsp, k_return_value_offset, rax);
}

mpy::Bytes X64Target::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.generator) {
        call(RtFun::nlr_pop);
        m_asm.load(rax, rsp, k_return_value_offset);
    } else if (m_frame.has_handlers) {
        m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(rax, rsp, k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
        m_asm.test_r64(rdi);
        m_asm.jump_if(Cond::zero, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(rax, rsp, m_code_state - k_word);
    }
    leave_frame();
    return m_asm.finish();
}

void X64Target::leave_frame() {
    m_asm.sub_rsp(-m_frame_bytes);
    for (Reg r : {r13, r12, rbx, rbp})
        m_asm.pop(r);
    m_asm.ret();
}

std::unique_ptr<NativeTarget> make_x64_target() {
    return std::make_unique<X64Target>();
}

} // namespace mpyship::compiler
