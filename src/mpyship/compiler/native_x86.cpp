#include "mpyship/compiler/native_x86.h"

#include "mpyship/compiler/native_x86_target.h"

namespace mpyship::compiler {

namespace x86 {

// How many arguments each function-table entry the emitter calls takes (they are pushed); every entry is
// listed, so a new one cannot be called with a guessed count.
int n_args(RtFun fun) {
    switch (fun) {
    case RtFun::load_build_class:
    case RtFun::nlr_pop:
        return 0;
    case RtFun::swap_globals:
    case RtFun::load_name:
    case RtFun::load_global:
    case RtFun::obj_is_true:
    case RtFun::build_map:
    case RtFun::iternext:
    case RtFun::nlr_push:
    case RtFun::raise:
    case RtFun::delete_name:
    case RtFun::delete_global:
    case RtFun::import_all:
        return 1;
    case RtFun::load_attr:
    case RtFun::load_super_method:
    case RtFun::store_name:
    case RtFun::store_global:
    case RtFun::unary_op:
    case RtFun::build_tuple:
    case RtFun::build_list:
    case RtFun::build_set:
    case RtFun::set_store:
    case RtFun::list_append:
    case RtFun::getiter:
    case RtFun::import_from:
        return 2;
    case RtFun::load_method:
    case RtFun::store_attr:
    case RtFun::obj_subscr:
    case RtFun::binary_op:
    case RtFun::store_map:
    case RtFun::make_function_from_proto:
    case RtFun::call_function_n_kw:
    case RtFun::call_method_n_kw:
    case RtFun::call_method_n_kw_var:
    case RtFun::import_name:
    case RtFun::new_slice:
    case RtFun::yield_from:
    case RtFun::unpack_sequence:
    case RtFun::unpack_ex:
    case RtFun::make_closure:
        return 3;
    case RtFun::setup_code_state:
        return 4;
    case RtFun::const_none: // objects, loaded and never called
    case RtFun::const_false:
    case RtFun::const_true:
        break;
    }
    return 0;
}

// The arguments go on the stack, last first, below padding that keeps the 16-byte alignment; the
// entry is loaded through eax (the first argument's register, already pushed).
void X86Target::call(RtFun fun) {
    call_entry(std::int32_t(fun), n_args(fun));
}

void X86Target::call_entry(std::int32_t entry, int n) {
    if (n > 0 && n < k_max_call_args)
        m_asm.sub_rsp(k_call_area - n * k_word);
    for (int i = n - 1; i >= 0; --i)
        m_asm.push(Reg(k_abi.arg[i]));
    m_asm.load(eax, k_fun_table, k_word * std::int32_t(entry));
    m_asm.call_reg(eax);
    if (n > 0)
        m_asm.add_rsp_i8(std::int8_t(k_call_area));
}

// The constant table hangs off the function object, which the code state's first word points to.
void X86Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    load_fun(r);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * std::int32_t(index));
}

