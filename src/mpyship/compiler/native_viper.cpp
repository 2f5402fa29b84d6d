#include "mpyship/compiler/native_viper.h"

#include "mpyship/compiler/asm_rv32.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_stack.h"
#include "mpyship/compiler/native_thumb.h"
#include "mpyship/compiler/native_viper_rv32.h"
#include "mpyship/compiler/native_viper_thumb.h"
#include "mpyship/compiler/native_viper_x64.h"
#include "mpyship/compiler/native_viper_xtensa.h"
#include "mpyship/compiler/native_xtensa.h"
#include "mpyship/compiler/native_viper_x86.h"
#include "mpyship/mpy/opcodes.h"

#include <algorithm>
#include <optional>

namespace mpyship::compiler {

namespace op = mpy::op;

namespace {

// Binary operator numbers (the BINARY_OP_MULTI offsets, as in the bytecode).
enum BinOp : int {
    k_less = 0, k_more, k_equal, k_less_equal, k_more_equal, k_not_equal, k_in,
    k_inplace_or = 9, k_or = 22, k_xor, k_and, k_lshift, k_rshift, k_add, k_subtract, k_multiply,
    k_floor_divide = 31, k_modulo = 33,
};
constexpr int k_inplace_delta = k_or - k_inplace_or; // an inplace operator is its plain one here

VType vt(const NativeStack::Entry& e) {
    return VType(e.vtype);
}
std::uint8_t raw(VType t) {
    return std::uint8_t(t);
}

// The cast built-ins: loading one of these names pushes a cast, calling it converts or retypes.
std::optional<VType> cast_of(std::string_view name) {
    if (name == "int" || name == "uint" || name == "bool" || name == "ptr" || name == "ptr8" || name == "ptr16" ||
        name == "ptr32")
        return vtype_from_name(name);
    return std::nullopt;
}

class ViperTranslator {
  public:
    ViperTranslator(const NativeScope& scope, const ViperInfo& info, ViperTarget& target,
                    NativeModuleState& module_state, QstrTable& qstrs, ConstantTable& constants,
                    std::vector<VType> local_types, bool first_pass)
        : m_scope(scope), m_info(info), m_em(scope.emitter), m_module_state(module_state), m_t(target.native()),
          m_v(target),
          m_abi(m_t.abi()), m_stack(m_t),
          m_qstrs(qstrs), m_constants(constants), m_exit(std::uint32_t(scope.emitter.label_count())), m_line(scope.def_pos.line),
          m_types(std::move(local_types)), m_first_pass(first_pass), m_next_label(m_exit + 1) {}

    mpy::Bytes run(ViperFrame frame, VType return_type);
    std::uint32_t max_stack() const { return std::uint32_t(m_stack.max_size()); }
    bool uses_constants() const { return m_uses_constants; }
    const std::vector<VType>& local_types() const { return m_types; }

  private:
    void item(const CodeItem& it);
    void op_item(const CodeItem& it);
    bool constant_op(const CodeItem& it);
    bool local_op(const CodeItem& it);
    bool stack_op(const CodeItem& it);
    bool flow_op(const CodeItem& it);
    bool binary_op(const CodeItem& it);
    bool subscr_op(const CodeItem& it);
    bool call_op(const CodeItem& it);
    bool object_op(const CodeItem& it);
    bool unary_op(const CodeItem& it);
    void store_attr(const CodeItem& it);
    void pop_object_into(NativeReg r);
    bool cast_call(const CodeItem& it);
    void make_function(const CodeItem& it);
    void object_pointer_for_pop(NativeReg dest, std::size_t n);
    std::uint32_t qstr(const CodeItem& it);
    void load_const_obj(std::uint32_t index);
    void boxed_pointer_for_pop(NativeReg dest, std::size_t n);
    void box_top(NativeReg dest, std::size_t n);
    void object_load_subscr();
    void object_store_subscr();
    std::optional<std::uint64_t> object_of_imm(const NativeStack::Entry& e) const;
    [[noreturn]] void unsupported(const std::string& what) const;
    void defer_error(const std::string& message);
    std::size_t unit_end(const ViperUnitEnd& unit);
    [[noreturn]] void report_error(std::uint32_t line);
    void replace_top(std::size_t n_pop, VType result);

    std::uint32_t state_of_local(std::uint32_t local) const { return m_n_state - 1 - local; }
    const std::string& local_name(std::uint32_t local) const;
    void load_local(std::uint32_t local);
    void store_local(std::uint32_t local);
    void load_deref(std::uint32_t local);
    void store_deref(std::uint32_t local);
    NativeReg pop_flexible(std::initializer_list<NativeReg> avoid, NativeReg fallback);
    void int_binary(int o, VType type);
    void compare(int o, VType type);
    void pop_jump(const CodeItem& it);
    void return_value();
    // A converted value goes from the call's return register to the function's (xtensawin: a10 to a2).
    void move_to_return_reg() {
        if (m_t.return_reg() != m_abi.ret)
            m_t.mov_reg_reg(m_t.return_reg(), m_abi.ret);
    }
    void load_subscr();
    void store_subscr();
    void delete_subscr();
    void label(Label l);
    void adjust(int delta);
    std::uint8_t& kept_vtype() { return m_module_state.viper_kept_vtype; }
    void stack_item(const CodeItem& it);
    // try/except/finally and with, as the native emitter translates them (native_emitter.cpp)
    bool handler_op(const CodeItem& it);
    bool iter_op(const CodeItem& it);
    void handler_label(std::size_t entry);
    void write_innermost_handler(bool clear_when_none);
    void jump_out(std::uint32_t target, std::size_t depth);
    void setup_with(Label handler);
    void with_cleanup();
    static bool ends_flow(std::uint8_t opcode);
    bool reg_local(std::uint32_t local) const { return local < 2 && !m_has_handlers; }

