// What the native emitter needs from an architecture: its register roles, the moves between registers,
// immediates and the frame's state slots, and calls into the runtime's function table. The emitter
// (native_emitter.cpp) decides what to do; a target (native_x64.cpp) decides the bytes.
#pragma once

#include "mpyship/mpy/model.h"

#include <cstdint>
#include <optional>

namespace mpyship::compiler {

using NativeReg = std::uint8_t;

// Register roles, as the runtime's calling convention and the reference's code use them.
struct NativeAbi {
    NativeReg ret;           // return value of calls and of the function
    NativeReg arg[4];        // call arguments
    NativeReg temp0;         // loads of locals kept in memory, stores to them
    NativeReg temp1, temp2;  // stack shuffles (dup, rot)
    NativeReg settle_temp;   // immediates written to the stack when the stack is settled
    NativeReg local_regs[2]; // the first locals live in callee-saved registers
};

// Entries of the runtime's function table (mp_fun_table) the emitter calls or loads; the value is the
// entry's index. Found by compiling probes with mpy-cross and reading the calls.
enum class RtFun : std::uint8_t {
    const_none = 0,
    const_false = 1,
    const_true = 2,
    swap_globals = 5,
    load_name = 6,
    load_global = 7,
    load_build_class = 8,
    load_attr = 9,
    load_method = 10,
    load_super_method = 11,
    store_name = 12,
    store_global = 13,
    store_attr = 14,
    obj_subscr = 15,
    obj_is_true = 16,
    unary_op = 17,
    binary_op = 18,
    build_tuple = 19,
    build_list = 20,
    build_map = 21,
    build_set = 22,
    set_store = 23,
    list_append = 24,
    store_map = 25,
    make_function_from_proto = 26,
    call_function_n_kw = 27,
    call_method_n_kw = 28,
    call_method_n_kw_var = 29,
    getiter = 30,
    iternext = 31,
    nlr_push = 32,
    nlr_pop = 33,
    raise = 34, // also re-raises in the globals guard
    import_name = 35,
    import_from = 36,
    import_all = 37,
    new_slice = 38,
    unpack_sequence = 39,
    unpack_ex = 40,
    delete_name = 41,
    delete_global = 42,
    make_closure = 43,
    setup_code_state = 45,
    yield_from = 48, // mp_native_yield_from: sends to (or throws into) the delegate, true while it yields
};

// The frame as the prologue lays it out; the target turns these into addresses.
struct NativeFrame {
    std::uint32_t n_state = 0;  // locals + stack slots
    std::uint32_t n_locals = 0; // the first of them: the function's locals
    bool guards_globals = false; // the function switches to its module's globals (nlr-protected)
    std::uint32_t fun_table_const = 0; // the function table's index in the module's constant table
    std::uint32_t n_children = 0;      // nested functions (the code's first word says how many)
    bool has_handlers = false; // try/with: an nlr frame dispatches exceptions to the handler slot's address
    // A generator or coroutine: its state slots are in the generator object's code state (passed in),
    // its frame keeps the nlr buffer and the value gen.throw() passes in, and it is resumed at the
    // address stored in the code state.
    bool generator = false;
};

// What a generator's code returns to the runtime (mp_vm_return_kind_t).
enum class GenReturn : std::uint32_t { normal = 0, yield = 1, exception = 2 };

// What a target carries from one native function of a module to the next (the reference compiles them
// in its scope order with one emitter).
struct NativeModuleState {
    bool rv32_saves_s0 = false; // rv32imc: a function-table call has gone through s0
    // viper: the type of the value the last and/or jump kept (see ViperTranslator::adjust); the
    // reference keeps it from function to function
    std::uint8_t viper_kept_vtype = 0;
};

class NativeTarget {
  public:
    virtual ~NativeTarget() = default;
    virtual const NativeAbi& abi() const = 0;
    // Where the function's own return value goes (xtensawin: a2, while calls return in a10).
    virtual NativeReg return_reg() const { return abi().ret; }