void X86Target::prologue(const NativeFrame& frame) {
    m_frame = frame;
    if (frame.generator)
        return generator_prologue();
    const std::int32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_code_state = nlr_words * k_word;
    m_state = m_code_state + k_code_state_words * k_word;
    const std::int32_t words = nlr_words + k_code_state_words + std::int32_t(frame.n_state);
    // with the return address and the 4 pushes, esp stays 16-byte aligned
    m_frame_bytes = ((words + k_saved_words + 3) / 4 * 4 - k_saved_words) * k_word;
    for (int i = 0; i < 4; ++i) // a word before the entry point: the number of nested functions
        m_asm.raw8(std::uint8_t(frame.n_children >> (8 * i)));
    for (Reg r : {ebp, ebx, esi, edi})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    // the caller's arguments (fun, n_args, n_kw, args) into the registers setup_code_state takes
    for (int i = 0; i < k_max_call_args; ++i)
        m_asm.load(Reg(k_abi.arg[i]), esp, m_frame_bytes + k_saved_words * k_word + i * k_word);
    m_asm.load(k_fun_table, eax, 1 * k_word);            // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word);   // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);    // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * std::int32_t(frame.fun_table_const)); // the function table
    m_asm.store(esp, m_code_state, eax);
    m_asm.mov_reg_imm(eax, frame.n_state);
    m_asm.store(esp, m_code_state + k_n_state_offset, eax);
    lea_esp(eax, m_code_state);
    call(RtFun::setup_code_state);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: ebx holds the handler address
    }
    if (frame.guards_globals)
        guard_globals(k_private_label);
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// A generator's frame is the nlr area and the throw slot (padded as any frame); its state is the
// generator object's code state (esi, the caller's first argument), its entry word says where the code
// starts on the first resume. Every resume pushes an nlr frame: an exception goes to the handler slot's
// address (with handlers) or, uncaught, is returned in state[0] as the exception return kind; otherwise
// the code goes on at the code state's address.
void X86Target::generator_prologue() {
    const std::uint32_t entry = k_private_label + 4, resume = k_private_label + 5;
    m_code_state = k_handler_nlr_words * k_word; // here: the throw slot
    const std::int32_t words = k_handler_nlr_words + 1;
    m_frame_bytes = ((words + k_saved_words + 3) / 4 * 4 - k_saved_words) * k_word;
    m_state_reg = k_gen_state;
    m_state = k_code_state_words * k_word;
    for (int i = 0; i < 4; ++i) // the number of nested functions, then the entry's offset
        m_asm.raw8(std::uint8_t(m_frame.n_children >> (8 * i)));
    m_asm.label_word(entry);
    for (Reg r : {ebp, ebx, esi, edi})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    const std::int32_t args = m_frame_bytes + k_saved_words * k_word; // the caller's: code state, throw value
    m_asm.load(k_gen_state, esp, args);
    m_asm.load(ecx, esp, args + k_word);
    store_throw_value(ecx);
    m_asm.load(eax, k_gen_state, 0);             // code_state->fun_bc
    m_asm.load(eax, eax, 1 * k_word);            // ->context
    m_asm.load(k_qstr_table, eax, 2 * k_word);   // ->constants.qstr_table
    m_asm.load(eax, eax, 3 * k_word);            // ->constants.obj_table
    m_asm.load(k_fun_table, eax, k_word * std::int32_t(m_frame.fun_table_const)); // the function table
    if (m_frame.has_handlers) {
        const std::uint32_t push = k_private_label + 2, caught = k_private_label + 3;
        m_asm.zero(eax);
        m_asm.store(esp, m_code_state - k_word, eax);
        m_asm.store(esp, k_exc_value_offset, eax);
        m_asm.lea_label(k_handler_reg, resume);
        m_asm.bind(push);
        m_asm.mov_reg_reg(eax, esp);
        call(RtFun::nlr_push);
        m_asm.test_r8(eax);
        m_asm.jump_if(Cond::nonzero, caught);
        clear_handler();
        m_asm.jump_reg(k_handler_reg);
        m_asm.bind(caught);
        m_asm.load(k_handler_reg, esp, k_handler_offset);
        m_asm.test_r64(k_handler_reg);
        m_asm.jump_if(Cond::nonzero, push);
    } else {
        m_asm.mov_reg_reg(eax, esp);
        call(RtFun::nlr_push);
        m_asm.test_r8(eax);
        m_asm.jump_if(Cond::zero, resume);
    }
    m_asm.load(eax, esp, k_exc_value_offset);
    store_state(0, eax);
    m_asm.mov_reg_imm(eax, std::uint64_t(GenReturn::exception));
    leave_frame();
    m_asm.bind(resume);
    m_asm.load(eax, k_gen_state, k_code_state_ip_offset);
    m_asm.jump_reg(eax);
    m_asm.bind(entry);
}

void X86Target::load_module_globals(Reg dst) {
    m_asm.load(dst, esp, m_code_state);
    m_asm.load(dst, dst, 1 * k_word); // ->context
    m_asm.load(dst, dst, 1 * k_word); // ->module.globals
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void X86Target::guard_globals(std::uint32_t body) {
    load_module_globals(eax);
    call(RtFun::swap_globals);
    m_asm.store(esp, m_code_state + k_old_globals_offset, eax);
    m_asm.test_r64(eax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.mov_reg_reg(eax, esp);
    call(RtFun::nlr_push);
    m_asm.test_r8(eax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.load(eax, esp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void X86Target::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    load_module_globals(eax);
    call(RtFun::swap_globals);
    m_asm.store(esp, m_code_state + k_old_globals_offset, eax);
    m_asm.zero(eax);
    m_asm.store(esp, m_code_state - k_word, eax);
    m_asm.store(esp, k_exc_value_offset, eax);
    m_asm.lea_label(k_handler_reg, body);
    m_asm.bind(push);
    m_asm.mov_reg_reg(eax, esp);
    call(RtFun::nlr_push);
    m_asm.test_r8(eax);
    m_asm.jump_if(Cond::nonzero, caught);
    clear_handler();
    m_asm.jump_reg(k_handler_reg);
    m_asm.bind(caught);
    m_asm.load(k_handler_reg, esp, k_handler_offset);
    m_asm.test_r64(k_handler_reg);
    m_asm.jump_if(Cond::nonzero, push);
    m_asm.load(eax, esp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

mpy::Bytes X86Target::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.generator) {
        call(RtFun::nlr_pop);
        m_asm.load(eax, esp, k_return_value_offset);
    } else if (m_frame.has_handlers) {
        m_asm.load(eax, esp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(eax, esp, k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(eax, esp, m_code_state + k_old_globals_offset);
        m_asm.test_r64(eax);
        m_asm.jump_if(Cond::zero, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(eax, esp, k_return_value_offset);
    }
    leave_frame();
    return m_asm.finish();
}

void X86Target::leave_frame() {
    m_asm.sub_rsp(-m_frame_bytes);
    for (Reg r : {edi, esi, ebx, ebp})
        m_asm.pop(r);
    m_asm.ret();
}

} // namespace x86

std::unique_ptr<NativeTarget> make_x86_target() {
    return std::make_unique<x86::X86Target>();
}

} // namespace mpyship::compiler