    const NativeScope& m_scope;
    const ViperInfo& m_info;
    Emitter& m_em;
    NativeModuleState& m_module_state; // shared by the module's native functions and by both passes
    NativeTarget& m_t;
    ViperTarget& m_v;
    const NativeAbi& m_abi;
    NativeStack m_stack;
    QstrTable& m_qstrs;
    ConstantTable& m_constants;
    std::uint32_t m_exit;
    std::uint32_t m_line;
    std::uint32_t m_n_state = 0;
    VType m_return_type = VType::object;
    std::vector<VType> m_types; // per local
    bool m_first_pass;
    std::optional<CompileError> m_error; // the last deferred type error (a later one replaces the text)
    std::uint32_t m_error_line = 0;      // its line, once a statement that marks one completed after it
    bool m_uses_constants = false;       // loads constant objects: the function object is kept
    bool m_has_handlers = false;            // try/with: locals live in their slots
    // The try/with blocks around the current code, innermost last: a block is active until its body
    // ends, then its handler runs until END_FINALLY.
    struct Block {
        Label label;
        bool is_finally;
        bool active;
        bool is_with = false; // its label is placed by WITH_CLEANUP
        bool unwound = false; // a return or break jumps into it: END_FINALLY goes on to the unwind address
    };
    std::vector<Block> m_blocks;
    bool m_prev_dead = false; // the last op was unreachable
    bool m_deleting = false;  // inside LOAD_NULL, ROT_*, STORE_* of a del statement (as in native code)
    // After END_FINALLY of a block a return/break went through, the code is reachable for the reference
    // (the label after its jump to the unwind address) even where the bytecode's is not.
    bool m_revived = false;
    std::uint32_t m_next_label = 0; // labels of the machine code's own (after the exit label)
};

// mpy-cross adds the closing `return None` only when the body's last operation is not a return; the
// code generator always records it (as unreachable code), so here it is left out in that case.
std::size_t items_to_translate(const std::vector<CodeItem>& items) {
    std::size_t seen = 0, end = items.size();
    for (std::size_t i = items.size(); i-- > 0;) {
        if (items[i].kind == ItemKind::label)
            return items.size();
        if (items[i].kind != ItemKind::op)
            continue;
        if (++seen == 2)
            end = i;
        if (seen == 3)
            return items[i].opcode == op::RETURN_VALUE ? end : items.size();
    }
    return items.size();
}

mpy::Bytes ViperTranslator::run(ViperFrame frame, VType return_type) {
    m_n_state = frame.n_state;
    m_return_type = return_type;
    m_has_handlers = frame.has_handlers;
    m_v.viper_prologue(frame);
    const auto& items = m_em.items();
    const std::size_t n = items_to_translate(items);
    std::size_t next_unit = 0;
    const auto& units = m_info.unit_ends;
    auto next_line = [&] { return next_unit < units.size() ? units[next_unit].line : m_scope.def_pos.line; };
    for (std::size_t i = 0; i < n;) {
        bool skipped = false;
        while (next_unit < units.size() && units[next_unit].items <= i) {
            const std::size_t resume = unit_end(units[next_unit]);
            ++next_unit;
            if (resume > i) { // the rest of the block is not compiled, nor the unit ends inside it
                i = resume;
                skipped = true;
                while (next_unit < units.size() && units[next_unit].items < resume)
                    ++next_unit;
            }
        }
        if (skipped)
            continue;
        const CodeItem& it = items[i++];
        try {
            item(it);
        } catch (const NativeStack::Underflow&) {
            if (m_error) // what follows a type error is not translated: its statement gives the line
                report_error(next_line());
            unsupported("this stack effect");
        } catch (const CompileError& e) {
            // our own refusals give way to a type error already found; what mpy-cross itself raises in
            // the middle of a statement ("native yield", no traceback) replaces it
            if (m_error && e.kind == "NotImplementedError" && e.has_traceback)
                report_error(next_line());
            throw;
        }
    }
    if (m_error)
        report_error(next_line());
    return m_t.epilogue_and_finish(m_exit);
}

void ViperTranslator::item(const CodeItem& it) {
    switch (it.kind) {
    case ItemKind::line:
        m_line = std::uint32_t(it.value);
        break;
    case ItemKind::label:
        label(Label(it.value));
        break;
    case ItemKind::stack:
        stack_item(it);
        break;
    case ItemKind::op: {
        // mpy-cross has no viper generators: its emitter raises "native yield" (no traceback) at the first
        // yield, unless a type error came before (the translation loop reports that one instead).
        if (it.opcode == op::YIELD_VALUE || it.opcode == op::YIELD_FROM)
            throw CompileError{"NotImplementedError", "native yield", SourcePos{}, m_scope.name, false,
                               false};
        const bool dead = it.dead && !m_revived;
        // WITH_CLEANUP's first part belongs to the flow before its label (the None pushed there)
        m_t.set_suppressed(it.opcode == op::WITH_CLEANUP ? m_prev_dead : dead);
        op_item(it);
        m_prev_dead = dead && !m_revived;
        if (ends_flow(it.opcode))
            m_revived = false;
        break;
    }
    }
}

// Where branches join at a different depth, the entries that come back into use are typed as the
// reference types them: one entry takes the type of the value the last and/or jump kept on the stack
// (a chained comparison's), more entries are objects (measured: `print(1 < x < n)` converts a bool).
void ViperTranslator::adjust(int delta) {
    if (delta <= 0) {
        m_stack.adjust(delta);
        return;
    }
    for (int k = 0; k < delta; ++k)
        m_stack.push_slots(1, delta == 1 ? kept_vtype() : raw(VType::object));
}

void ViperTranslator::label(Label l) {
    m_revived = false;
    for (std::size_t i = 0; i < m_blocks.size(); ++i)
        if (m_blocks[i].label == l)
            return m_blocks[i].is_with ? void() : handler_label(i);
    m_stack.settle();
    m_t.set_suppressed(false);
    m_t.bind(l);
    m_stack.all_in_slots();
}

// A for loop over an object keeps its iterator in 4 stack slots (GET_ITER_STACK); FOR_ITER jumps out
// when it ends. As in native code; the items are objects, as are those an unpacking writes.
bool ViperTranslator::iter_op(const CodeItem& it) {
    constexpr std::size_t k_iter_slots = 4;
    const NativeReg* a = m_abi.arg;
    switch (it.opcode) {
    case op::GET_ITER: // a generator expression's argument (or a yield from's, which fails at its yield)
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        if (vt(m_stack.peek()) != VType::object) // mpy-cross fails an assertion
            unsupported("iterating over a '" + std::string(vtype_name(vt(m_stack.peek()))) + "'");
        m_stack.pop_into({a[0]});
        m_t.mov_reg_imm(a[1], 0);
        m_stack.spill_regs();
        m_t.call(RtFun::getiter);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::GET_ITER_STACK:
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        if (vt(m_stack.peek()) != VType::object)
            unsupported("iterating over a '" + std::string(vtype_name(vt(m_stack.peek()))) + "'");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.lea_state(a[1], std::uint32_t(m_stack.size()));
        m_t.call(RtFun::getiter);
        m_stack.push_slots(k_iter_slots, raw(VType::object));
        return true;
    case op::FOR_ITER:
        if (m_stack.size() < k_iter_slots)
            throw NativeStack::Underflow{};
        m_stack.settle();
        m_t.lea_state(a[0], std::uint32_t(m_stack.size() - k_iter_slots));
        m_t.call(RtFun::iternext);
        m_t.jump_if_ret_null(Label(it.value));
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::UNPACK_SEQUENCE: // the items land in their slots, the first on top
    case op::UNPACK_EX: {     // n_left | n_right << 8; the starred list lands between them
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        if (vt(m_stack.peek()) != VType::object)
            unsupported("unpacking a '" + std::string(vtype_name(vt(m_stack.peek()))) + "'");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs(); // before taking the pointer, as LOAD_METHOD
        m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
        m_t.mov_reg_imm(a[1], std::uint64_t(it.value));
        m_t.call(it.opcode == op::UNPACK_SEQUENCE ? RtFun::unpack_sequence : RtFun::unpack_ex);
        m_stack.push_slots(it.opcode == op::UNPACK_SEQUENCE ? std::size_t(it.value)
                                                            : std::size_t((it.value & 0xff) + (it.value >> 8) + 1),
                           raw(VType::object));
        return true;
    }
    default:
        return false;
    }
}

bool ViperTranslator::ends_flow(std::uint8_t opcode) {
    return opcode == op::JUMP || opcode == op::UNWIND_JUMP || opcode == op::POP_EXCEPT_JUMP ||
           opcode == op::RETURN_VALUE || opcode == op::RAISE_LAST || opcode == op::RAISE_OBJ ||
           opcode == op::RAISE_FROM;
}

// An except handler starts with the exception (an object) on the stack; bytecode also reserves slots
// for an UNWIND_JUMP, which machine code does not use.
void ViperTranslator::stack_item(const CodeItem& it) {
    if (it.payload != k_payload_except_handler) {
        adjust(int(it.value));
        return;
    }
    if (it.value > 0) {
        m_stack.free_reg(m_abi.temp0);
        m_t.load_exc_value(m_abi.temp0);
        m_stack.push_reg(m_abi.temp0, raw(VType::object));
    }
}

// A handler's label: a finally block keeps the value on top (None, which viper code holds as 0, or what
// it re-raises) in the exception slot; exceptions then go to the next active block out.
void ViperTranslator::handler_label(std::size_t entry) {
    Block& b = m_blocks[entry];
    if (b.is_finally) {
        m_stack.peek_into(m_abi.temp0);
        m_t.store_exc_value(m_abi.temp0);
    }
    m_stack.settle();
    m_t.set_suppressed(false);
    m_t.bind(b.label);
    m_stack.all_in_slots();
    b.active = false;
    write_innermost_handler(b.is_finally); // a finally block is also entered without the dispatcher
}

// The handler slot gets the innermost active block's label; with none it is cleared, or left as the
// dispatcher cleared it before jumping to a handler.
void ViperTranslator::write_innermost_handler(bool clear_when_none) {
    for (auto b = m_blocks.rbegin(); b != m_blocks.rend(); ++b) {
        if (b->active) {
            m_t.set_handler(b->label);
            return;
        }
    }
    if (clear_when_none)
        m_t.clear_handler();
}

bool ViperTranslator::handler_op(const CodeItem& it) {
    switch (it.opcode) {
    case op::SETUP_EXCEPT:
    case op::SETUP_FINALLY:
        m_stack.settle();
        m_blocks.push_back({Label(it.value), it.opcode == op::SETUP_FINALLY, true});
        m_t.set_handler(Label(it.value));
        return true;
    case op::POP_EXCEPT_JUMP: // ends a try body (its block stops catching) or an except clause
        m_stack.settle();
        if (!m_blocks.empty() && m_blocks.back().active) {
            m_blocks.back().active = false;
            write_innermost_handler(true);
        } else {
            m_t.clear_exc_value();
        }
        m_t.jump(Label(it.value));
        return true;
    case op::END_FINALLY: { // re-raises what the handler did not handle (nothing when None/NULL)
        if (m_blocks.empty())
            return false;
        const bool unwound = m_blocks.back().unwound;
        m_blocks.pop_back();
        m_stack.settle();
        m_t.raise_exc_value();
        if (unwound) { // the label after the jump to the unwind address makes what follows reachable
            // an unwinding that goes on through the next finally block out goes there first
            const auto outer = std::find_if(m_blocks.rbegin(), m_blocks.rend(),
                                            [](const Block& b) { return b.is_finally && b.active; });
            m_t.jump_to_unwind(m_next_label++, outer != m_blocks.rend() && outer->unwound
                                                   ? std::optional<std::uint32_t>(outer->label)
                                                   : std::nullopt);
            m_t.set_suppressed(false);
            m_revived = true;
        }
        m_stack.drop(1);
        return true;
    }
    case op::SETUP_WITH:
        setup_with(Label(it.value));
        return true;
    case op::UNWIND_JUMP: {
        m_stack.settle();
        const auto depth = std::size_t(it.trailing_byte & 0x7f);
        if (depth == 0 || depth > m_blocks.size())
            unsupported("this break or continue");
        jump_out(std::uint32_t(it.value), depth);
        return true;
    }
    case op::WITH_CLEANUP:
        with_cleanup();
        return true;
    default:
        return false;
    }
}

// A return (out of every block) or a break/continue out of `depth` blocks. Through finally or with
// blocks it runs them first, innermost first: the unwind slot gets the target's address, the exception
// slot NULL, and each END_FINALLY goes on to the next of them, the last to the target. Out of try/except
// blocks only, the handler slot gets the next active block further out (or is cleared).
void ViperTranslator::jump_out(std::uint32_t target, std::size_t depth) {
    if (m_blocks.empty()) {
        m_t.jump(target);
        return;
    }
    Block* finally_block = nullptr; // the innermost of those it leaves
    for (std::size_t i = m_blocks.size() - depth; i < m_blocks.size(); ++i) {
        if (m_blocks[i].active && m_blocks[i].is_finally) {
            m_blocks[i].unwound = true;
            finally_block = &m_blocks[i];
        }
    }
    if (finally_block != nullptr) {
        m_t.set_unwind(target);
        m_t.mov_reg_imm(m_abi.ret, 0);
        m_t.store_exc_value(m_abi.ret);
        m_t.jump(finally_block->label);
        return;
    }
    const auto active = std::find_if(m_blocks.rbegin() + std::ptrdiff_t(depth), m_blocks.rend(),
                                     [](const Block& b) { return b.active; });
    if (active != m_blocks.rend())
        m_t.set_handler(active->label);
    else
        m_t.clear_handler();
    m_t.jump(target);
}

// The manager's __exit__ and the manager stay below the value __enter__ returned; the value is then
// on the stack twice (the reference pops it and pushes its register twice).
void ViperTranslator::setup_with(Label handler) {
    const NativeReg* a = m_abi.arg;
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    if (vt(m_stack.peek()) != VType::object)
        unsupported("a with statement over a '" + std::string(vtype_name(vt(m_stack.peek()))) + "'");
    m_stack.peek_into(a[0]);
    m_stack.spill_regs();
    m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
    m_t.mov_reg_qstr(a[1], m_qstrs.use("__exit__"));
    m_t.call(RtFun::load_method);
    m_stack.push_slots(2);
    m_stack.pop_into({a[2], a[1], a[0]});
    m_stack.push_reg(a[1]);
    m_stack.push_reg(a[2]);
    m_stack.spill_regs();
    m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
    m_t.mov_reg_qstr(a[1], m_qstrs.use("__enter__"));
    m_t.call(RtFun::load_method);
    m_stack.push_slots(2);
    m_stack.pointer_for_pop(a[2], 2);
    m_stack.spill_regs();
    m_t.mov_reg_imm(a[0], 0);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_stack.push_reg(m_abi.ret);
    m_stack.settle();
    m_blocks.push_back({handler, true, true, true});
    m_t.set_handler(handler);
    m_stack.pop_into({m_abi.temp0});
    m_stack.push_reg(m_abi.temp0);
    m_stack.push_reg(m_abi.temp0);
}

// Leaving the block normally calls __exit__(None, None, None); an exception calls
// __exit__(type, exception, None) and is swallowed when that returns true. END_FINALLY follows.
void ViperTranslator::with_cleanup() {
    const NativeReg* a = m_abi.arg;
    if (m_blocks.empty() || !m_blocks.back().is_with)
        unsupported("WITH_CLEANUP outside a with block");
    Block& b = m_blocks.back();
    const std::uint32_t normal = m_next_label++, swallow = m_next_label++, reraise = m_next_label++;
    b.active = false;
    write_innermost_handler(true);
    m_stack.drop(2); // the second copy of the value and the None before the label
    m_t.set_suppressed(false);
    m_t.bind(normal);
    const std::size_t base = m_stack.size(); // __exit__ and the manager below
    for (int i = 0; i < 3; ++i)
        m_stack.push_fun_entry(RtFun::const_none);
    m_stack.pointer_for_pop(a[2], 5);
    m_t.mov_reg_imm(a[0], 3);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_t.jump(swallow);
    m_t.set_suppressed(false);
    m_t.bind(b.label);
    write_innermost_handler(false);
    m_t.load_exc_value(a[0]);
    m_t.jump_if_zero(a[0], normal);
    m_t.load_type_of(a[1], a[0]);
    m_t.store_state(std::uint32_t(base), a[1]);
    m_t.store_state(std::uint32_t(base + 1), a[0]);
    m_t.mov_reg_fun_entry(a[2], RtFun::const_none);
    m_t.store_state(std::uint32_t(base + 2), a[2]);
    m_t.lea_state(a[2], std::uint32_t(base - 2));
    m_t.mov_reg_imm(a[0], 3);
    m_t.mov_reg_imm(a[1], 0);
    m_t.call(RtFun::call_method_n_kw);
    m_t.mov_reg_reg(a[0], m_abi.ret);
    m_t.call(RtFun::obj_is_true);
    m_t.jump_if_bool(false, reraise);
    m_t.bind(swallow);
    m_t.clear_exc_value();
    m_t.bind(reraise);
    m_stack.push_slots(5); // as the bytecode counts them: the adjustment and END_FINALLY take them
}

void ViperTranslator::op_item(const CodeItem& it) {
    if (constant_op(it) || local_op(it) || stack_op(it) || flow_op(it) || binary_op(it) || unary_op(it) ||
        subscr_op(it) || call_op(it) || object_op(it) || handler_op(it) || iter_op(it))
        return;
    std::string name = "opcode " + std::to_string(it.opcode);
    if (auto info = mpy::opcode_info(it.opcode))
        name = std::string(info->name);
    unsupported(name);
}

void ViperTranslator::unsupported(const std::string& what) const {
    throw CompileError{"NotImplementedError", "mpyship: viper code for " + what + " is not implemented yet",
                       SourcePos{m_line, 1}, m_scope.name, true, true};
}

// mpy-cross notes a type error and compiles on; a later error replaces it until a statement that marks a
// line completes and gives it that line (ViperUnitEnd), then it is reported. The code after a type error
// is never emitted: only the types matter there.
void ViperTranslator::defer_error(const std::string& message) {
    m_error = CompileError{"ViperTypeError", message, SourcePos{m_line, 1}, m_scope.name, true, false};
}

// A statement that marks a line completed: a pending error takes its line (the first such line only), and
// translation resumes where the statement's block ends (returned; 0 without an error).
std::size_t ViperTranslator::unit_end(const ViperUnitEnd& unit) {
    if (!m_error)
        return 0;
    if (m_error_line == 0)
        m_error_line = unit.line;
    return unit.block_end == static_cast<std::size_t>(-1) ? unit.items : unit.block_end;
}

[[noreturn]] void ViperTranslator::report_error(std::uint32_t line) {
    m_error->pos = SourcePos{m_error_line != 0 ? m_error_line : line, 1};
    throw *m_error;
}

// After a type error the operation still leaves a value of the type mpy-cross gives it.
void ViperTranslator::replace_top(std::size_t n_pop, VType result) {
    m_stack.drop(n_pop);
    if (result != VType::unbound)
        m_stack.push_imm(0, raw(result));
}

bool ViperTranslator::constant_op(const CodeItem& it) {
    const std::uint8_t o = it.opcode;
    if (o >= op::LOAD_CONST_SMALL_INT_MULTI && o < op::LOAD_CONST_SMALL_INT_MULTI + op::k_small_int_multi_num) {
        const std::int64_t v = o - op::LOAD_CONST_SMALL_INT_MULTI - op::k_small_int_multi_excess;
        m_stack.push_imm(std::uint64_t(v), raw(VType::int_));
        return true;
    }
    switch (o) {
    case op::LOAD_CONST_SMALL_INT:
        m_stack.push_imm(std::uint64_t(it.value), raw(VType::int_));
        return true;
    case op::LOAD_NULL: // (no defaults of a kind) a NULL object
        if (it.payload == k_payload_delete_null)
            return false;
        m_stack.push_imm(0, raw(VType::object));
        return true;
    case op::LOAD_CONST_NONE: // 0 while it is a machine value; the None object once it becomes one
        m_stack.push_imm(0, raw(VType::none));
        return true;
    case op::LOAD_CONST_FALSE:
    case op::LOAD_CONST_TRUE:
        m_stack.push_imm(o == op::LOAD_CONST_TRUE ? 1 : 0, raw(VType::bool_));
        return true;
    case op::LOAD_CONST_STRING: {
        mpy::Constant str;
        str.kind = mpy::ObjKind::str;
        str.data = m_em.qstr_of(it);
        load_const_obj(m_constants.use(std::move(str)));
        return true;
    }
    case op::LOAD_CONST_OBJ:
        load_const_obj(std::uint32_t(it.value));
        return true;
    default:
        return false;
    }
}

void ViperTranslator::load_const_obj(std::uint32_t index) {
    m_uses_constants = true;
    m_stack.free_reg(m_abi.temp0);
    m_t.mov_reg_const_obj(m_abi.temp0, index);
    m_stack.push_reg(m_abi.temp0, raw(VType::object));
}

std::uint32_t ViperTranslator::qstr(const CodeItem& it) {
    if (it.qstr_phase == QstrPhase::scope_pass)
        return std::uint32_t(it.value);
    return m_qstrs.use(m_em.qstr_of(it));
}

const std::string& ViperTranslator::local_name(std::uint32_t local) const {
    static const std::string unknown = "?";
    return local < m_info.local_names.size() ? m_info.local_names[local] : unknown;
}

void ViperTranslator::load_local(std::uint32_t local) {
    VType type = m_types.at(local);
    if (type == VType::unbound) {
        defer_error("local '" + local_name(local) + "' used before type known");
        // The value stays unbound, which the reference names 'None' when a later error in the statement
        // replaces this one ("can't do binary op between 'None' and 'int'", "return expected 'int' but
        // got 'None'"); passed on as an argument or stored it raises nothing more.
    }
    if (reg_local(local)) {
        m_stack.push_reg(m_abi.local_regs[local], raw(type));
        return;
    }
    m_stack.free_reg(m_abi.temp0);
    m_t.load_state(m_abi.temp0, state_of_local(local));
    m_stack.push_reg(m_abi.temp0, raw(type));
}

// The first store of a local gives it its type (in the first pass); later stores must agree.
void ViperTranslator::store_local(std::uint32_t local) {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    const VType src = vt(m_stack.peek());
    if (src == VType::cast)
        unsupported("storing a cast built-in");
    VType& type = m_types.at(local);
    if (type == VType::unbound && m_first_pass)
        type = src;
    if (type != src)
        defer_error("local '" + local_name(local) + "' has type '" + std::string(vtype_name(type)) +
                    "' but source is '" + std::string(vtype_name(src)) + "'");
    if (reg_local(local)) {
        m_stack.pop_into({m_abi.local_regs[local]});
        return;
    }
    m_stack.pop_into({m_abi.temp0});
    m_t.store_state(state_of_local(local), m_abi.temp0);
}

// Closed-over variables as native code reaches them: the local holds the cell, the value is in the
// cell's second word and is read as an object; a machine value is stored as it is (None as 0, an int
// unboxed), as mpy-cross's code does. (Viper code has no prelude, so no cell is made on entry: the
// local is whatever was stored in it, an argument's object for one, as mpy-cross's code does.)
void ViperTranslator::load_deref(std::uint32_t local) {
    if (m_types.at(local) == VType::unbound) // a cell that is not an argument: its type is never known
        defer_error("local '" + local_name(local) + "' used before type known");
    m_stack.free_reg(m_abi.ret);
    load_local(local);
    const NativeReg cell = m_stack.pop_flexible(m_abi.ret);
    m_t.load_cell_contents(m_abi.ret, cell);
    m_stack.push_reg(m_abi.ret, raw(VType::object));
}

void ViperTranslator::store_deref(std::uint32_t local) {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    if (m_types.at(local) == VType::unbound) {
        defer_error("local '" + local_name(local) + "' used before type known");
        m_stack.drop(1);
        return;
    }
    m_stack.free_reg(m_abi.temp0);
    m_stack.free_reg(m_abi.temp1);
    NativeReg cell = m_abi.temp0;
    if (reg_local(local))
        cell = m_abi.local_regs[local];
    else
        m_t.load_state(m_abi.temp0, state_of_local(local));
    m_stack.push_slots(1);
    m_stack.drop(1);
    const NativeReg value = m_stack.pop_flexible(m_abi.temp1);
    m_t.store_cell_contents(cell, value);
}

bool ViperTranslator::local_op(const CodeItem& it) {
    const std::uint8_t o = it.opcode;
    if (o >= op::LOAD_FAST_MULTI && o < op::LOAD_FAST_MULTI + op::k_fast_multi_num)
        load_local(o - op::LOAD_FAST_MULTI);
    else if (o >= op::STORE_FAST_MULTI && o < op::STORE_FAST_MULTI + op::k_fast_multi_num)
        store_local(o - op::STORE_FAST_MULTI);
    else if (o == op::LOAD_FAST_N)
        load_local(std::uint32_t(it.value));
    else if (o == op::STORE_FAST_N)
        store_local(std::uint32_t(it.value));
    else if (o == op::LOAD_DEREF)
        load_deref(std::uint32_t(it.value));
    else if (o == op::STORE_DEREF)
        store_deref(std::uint32_t(it.value));
    else if (o == op::DELETE_DEREF) { // no code, as in native code (the cell keeps its value)
    } else if (o == op::DELETE_FAST) { // a store of None
        m_stack.push_imm(0, raw(VType::none));
        store_local(std::uint32_t(it.value));
    } else
        return false;
    return true;
}

bool ViperTranslator::stack_op(const CodeItem& it) {
    const NativeReg t0 = m_abi.temp0, t1 = m_abi.temp1, t2 = m_abi.temp2;
    if (it.opcode == op::POP_TOP) {
        if (it.payload != k_payload_unwind_pop)
            m_stack.drop(1);
        return true;
    }
    if (it.opcode != op::DUP_TOP && it.opcode != op::DUP_TOP_TWO && it.opcode != op::ROT_TWO &&
        it.opcode != op::ROT_THREE)
        return false;
    if (m_deleting && (it.opcode == op::ROT_TWO || it.opcode == op::ROT_THREE))
        return true;
    const std::size_t n = it.opcode == op::DUP_TOP ? 1 : it.opcode == op::ROT_THREE ? 3 : 2;
    if (m_stack.size() < n)
        throw NativeStack::Underflow{};
    std::uint8_t ty[3] = {};
    for (std::size_t i = 0; i < n; ++i)
        ty[i] = m_stack.peek(i).vtype;
    switch (it.opcode) {
    case op::DUP_TOP: {
        const NativeReg r = m_stack.pop_flexible(t0);
        m_stack.push_reg(r, ty[0]);
        m_stack.push_reg(r, ty[0]);
        break;
    }
    case op::DUP_TOP_TWO:
        m_stack.pop_into({t0, t1});
        m_stack.push_reg(t1, ty[1]);
        m_stack.push_reg(t0, ty[0]);
        m_stack.push_reg(t1, ty[1]);
        m_stack.push_reg(t0, ty[0]);
        break;
    case op::ROT_TWO:
        m_stack.pop_into({t0, t1});
        m_stack.push_reg(t0, ty[0]);
        m_stack.push_reg(t1, ty[1]);
        break;
    default: // ROT_THREE
        m_stack.pop_into({t0, t1, t2});
        m_stack.push_reg(t0, ty[0]);
        m_stack.push_reg(t2, ty[2]);
        m_stack.push_reg(t1, ty[1]);
        break;
    }
    return true;
}

bool ViperTranslator::flow_op(const CodeItem& it) {
    switch (it.opcode) {
    case op::RETURN_VALUE:
        return_value();
        return true;
    case op::JUMP:
        m_stack.settle();
        m_t.jump(Label(it.value));
        return true;
    case op::POP_JUMP_IF_TRUE:
    case op::POP_JUMP_IF_FALSE:
        pop_jump(it);
        return true;
    case op::JUMP_IF_TRUE_OR_POP:
    case op::JUMP_IF_FALSE_OR_POP: { // and/or: the tested value stays as the result when it jumps
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        const VType type = vt(m_stack.peek());
        const bool if_true = it.opcode == op::JUMP_IF_TRUE_OR_POP;
        if (type != VType::int_ && type != VType::uint && type != VType::bool_ && type != VType::object)
            unsupported("and/or over a '" + std::string(vtype_name(type)) + "'");
        kept_vtype() = m_stack.peek().vtype;
        if (type == VType::object) {
            m_stack.peek_into(m_abi.arg[0]);
            m_stack.spill_regs();
            m_t.call(RtFun::obj_is_true);
            m_stack.settle();
            m_t.jump_if_bool(if_true, Label(it.value));
        } else {
            m_stack.peek_into(m_abi.ret);
            m_stack.settle();
            m_v.jump_if_ret(if_true, Label(it.value));
        }
        m_stack.drop(1);
        return true;
    }
    default:
        return false;
    }
}

// Machine values are tested whole in the return register; objects by the runtime's truth test.
void ViperTranslator::pop_jump(const CodeItem& it) {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    const VType type = vt(m_stack.peek());
    const bool if_true = it.opcode == op::POP_JUMP_IF_TRUE;
    if (type == VType::bool_ || type == VType::int_ || type == VType::uint) {
        m_stack.pop_into({m_abi.ret});
        m_stack.settle();
        m_v.jump_if_ret(if_true, Label(it.value));
        return;
    }
    if (type != VType::object) {
        defer_error("can't implicitly convert '" + std::string(vtype_name(type)) + "' to 'bool'");
        replace_top(1, VType::unbound);
        return;
    }
    m_stack.pop_into({m_abi.arg[0]});
    m_stack.spill_regs();
    m_t.call(RtFun::obj_is_true);
    m_stack.settle();
    m_t.jump_if_bool(if_true, Label(it.value));
}

// An object is returned as it is; a machine value is converted to the object of the return type.
void ViperTranslator::return_value() {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    // A generator's return value is not checked against the return type (measured: `return 1` then a
    // yield gives "native yield"); such code is never written here (see emit_viper_function).
    if (is_generator_scope(m_em)) {
        m_stack.drop(1);
        m_t.jump(m_exit);
        return;
    }
    const VType type = vt(m_stack.peek());
    if (type == VType::none && m_return_type == VType::object) {
        m_stack.drop(1);
        m_t.mov_reg_fun_entry(m_t.return_reg(), RtFun::const_none);
        m_t.store_return_value();
        jump_out(m_exit, m_blocks.size());
        return;
    }
    if (type == VType::none) { // None returned as a machine value is 0
        m_stack.pop_into({m_abi.arg[0]});
        m_t.mov_reg_imm(m_abi.arg[1], std::uint64_t(m_return_type));
        m_v.call_viper(ViperFun::convert_native_to_obj);
        move_to_return_reg();
        m_t.store_return_value();
        jump_out(m_exit, m_blocks.size());
        return;
    }
    if (type != m_return_type) {
        defer_error("return expected '" + std::string(vtype_name(m_return_type)) + "' but got '" +
                    std::string(vtype_name(type)) + "'");
        replace_top(1, VType::unbound);
        m_t.jump(m_exit);
        return;
    }
    if (type == VType::object) {
        m_stack.pop_into({m_t.return_reg()});
    } else {
        m_stack.pop_into({m_abi.arg[0]});
        m_t.mov_reg_imm(m_abi.arg[1], std::uint64_t(type));
        m_v.call_viper(ViperFun::convert_native_to_obj);
        move_to_return_reg();
    }
    m_t.store_return_value();
    jump_out(m_exit, m_blocks.size());
}

// The top value stays in the register it is in (the register is freed of other values) unless that is
// one the operation needs for itself; otherwise it is popped into `fallback`.
NativeReg ViperTranslator::pop_flexible(std::initializer_list<NativeReg> avoid, NativeReg fallback) {
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    const NativeStack::Entry& top = m_stack.peek();
    if (top.kind == NativeStack::Kind::reg && std::find(avoid.begin(), avoid.end(), top.reg) == avoid.end()) {
        const NativeReg r = top.reg;
        m_stack.free_reg(r, 1);
        m_stack.drop(1);
        return r;
    }
    m_stack.pop_into({fallback});
    return fallback;
}

bool ViperTranslator::binary_op(const CodeItem& it) {
    const int first = op::BINARY_OP_MULTI;
    if (it.opcode < first || it.opcode >= first + op::k_binary_op_num)
        return false;
    int o = it.opcode - first;
    if (o >= k_inplace_or && o < k_or)
        o += k_inplace_delta;
    if (m_stack.size() < 2)
        throw NativeStack::Underflow{};
    const VType rhs = vt(m_stack.peek(0)), lhs = vt(m_stack.peek(1));
    if (lhs == VType::object && rhs == VType::object) { // the runtime's operator, as in native code
        const NativeReg* a = m_abi.arg;
        m_stack.pop_into({a[2], a[1]});
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], std::uint64_t(it.opcode - first));
        m_t.call(RtFun::binary_op);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    }
    // int and uint mix in arithmetic (the left operand's type wins) but not in comparisons. After a type
    // error the result has the left operand's type (a bool for int compared with uint), as in mpy-cross.
    const bool ints = (lhs == VType::int_ || lhs == VType::uint) && (rhs == VType::int_ || rhs == VType::uint);
    const bool implemented = o <= k_not_equal || (o >= k_or && o <= k_multiply) || o == k_floor_divide ||
                             o == k_modulo;
    VType failed = lhs;
    std::string error;
    if (o <= k_not_equal && ints && lhs != rhs) {
        error = "comparison of int and uint";
        failed = VType::bool_;
    } else if (!ints) {
        error = "can't do binary op between '" + std::string(vtype_name(lhs)) + "' and '" +
                std::string(vtype_name(rhs)) + "'";
    } else if (!implemented) {
        error = "binary op  not implemented"; // (sic) mpy-cross names no operator here
    } else if ((o == k_floor_divide || o == k_modulo) && lhs == VType::uint) {
        error = "div/mod not implemented for uint";
        failed = VType::int_; // the reference goes on to its small-int helper, whose result is an int
    }
    if (!error.empty()) {
        defer_error(error);
        // The result goes on even when its type is unbound (an operand loaded before its type was known),
        // so that a later error of the function can still replace this one, as in mpy-cross.
        m_stack.drop(2);
        m_stack.push_imm(0, raw(failed));
        return true;
    }
    if (o <= k_not_equal) {
        compare(o, lhs);
    } else if (o == k_floor_divide || o == k_modulo) { // the runtime's small-int helpers
        m_stack.pop_into({m_abi.arg[1], m_abi.arg[0]});
        m_stack.spill_regs();
        m_v.call_viper(o == k_floor_divide ? ViperFun::small_int_floor_divide : ViperFun::small_int_modulo);
        m_stack.push_reg(m_abi.ret, raw(lhs));
    } else {
        int_binary(o, lhs);
    }
    return true;
}