    virtual void set_suppressed(bool on) = 0; // unreachable code writes nothing
    virtual void mov_reg_reg(NativeReg dst, NativeReg src) = 0;
    virtual void mov_reg_imm(NativeReg dst, std::uint64_t imm) = 0;
    virtual void zero_reg(NativeReg dst) = 0; // the reference's other way of writing 0
    virtual void mov_reg_fun_entry(NativeReg dst, RtFun entry) = 0; // None/False/True objects
    virtual void mov_reg_const_obj(NativeReg dst, std::uint32_t index) = 0;
    virtual void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) = 0;
    virtual void load_cell_contents(NativeReg dst, NativeReg cell) = 0;
    virtual void store_cell_contents(NativeReg cell, NativeReg src) = 0;
    virtual void mov_reg_context(NativeReg dst) = 0;                     // the function's module context
    virtual void mov_reg_child(NativeReg dst, std::uint32_t child) = 0; // a nested function's raw code
    // State slot i is code_state->state[i]: stack entry i, or local n_state - 1 - i.
    virtual void store_state(std::uint32_t slot, NativeReg src) = 0;
    virtual void load_state(NativeReg dst, std::uint32_t slot) = 0;
    virtual void lea_state(NativeReg dst, std::uint32_t slot) = 0;
    virtual void call(RtFun fun) = 0;

    virtual void prologue(const NativeFrame& frame) = 0;
    virtual void store_return_value() = 0; // a guarded frame keeps it while the globals are restored
    virtual void jump(std::uint32_t label) = 0;
    virtual void jump_if_bool(bool value, std::uint32_t label) = 0; // on the low byte of `ret`
    virtual void jump_if_ret_null(std::uint32_t label) = 0;           // iternext's stop value
    virtual void bind(std::uint32_t label) = 0;

    // Exception handlers (NativeFrame::has_handlers). A target without them refuses such functions. The
    // handler slot holds the address an exception jumps to (or 0: the function raises it); the
    // exception slot holds the exception being handled (or what a finally block re-raises).
    virtual bool supports_handlers() const { return false; }
    virtual void set_handler(std::uint32_t /*label*/) {}
    virtual void clear_handler() {}
    virtual void load_exc_value(NativeReg /*dst*/) {}
    virtual void store_exc_value(NativeReg /*src*/) {}
    virtual void clear_exc_value() {}
    virtual void raise_exc_value() {} // re-raises the exception slot (nothing when it holds NULL/None)
    virtual void jump_if_zero(NativeReg /*reg*/, std::uint32_t /*label*/) {}
    virtual void set_unwind(std::uint32_t /*label*/) {} // where END_FINALLY goes after a return's finally
    // With an unwind address set, to `via_finally` (the next finally block out, which the unwinding passes
    // through too) if given, else to that address; without one, to `after`.
    virtual void jump_to_unwind(std::uint32_t /*after*/, std::optional<std::uint32_t> /*via_finally*/) {}
    virtual void load_type_of(NativeReg /*dst*/, NativeReg /*obj*/) {} // an object's first word

    // Generators (NativeFrame::generator). A target without them refuses such functions. A yield or a
    // return stores the code state's stack pointer (at a state slot), the return kind and, for a yield,
    // the address to resume at; the throw slot holds what gen.throw() passed in (or NULL).
    virtual bool supports_generators() const { return false; }
    virtual void store_gen_sp(std::uint32_t /*slot*/) {}
    virtual void store_return_kind(GenReturn /*kind*/) {}
    virtual void store_resume_address(std::uint32_t /*label*/) {}
    virtual void load_throw_value(NativeReg /*dst*/) {}
    virtual void store_throw_value(NativeReg /*src*/) {}
    virtual void clear_throw_value(NativeReg via) { // after it was loaded to be raised
        zero_reg(via);
        store_throw_value(via);
    }
    // The exit label's code and the whole function's machine code (without the prelude).
    virtual mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) = 0;
};

} // namespace mpyship::compiler