void ViperTranslator::int_binary(int o, VType type) {
    const NativeReg* a = m_abi.arg;
    const bool shift = o == k_lshift || o == k_rshift;
    const ViperArith shift_op = o == k_lshift ? ViperArith::shl : type == VType::uint ? ViperArith::shr : ViperArith::sar;
    if (const auto count = m_v.shift_count_reg(); shift && count) {
        m_stack.pop_into({*count, m_abi.ret});
        m_v.shift_by_count(shift_op, m_abi.ret);
        m_stack.push_reg(m_abi.ret, raw(type));
        return;
    }
    ViperArith arith = shift_op;
    switch (o) {
    case k_lshift:
    case k_rshift: break;
    case k_add: arith = ViperArith::add; break;
    case k_subtract: arith = ViperArith::sub; break;
    case k_multiply: arith = ViperArith::mul; break;
    case k_and: arith = ViperArith::and_; break;
    case k_or: arith = ViperArith::or_; break;
    case k_xor: arith = ViperArith::xor_; break;
    default: unsupported("this integer operator");
    }
    const NativeReg rhs = pop_flexible({m_abi.ret, a[1]}, a[2]);
    m_stack.pop_into({a[1]});
    m_v.arith(arith, a[1], rhs);
    m_stack.push_reg(a[1], raw(type));
}

void ViperTranslator::compare(int o, VType type) {
    static constexpr ViperCmp k_cmp[] = {ViperCmp::lt, ViperCmp::gt, ViperCmp::eq,
                                         ViperCmp::le, ViperCmp::ge, ViperCmp::ne};
    const NativeReg* a = m_abi.arg;
    const NativeReg rhs = pop_flexible({m_abi.ret, a[1]}, a[2]);
    m_stack.pop_into({a[1]});
    m_stack.free_reg(m_abi.ret);
    m_v.compare_to_ret(k_cmp[o], type == VType::uint, a[1], rhs);
    m_stack.push_reg(m_abi.ret, raw(VType::bool_));
}

// Negation and inversion of a machine value happen in the register it is in: for a local kept in a
// register that changes the local too, as mpy-cross's code does.
bool ViperTranslator::unary_op(const CodeItem& it) {
    constexpr int k_positive = 0, k_negative = 1, k_invert = 2;
    const int first = op::UNARY_OP_MULTI;
    if (it.opcode < first || it.opcode >= first + op::k_unary_op_num)
        return false;
    const int o = it.opcode - first;
    if (m_stack.size() == 0)
        throw NativeStack::Underflow{};
    const NativeStack::Entry e = m_stack.peek();
    const VType type = vt(e);
    if (type == VType::object) {
        m_stack.pop_into({m_abi.arg[1]});
        m_stack.spill_regs();
        m_t.mov_reg_imm(m_abi.arg[0], std::uint64_t(o));
        m_t.call(RtFun::unary_op);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    }
    if (type != VType::int_ && type != VType::uint) {
        defer_error("can't do unary op of '" + std::string(vtype_name(type)) + "'");
        replace_top(1, VType::int_);
        return true;
    }
    if (o != k_positive && o != k_negative && o != k_invert) {
        defer_error("'not' not implemented");
        replace_top(1, VType::int_);
        return true;
    }
    if (o == k_positive)
        return true;
    if (e.kind != NativeStack::Kind::reg)
        unsupported("negating a value not in a register");
    m_stack.free_reg(e.reg, 1);
    m_v.negate(e.reg, o == k_invert);
    return true;
}

// Objects only: attributes and raise work as in native code; a machine value stored to an attribute
// is converted first.
bool ViperTranslator::object_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    auto need_object = [&](std::size_t depth, const char* what) {
        if (m_stack.size() <= depth)
            throw NativeStack::Underflow{};
        if (vt(m_stack.peek(depth)) != VType::object)
            unsupported(std::string(what) + " of a '" + std::string(vtype_name(vt(m_stack.peek(depth)))) + "'");
    };
    switch (it.opcode) {
    case op::LOAD_NULL:
        if (it.payload == k_payload_delete_null)
            m_deleting = true; // with the ROT_* and STORE_* after it: one delete
        else
            m_stack.push_imm(0, raw(VType::object));
        return true;
    case op::LOAD_ATTR:
        need_object(0, "an attribute");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[1], qstr(it));
        m_t.call(RtFun::load_attr);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::LOAD_METHOD:
        need_object(0, "a method");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.lea_state(a[2], std::uint32_t(m_stack.size()));
        m_t.mov_reg_qstr(a[1], qstr(it));
        m_t.call(RtFun::load_method);
        m_stack.push_slots(2);
        return true;
    case op::CALL_METHOD: {
        const auto n_pos = std::uint32_t(it.value & 0xff), n_kw = std::uint32_t(it.value >> 8);
        boxed_pointer_for_pop(a[2], 2 + n_pos + 2 * n_kw);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], n_pos);
        m_t.mov_reg_imm(a[1], n_kw);
        m_t.call(RtFun::call_method_n_kw);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    }
    case op::BUILD_TUPLE:
    case op::BUILD_LIST:
    case op::BUILD_SET:
        boxed_pointer_for_pop(a[1], std::size_t(it.value));
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], std::uint64_t(it.value));
        m_t.call(it.opcode == op::BUILD_TUPLE  ? RtFun::build_tuple
                 : it.opcode == op::BUILD_LIST ? RtFun::build_list
                                               : RtFun::build_set);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::STORE_ATTR:
        if (m_deleting) {
            m_deleting = false;
            need_object(0, "an attribute");
            m_stack.pop_into({a[0]});
            m_t.zero_reg(a[2]);
            m_stack.spill_regs();
            m_t.mov_reg_qstr(a[1], qstr(it));
            m_t.call(RtFun::store_attr);
            return true;
        }
        store_attr(it);
        return true;
    case op::LOAD_SUPER_METHOD: // super, __class__ and self (objects) become the method and self in place
        object_pointer_for_pop(a[1], 3);
        m_t.lea_state(a[1], std::uint32_t(m_stack.size()));
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(RtFun::load_super_method);
        m_stack.push_slots(2, raw(VType::object));
        return true;
    case op::CALL_FUNCTION_VAR_KW:
    case op::CALL_METHOD_VAR_KW: { // function (or method and self), arguments, the star-argument bitmap
        const bool method = it.opcode == op::CALL_METHOD_VAR_KW;
        const auto n_pos = std::uint32_t(it.value & 0xff), n_kw = std::uint32_t(it.value >> 8);
        object_pointer_for_pop(a[2], (method ? 2 : 1) + n_pos + 2 * n_kw + 1);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], method ? 1 : 0);
        m_t.mov_reg_imm(a[1], std::uint64_t(it.value));
        m_t.call(RtFun::call_method_n_kw_var);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    }
    case op::BUILD_MAP:
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[0], std::uint64_t(it.value));
        m_t.call(RtFun::build_map);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::STORE_MAP: // the map stays: the runtime returns it
        if (m_stack.size() < 3)
            throw NativeStack::Underflow{};
        for (std::size_t i = 0; i < 3; ++i)
            if (vt(m_stack.peek(i)) != VType::object)
                unsupported("a dict item of type '" + std::string(vtype_name(vt(m_stack.peek(i)))) +
                            "' (mpy-cross fails an assertion)");
        m_stack.pop_into({a[1], a[2], a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::store_map);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::DELETE_GLOBAL:
    case op::DELETE_NAME:
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(it.opcode == op::DELETE_GLOBAL ? RtFun::delete_global : RtFun::delete_name);
        return true;
    case op::LOAD_BUILD_CLASS: // a class body nested in viper code is viper code too
        m_stack.spill_regs();
        m_t.call(RtFun::load_build_class);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::LOAD_NAME: // (class bodies)
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(RtFun::load_name);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::STORE_NAME:
    case op::STORE_GLOBAL: // a machine value is converted first
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        if (it.opcode == op::STORE_NAME && vt(m_stack.peek()) != VType::object) // mpy-cross fails an assertion
            unsupported("storing a '" + std::string(vtype_name(vt(m_stack.peek()))) +
                        "' to a name of a class body or of the module");
        if (vt(m_stack.peek()) == VType::object) {
            m_stack.pop_into({a[1]});
        } else {
            const VType type = vt(m_stack.peek());
            if (!is_convertible(type))
                unsupported("storing a '" + std::string(vtype_name(type)) + "' to a global");
            m_stack.pop_into({a[0]});
            m_stack.spill_regs();
            m_t.mov_reg_imm(a[1], conversion_code(type));
            m_v.call_viper(ViperFun::convert_native_to_obj);
            m_t.mov_reg_reg(a[1], m_abi.ret);
        }
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(it.opcode == op::STORE_NAME ? RtFun::store_name : RtFun::store_global);
        return true;
    case op::IMPORT_NAME: // the level and the from-list: constants are passed as their objects
        if (m_stack.size() < 2)
            throw NativeStack::Underflow{};
        pop_object_into(a[1]);
        pop_object_into(a[2]);
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(RtFun::import_name);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::IMPORT_FROM: // the module stays below the imported name
        need_object(0, "an import");
        m_stack.peek_into(a[0]);
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[1], qstr(it));
        m_t.call(RtFun::import_from);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    case op::IMPORT_STAR: // `from m import *`, module level only (-X emit=viper)
        need_object(0, "an import");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::import_all);
        return true;
    case op::STORE_COMP: { // comprehensions: as in native code; mpy-cross asserts the items are objects
        const StoreComp c = store_comp_of(it.value);
        if (c.depth < c.n_items() || m_stack.size() <= c.depth)
            throw NativeStack::Underflow{};
        for (std::size_t i = 0; i < c.n_items(); ++i)
            need_object(i, "a comprehension item");
        m_stack.store_comp(c);
        return true;
    }
    case op::RAISE_OBJ:
        if (m_stack.size() == 0)
            throw NativeStack::Underflow{};
        if (vt(m_stack.peek()) != VType::object) {
            defer_error("must raise an object");
            replace_top(1, VType::unbound);
            return true;
        }
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.call(RtFun::raise);
        return true;
    default:
        return false;
    }
}

// Pops an object into `r`; a constant machine value becomes the object it stands for.
void ViperTranslator::pop_object_into(NativeReg r) {
    const NativeStack::Entry e = m_stack.peek();
    if (vt(e) == VType::object) {
        m_stack.pop_into({r});
        return;
    }
    if (e.kind != NativeStack::Kind::imm)
        unsupported("passing a '" + std::string(vtype_name(vt(e))) + "' as an object here");
    m_stack.free_reg(r, 1);
    m_stack.drop(1);
    if (vt(e) == VType::none || vt(e) == VType::bool_)
        m_t.mov_reg_fun_entry(r, vt(e) == VType::none ? RtFun::const_none
                                 : e.imm != 0         ? RtFun::const_true
                                                      : RtFun::const_false);
    else if (const auto obj = object_of_imm(e))
        m_t.mov_reg_imm(r, *obj);
    else
        unsupported("passing a '" + std::string(vtype_name(vt(e))) + "' constant as an object");
}

void ViperTranslator::store_attr(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    if (m_stack.size() < 2)
        throw NativeStack::Underflow{};
    if (vt(m_stack.peek(0)) != VType::object)
        unsupported("an attribute of a '" + std::string(vtype_name(vt(m_stack.peek(0)))) + "'");
    const NativeStack::Entry value = m_stack.peek(1);
    if (vt(value) == VType::object) {
        m_stack.pop_into({a[0], a[2]});
    } else {
        if (!is_convertible(vt(value)))
            unsupported("storing a '" + std::string(vtype_name(vt(value))) + "' to an attribute");
        if (value.kind != NativeStack::Kind::reg || value.reg != a[0])
            m_stack.free_reg(a[0]); // the object, when it is there (Thumb's r0 is also the return register)
        m_stack.copy_into(1, a[0]);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[1], conversion_code(vt(value)));
        m_v.call_viper(ViperFun::convert_native_to_obj);
        m_t.mov_reg_reg(a[2], m_abi.ret);
        m_stack.pop_into({a[0]});
        m_stack.drop(1);
    }
    m_stack.spill_regs();
    m_t.mov_reg_qstr(a[1], qstr(it));
    m_t.call(RtFun::store_attr);
}

// An object subscripted by a machine value: the index is converted to an object first.
void ViperTranslator::object_load_subscr() {
    const NativeReg* a = m_abi.arg;
    const NativeStack::Entry index = m_stack.peek(0);
    if (vt(index) == VType::object) {
        m_stack.pop_into({a[1], a[0]});
    } else {
        if (vt(index) != VType::int_ && vt(index) != VType::uint && vt(index) != VType::bool_ &&
            vt(index) != VType::none)
            unsupported("an index of type '" + std::string(vtype_name(vt(index))) + "'");
        m_stack.pop_into({a[0]});
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[1], conversion_code(vt(index)));
        m_v.call_viper(ViperFun::convert_native_to_obj);
        m_t.mov_reg_reg(a[1], m_abi.ret);
        m_stack.pop_into({a[0]});
    }
    m_stack.spill_regs();
    m_t.mov_reg_imm(a[2], 4); // MP_OBJ_SENTINEL: load
    m_t.call(RtFun::obj_subscr);
    m_stack.push_reg(m_abi.ret, raw(VType::object));
}

// Value, object and index are made objects in their slots, then loaded from there; when all three are
// objects already they are loaded from where they are (the index may still be in a register), as the
// reference does.
void ViperTranslator::object_store_subscr() {
    const NativeReg* a = m_abi.arg;
    if (vt(m_stack.peek(0)) == VType::object && vt(m_stack.peek(1)) == VType::object &&
        vt(m_stack.peek(2)) == VType::object) {
        m_stack.pop_into({a[1], a[0], a[2]});
        m_stack.spill_regs();
        m_t.call(RtFun::obj_subscr);
        return;
    }
    box_top(a[0], 3);
    m_t.lea_state(a[0], std::uint32_t(m_stack.size() - 3));
    m_stack.pop_into({a[1], a[0], a[2]});
    m_stack.spill_regs();
    m_t.call(RtFun::obj_subscr);
}

bool ViperTranslator::subscr_op(const CodeItem& it) {
    if (it.opcode == op::LOAD_SUBSCR)
        load_subscr();
    else if (it.opcode == op::STORE_SUBSCR && m_deleting)
        delete_subscr();
    else if (it.opcode == op::STORE_SUBSCR)
        store_subscr();
    else
        return false;
    return true;
}

// `del o[i]`: objects only (mpy-cross fails an assertion on a machine value), as in native code.
void ViperTranslator::delete_subscr() {
    const NativeReg* a = m_abi.arg;
    m_deleting = false;
    if (m_stack.size() < 2)
        throw NativeStack::Underflow{};
    for (std::size_t depth : {0u, 1u})
        if (vt(m_stack.peek(depth)) != VType::object)
            unsupported("deleting an item with a '" + std::string(vtype_name(vt(m_stack.peek(depth)))) + "'");
    m_stack.pop_into({a[1], a[0]});
    m_stack.spill_regs();
    m_t.mov_reg_imm(a[2], 0);
    m_t.call(RtFun::obj_subscr);
}

// ptr8/16/32 with a constant index address the element directly; with an index in a register it is
// added to the base once per byte of the element.
void ViperTranslator::load_subscr() {
    if (m_stack.size() < 2)
        throw NativeStack::Underflow{};
    const NativeStack::Entry index = m_stack.peek(0);
    const VType base = vt(m_stack.peek(1));
    if (base == VType::object)
        return object_load_subscr();
    if (base != VType::ptr8 && base != VType::ptr16 && base != VType::ptr32) {
        if (base != VType::object && base != VType::ptr) {
            defer_error("can't load from '" + std::string(vtype_name(base)) + "'");
            replace_top(2, VType::int_);
            return;
        }
        unsupported("a subscript of '" + std::string(vtype_name(base)) + "'");
    }
    if (vt(index) != VType::int_ && vt(index) != VType::uint) {
        defer_error("can't load with '" + std::string(vtype_name(vt(index))) + "' index");
        replace_top(2, VType::int_);
        return;
    }
    const int size = ptr_element_size(base);
    if (index.kind == NativeStack::Kind::imm && vt(index) == VType::int_) {
        m_stack.drop(1);
        const NativeReg b = pop_flexible({m_abi.arg[1]}, m_abi.arg[0]);
        m_stack.free_reg(m_abi.ret);
        m_v.load_mem(size, m_abi.ret, b, std::int32_t(std::int64_t(index.imm) * size));
    } else {
        const NativeReg i = pop_flexible({m_abi.arg[0]}, m_abi.arg[1]);
        m_stack.pop_into({m_abi.arg[0]});
        m_stack.free_reg(m_abi.ret); // the element is loaded into it
        m_v.load_indexed(size, m_abi.ret, m_abi.arg[0], i);
    }
    m_stack.push_reg(m_abi.ret, raw(VType::int_));
}

void ViperTranslator::store_subscr() {
    if (m_stack.size() < 3)
        throw NativeStack::Underflow{};
    const NativeStack::Entry index = m_stack.peek(0);
    const VType base = vt(m_stack.peek(1)), value = vt(m_stack.peek(2));
    if (base == VType::object)
        return object_store_subscr();
    if (base != VType::ptr8 && base != VType::ptr16 && base != VType::ptr32) {
        if (base != VType::object && base != VType::ptr) {
            defer_error("can't store to '" + std::string(vtype_name(base)) + "'");
            replace_top(3, VType::unbound);
            return;
        }
        unsupported("a subscript of '" + std::string(vtype_name(base)) + "'");
    }
    // mpy-cross checks the value's type first (a bool is stored as its 0 or 1), then the index's; both
    // are type errors (as measured).
    if (value != VType::int_ && value != VType::uint && value != VType::bool_) {
        defer_error("can't store '" + std::string(vtype_name(value)) + "'");
        replace_top(3, VType::unbound);
        return;
    }
    if (vt(index) != VType::int_ && vt(index) != VType::uint) {
        defer_error("can't store with '" + std::string(vtype_name(vt(index))) + "' index");
        replace_top(3, VType::unbound);
        return;
    }
    const int size = ptr_element_size(base);
    const NativeReg v = m_abi.arg[2];
    // the value is popped last: into v on x64, else where it is unless that is a register in use
    auto pop_value = [&](NativeReg b, NativeReg i) {
        if (m_v.store_value_fixed()) {
            m_stack.pop_into({v});
            return v;
        }
        return pop_flexible({b, i}, v);
    };
    if (index.kind == NativeStack::Kind::imm && vt(index) == VType::int_) {
        m_stack.drop(1);
        const NativeReg b = pop_flexible({v, m_abi.arg[1]}, m_abi.arg[0]);
        const NativeReg src = pop_value(b, m_abi.arg[1]);
        m_v.store_mem(size, b, std::int32_t(std::int64_t(index.imm) * size), src);
        return;
    }
    const NativeReg i = pop_flexible({m_abi.arg[0], v}, m_abi.arg[1]);
    m_stack.pop_into({m_abi.arg[0]});
    const NativeReg src = pop_value(m_abi.arg[0], i);
    m_v.store_indexed(size, m_abi.arg[0], i, src);
}

// A global load is a runtime call unless the name is a cast (which loads nothing). A call passes its
// arguments as objects (boxed_pointer_for_pop) and returns an object.
bool ViperTranslator::call_op(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    if (it.opcode == op::LOAD_GLOBAL) {
        if (const auto cast = cast_of(m_em.qstr_of(it))) {
            m_stack.push_imm(std::uint64_t(*cast), raw(VType::cast));
            return true;
        }
        m_stack.spill_regs();
        m_t.mov_reg_qstr(a[0], qstr(it));
        m_t.call(RtFun::load_global);
        m_stack.push_reg(m_abi.ret, raw(VType::object));
        return true;
    }
    if (it.opcode == op::MAKE_FUNCTION || it.opcode == op::MAKE_FUNCTION_DEFARGS || it.opcode == op::MAKE_CLOSURE ||
        it.opcode == op::MAKE_CLOSURE_DEFARGS) {
        make_function(it);
        return true;
    }
    if (it.opcode != op::CALL_FUNCTION)
        return false;
    const auto n_pos = std::uint32_t(it.value & 0xff), n_kw = std::uint32_t(it.value >> 8);
    const std::size_t n = n_pos + 2 * n_kw;
    if (m_stack.size() < n + 1)
        throw NativeStack::Underflow{};
    if (vt(m_stack.peek(n)) == VType::cast)
        return cast_call(it);
    if (vt(m_stack.peek(n)) != VType::object)
        unsupported("calling a '" + std::string(vtype_name(vt(m_stack.peek(n)))) + "'");
    if (n != 0)
        boxed_pointer_for_pop(a[2], n);
    m_stack.pop_into({a[0]});
    m_stack.spill_regs();
    m_t.mov_reg_imm(a[1], std::uint64_t(it.value));
    m_t.call(RtFun::call_function_n_kw);
    m_stack.push_reg(m_abi.ret, raw(VType::object));
    return true;
}

// A nested function (the child's raw code in this module's context), as native code makes it: the
// defaults (a tuple and a dict, or NULLs) and the cells it closes over must be objects.
void ViperTranslator::make_function(const CodeItem& it) {
    const NativeReg* a = m_abi.arg;
    const auto child = std::uint32_t(it.value);
    switch (it.opcode) {
    case op::MAKE_FUNCTION:
    case op::MAKE_CLOSURE:
        m_t.mov_reg_context(a[1]);
        m_stack.spill_regs();
        m_t.mov_reg_imm(a[2], 0);
        m_t.mov_reg_child(a[0], child);
        m_t.call(RtFun::make_function_from_proto);
        if (it.opcode == op::MAKE_CLOSURE) { // then a closure over the cells on top of the stack
            m_t.mov_reg_reg(a[0], m_abi.ret);
            m_t.mov_reg_imm(a[1], std::uint64_t(it.trailing_byte));
            object_pointer_for_pop(a[2], std::size_t(it.trailing_byte));
            m_t.call(RtFun::make_closure);
        }
        break;
    case op::MAKE_FUNCTION_DEFARGS: // the positional-defaults tuple and keyword-defaults dict (or NULLs)
        m_t.mov_reg_context(a[1]);
        object_pointer_for_pop(a[2], 2);
        m_t.mov_reg_child(a[0], child);
        m_t.call(RtFun::make_function_from_proto);
        break;
    default: { // MAKE_CLOSURE_DEFARGS: the defaults below the cells, one pointer to both, two calls
        const auto n_closed = std::uint32_t(it.trailing_byte);
        m_t.mov_reg_context(a[1]);
        object_pointer_for_pop(a[2], 2 + n_closed);
        m_t.mov_reg_child(a[0], child);
        m_t.call(RtFun::make_function_from_proto);
        m_t.mov_reg_reg(a[0], m_abi.ret);
        m_t.mov_reg_imm(a[1], n_closed);
        m_t.lea_state(a[2], std::uint32_t(m_stack.size() + 2));
        m_t.call(RtFun::make_closure);
        break;
    }
    }
    m_stack.push_reg(m_abi.ret, raw(VType::object));
}

// NativeStack::pointer_for_pop when the values are objects already (a NULL is one too); machine values
// (an int argument closed over) are made objects as for a call.
void ViperTranslator::object_pointer_for_pop(NativeReg dest, std::size_t n) {
    if (m_stack.size() < n)
        throw NativeStack::Underflow{};
    for (std::size_t i = 0; i < n; ++i) {
        if (vt(m_stack.peek(i)) != VType::object) {
            boxed_pointer_for_pop(dest, n);
            return;
        }
    }
    m_stack.pointer_for_pop(dest, n);
}

// The object a constant machine value stands for, when it is known at compile time.
std::optional<std::uint64_t> ViperTranslator::object_of_imm(const NativeStack::Entry& e) const {
    const auto v = std::int64_t(e.imm);
    switch (vt(e)) {
    case VType::object:
        return e.imm;
    case VType::int_:
    case VType::uint:
        if (v < -(std::int64_t(1) << 30) || v >= (std::int64_t(1) << 30))
            return std::nullopt;
        return (std::uint64_t(v) << 1) | 1;
    default:
        return std::nullopt;
    }
}

// Like NativeStack::pointer_for_pop, for values that must be objects: registers are written to their
// slots, then top down each constant is written as the object it stands for (through `dest`) and each
// machine value in a slot is converted by the runtime, before `dest` points at the lowest.
void ViperTranslator::boxed_pointer_for_pop(NativeReg dest, std::size_t n) {
    box_top(dest, n);
    m_t.lea_state(dest, std::uint32_t(m_stack.size() - n));
    m_stack.drop(n);
}

// The top n values become objects in their slots (see boxed_pointer_for_pop).
void ViperTranslator::box_top(NativeReg dest, std::size_t n) {
    if (n > m_stack.size())
        throw NativeStack::Underflow{};
    m_stack.spill_regs();
    const std::size_t base = m_stack.size() - n;
    // Constants are written first, then machine values converted, each pass from the top (as measured:
    // a constant below an int that is converted is stored before the conversion's call).
    for (std::size_t depth = 0; depth < n; ++depth) {
        const NativeStack::Entry e = m_stack.peek(depth);
        const auto slot = std::uint32_t(base + n - 1 - depth);
        if (e.kind == NativeStack::Kind::imm) {
            if (vt(e) == VType::bool_ || vt(e) == VType::none)
                m_t.mov_reg_fun_entry(dest, vt(e) == VType::none ? RtFun::const_none
                                            : e.imm != 0         ? RtFun::const_true
                                                                 : RtFun::const_false);
            else if (const auto obj = object_of_imm(e))
                m_t.mov_reg_imm(dest, *obj);
            else if (vt(e) == VType::cast) // mpy-cross raises this (no traceback) when the cast is loaded
                throw CompileError{"NotImplementedError", "conversion to object", SourcePos{}, m_scope.name,
                                   false, false};
            else
                unsupported("passing a '" + std::string(vtype_name(vt(e))) + "' constant as an object");
            m_t.store_state(slot, dest);
        } else if (e.kind == NativeStack::Kind::fun_entry) {
            m_t.mov_reg_fun_entry(dest, e.entry);
            m_t.store_state(slot, dest);
        }
    }
    for (std::size_t depth = 0; depth < n; ++depth) {
        const NativeStack::Entry e = m_stack.peek(depth);
        const auto slot = std::uint32_t(base + n - 1 - depth);
        if (e.kind == NativeStack::Kind::imm || e.kind == NativeStack::Kind::fun_entry)
            continue;
        if (vt(e) != VType::object) {
            if (vt(e) == VType::cast)
                unsupported("passing a '" + std::string(vtype_name(vt(e))) + "' as an object");
            m_t.load_state(m_abi.arg[0], slot); // None and a value not typed yet too, with their codes
            m_t.mov_reg_imm(m_abi.arg[1], conversion_code(vt(e)));
            m_v.call_viper(ViperFun::convert_native_to_obj);
            m_t.store_state(slot, m_abi.ret);
        }
    }
    m_stack.drop(n);
    m_stack.push_slots(n, raw(VType::object));
}

// Casts: int(), uint(), bool() and ptr*() of an object convert it; of a machine value they only retype it.
bool ViperTranslator::cast_call(const CodeItem& it) {
    if (it.value != 1)
        unsupported("a cast with other than one argument");
    const auto target = VType(m_stack.peek(1).imm);
    const VType src = vt(m_stack.peek(0));
    if (src == VType::object) {
        m_stack.pop_into({m_abi.arg[0]});
        m_stack.drop(1);
        m_stack.spill_regs();
        m_t.mov_reg_imm(m_abi.arg[1], std::uint64_t(target));
        m_v.call_viper(ViperFun::convert_obj_to_native);
        m_stack.push_reg(m_abi.ret, raw(target));
        return true;
    }
    if (src != VType::int_ && src != VType::uint && src != VType::bool_ && !is_ptr(src))
        unsupported("a cast of '" + std::string(vtype_name(src)) + "'");
    const NativeStack::Entry value = m_stack.peek(0);
    if (value.kind != NativeStack::Kind::imm && value.kind != NativeStack::Kind::reg)
        unsupported("a cast of a value written to the stack");
    m_stack.drop(2);
    if (value.kind == NativeStack::Kind::imm)
        m_stack.push_imm(value.imm, raw(target));
    else
        m_stack.push_reg(value.reg, raw(target));
    return true;
}

// Making a nested function switches to the module's globals, as in native code.
bool makes_functions(const std::vector<CodeItem>& items) {
    return std::any_of(items.begin(), items.end(), [](const CodeItem& it) {
        return it.kind == ItemKind::op &&
               (it.opcode == op::MAKE_FUNCTION || it.opcode == op::MAKE_FUNCTION_DEFARGS ||
                it.opcode == op::MAKE_CLOSURE || it.opcode == op::MAKE_CLOSURE_DEFARGS);
    });
}

// `module` carries rv32imc's choice of saving s0 from one function of the module to the next.
std::unique_ptr<ViperTarget> viper_target_for(mpy::NativeArch arch, NativeModuleState& module, std::uint32_t flags) {
    if (arch == mpy::NativeArch::rv32imc)
        return make_viper_rv32_target(module, (flags & inline_asm::k_rv32_flag_zcmp) != 0,
                                      (flags & inline_asm::k_rv32_flag_zba) != 0);
    if (arch == mpy::NativeArch::x64)
        return make_viper_x64_target();
    if (arch == mpy::NativeArch::x86)
        return make_viper_x86_target();
    if (is_thumb_native_arch(arch))
        return make_viper_thumb_target(arch != mpy::NativeArch::armv6m);
    if (is_xtensa_native_arch(arch))
        return make_viper_xtensa_target(arch == mpy::NativeArch::xtensawin);
    return nullptr;
}

VType annotation_type(const std::string& name, const NativeScope& scope) {
    if (name.empty())
        return VType::object;
    if (auto t = vtype_from_name(name))
        return *t;
    throw CompileError{"ViperTypeError", "unknown type '" + name + "'", scope.def_pos, scope.name, true, false};
}

// The state slots the frame holds: all but those of the locals kept in registers (the second local keeps
// its slot when three or more arguments arrive: it waits there while the argument pointer is still in its
// register). The target adds its nlr buffer, code state and alignment.
std::uint32_t state_words(const ViperFrame& frame, std::uint32_t n_locals) {
    if (frame.has_handlers) // no local is kept in a register
        return frame.n_state;
    std::uint32_t in_regs = std::min<std::uint32_t>(n_locals, 2);
    if (frame.arg_types.size() >= 3)
        in_regs -= 1;
    return frame.n_state - in_regs;
}

} // namespace

bool has_viper_emitter(mpy::NativeArch arch) {
    return arch == mpy::NativeArch::x64 || arch == mpy::NativeArch::x86 || is_thumb_native_arch(arch) ||
           arch == mpy::NativeArch::rv32imc || is_xtensa_native_arch(arch);
}

mpy::NativeCode emit_viper_function(const NativeScope& scope, const ViperInfo& info, QstrTable& qstrs,
                                    ConstantTable& constants) {
    const ScopeSignature& sig = scope.emitter.signature();
    // Defaults belong to the function object the parent makes; keyword-only and star parameters are plain
    // locals here: mpy-cross's viper code takes exactly the positional arguments.
    mpy::Constant fun_table;
    fun_table.kind = mpy::ObjKind::fun_table;
    ViperFrame frame;
    frame.fun_table_const = constants.use(fun_table);
    frame.guards_globals = scope.refs_globals || makes_functions(scope.emitter.items());
    frame.has_handlers = scope.emitter.max_except_level() > 0;
    std::vector<VType> types(sig.n_locals, VType::unbound);
    for (std::uint32_t i = 0; i < sig.n_pos_args; ++i) {
        const std::string& a = i < info.arg_annotations.size() ? info.arg_annotations[i] : std::string();
        frame.arg_types.push_back(annotation_type(a, scope));
        types[i] = frame.arg_types.back();
    }
    // keyword-only, *args and **kwargs parameters are locals of their annotated type or objects
    const std::uint32_t n_params = sig.n_pos_args + sig.n_kwonly_args +
                                   ((sig.scope_flags & mpy::k_scope_varargs) != 0 ? 1 : 0) +
                                   ((sig.scope_flags & mpy::k_scope_varkeywords) != 0 ? 1 : 0);
    for (std::uint32_t i = sig.n_pos_args; i < n_params && i < types.size(); ++i)
        types[i] = i < sig.n_pos_args + sig.n_kwonly_args && i < info.arg_annotations.size()
                       ? annotation_type(info.arg_annotations[i], scope)
                       : VType::object;
    const VType return_type = annotation_type(info.return_annotation, scope);
    // First pass: the locals' types and the stack depth.
    NativeModuleState own_state;
    NativeModuleState& module_state = scope.module_state != nullptr ? *scope.module_state : own_state;
    auto sizing_target = viper_target_for(scope.arch, module_state, scope.arch_flags);
    frame.n_state = std::max<std::uint32_t>(1, sig.n_locals + scope.emitter.max_stack());
    frame.state_words = state_words(frame, sig.n_locals);
    ViperTranslator sizing(scope, info, *sizing_target, module_state, qstrs, constants, types, true);
    sizing.run(frame, return_type);
    // A yield raises "native yield" in run(); a coroutine that never awaits (or a generator whose yields
    // are unreachable) mpy-cross compiles with a generator's entry and exit, which viper code here lacks.
    if (is_generator_scope(scope.emitter))
        throw CompileError{"NotImplementedError",
                           "mpyship: viper code for a generator or coroutine that never yields is not "
                           "implemented yet",
                           scope.def_pos, scope.name, true, true};
    auto target = viper_target_for(scope.arch, module_state, scope.arch_flags);
    frame.n_state = std::max<std::uint32_t>(1, sig.n_locals + sizing.max_stack());
    frame.needs_fun = sizing.uses_constants();
    frame.state_words = state_words(frame, sig.n_locals);
    ViperTranslator translator(scope, info, *target, module_state, qstrs, constants, sizing.local_types(),
                               false);
    mpy::NativeCode code;
    code.code = translator.run(frame, return_type);
    return code;
}

} // namespace mpyship::compiler
