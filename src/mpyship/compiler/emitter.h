// The bytecode emitter of one scope (module, function, lambda, class, comprehension). The code generator
// calls one method per bytecode operation, once, in program order; the emitter records symbolic code,
// tracks stack depth, exception-block depth, unreachable code and the scope's children. Module-wide
// tables and jump sizing are done later by ModuleBuilder (see module_builder.h for the whole contract).
#pragma once

#include "mpyship/compiler/code_item.h"
#include "mpyship/compiler/options.h"
#include "mpyship/compiler/qstr_pool.h"
#include "mpyship/mpy/model.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mpyship::compiler {

using ScopeId = std::size_t;

enum class UnaryOpCode : std::uint8_t { positive = 0, negative, invert, not_ };

// Binary operators numbered as the BINARY_OP_MULTI offsets; not_in and is_not are emitted as in/is + not.
enum class BinaryOp : std::uint8_t {
    less = 0,
    more,
    equal,
    less_equal,
    more_equal,
    not_equal,
    in,
    is,
    exception_match,
    inplace_or,
    inplace_xor,
    inplace_and,
    inplace_lshift,
    inplace_rshift,
    inplace_add,
    inplace_subtract,
    inplace_multiply,
    inplace_mat_multiply,
    inplace_floor_divide,
    inplace_true_divide,
    inplace_modulo,
    inplace_power,
    or_,
    xor_,
    and_,
    lshift,
    rshift,
    add,
    subtract,
    multiply,
    mat_multiply,
    floor_divide,
    true_divide,
    modulo,
    power,
    not_in = 100,
    is_not,
};

enum class CompKind : std::uint8_t { list, dict, set };

// What the prelude says about the scope; given by the code generator once its scope analysis is done.
struct ScopeSignature {
    std::string simple_name; // "<module>", function/class name, "<lambda>", "<listcomp>", ...
    std::vector<std::string>
        arg_names; // n_pos_args + n_kwonly_args names; "*" where no parameter has the slot
    std::uint32_t n_pos_args = 0;
    std::uint32_t n_kwonly_args = 0;
    std::uint32_t n_def_pos_args = 0;
    std::uint32_t scope_flags = 0;   // varargs/varkeywords/defkwargs (+ generator/async for async def)
    std::uint32_t n_locals = 0;      // local slots, including parameters and cells
    std::vector<std::uint8_t> cells; // local numbers that become closure cells, in the scope's id order
};

class Emitter {
  public:
    // Qstr operands go to `pool` (the module's, shared by its scopes); without one the emitter makes its own.
    explicit Emitter(const Options& options, QstrPool* pool = nullptr)
        : m_opt_level(options.opt_level), m_small_int_bits(options.small_int_bits), m_pool(pool) {}

    // --- labels, lines, bookkeeping -------------------------------------------------------------
    Label new_label() { return m_next_label++; }
    void place_label(Label label);
    void set_source_line(std::uint32_t line) {
        if (m_opt_level < 3 && line > m_last_line) // inline: most calls repeat or go back to a line
            mark_line(line);
    }
    void adjust_stack(int delta); // stack effect the opcodes themselves do not show (handlers, loops)
    // The native emitter follows the stack item by item, so a native scope records adjust_stack calls.
    void record_stack_adjusts() { m_record_adjusts = true; }
    void start_except_handler();  // +4: the exception, plus 3 slots an UNWIND_JUMP may need
    void end_except_handler();    // -3
    void for_iter_end();          // -4: the iterator's slots once the loop is left

    // --- constants ------------------------------------------------------------------------------
    void load_const_none();
    void load_const_true();
    void load_const_false();
    void load_const_ellipsis();
    void load_const_small_int(std::int64_t value); // must fit the target's small int
    void load_const_int(std::int64_t value); // small int if it fits -msmall-int-bits, else an int object
    void load_const_string(const std::string& qstr);
    void load_const_obj(mpy::Constant constant);
    void load_null();

    // --- names ----------------------------------------------------------------------------------
    void load_fast(std::uint32_t local);
    void load_deref(std::uint32_t local);
    void store_fast(std::uint32_t local);
    void store_deref(std::uint32_t local);
    void delete_fast(std::uint32_t local);
    void delete_deref(std::uint32_t local);
    // Identifier operations. Pass QstrPhase::scope_pass for loads the compiler emits on its own
    // (AssertionError, StopAsyncIteration, BaseException), which the reference registers earlier.
    void load_name(const std::string& qstr, QstrPhase phase = QstrPhase::identifier);
    void load_global(const std::string& qstr, QstrPhase phase = QstrPhase::identifier);
    void store_name(const std::string& qstr);
    void store_global(const std::string& qstr);
    void delete_name(const std::string& qstr);
    void delete_global(const std::string& qstr);
    // The same for a text intern() gave: a name used many times in a scope is hashed once, not per use
    // (the text forms above intern and call these).
    QstrId intern(std::string_view text);
    void load_name(QstrId qstr, QstrPhase phase = QstrPhase::identifier);
    void load_global(QstrId qstr, QstrPhase phase = QstrPhase::identifier);
    void store_name(QstrId qstr);
    void store_global(QstrId qstr);
    void delete_name(QstrId qstr);
    void delete_global(QstrId qstr);
    void load_attr(const std::string& qstr);
    void store_attr(const std::string& qstr);
    void delete_attr(const std::string& qstr); // LOAD_NULL, ROT_TWO, STORE_ATTR
    void load_method(const std::string& qstr, bool is_super = false);
    void load_build_class();
    void load_subscr();
    void store_subscr();
    void delete_subscr(); // LOAD_NULL, ROT_THREE, STORE_SUBSCR

    // --- stack ----------------------------------------------------------------------------------
    void dup_top();
    void dup_top_two();
    void pop_top();
    void rot_two();
    void rot_three();

    // --- flow control ---------------------------------------------------------------------------
    void jump(Label label);
    void pop_jump_if(bool condition, Label label);
    void jump_if_or_pop(bool condition, Label label);
    // break/continue out of `except_depth` exception blocks; `from_for` also drops a for loop's iterator.
    void unwind_jump(Label label, std::uint32_t except_depth, bool from_for);
    // SETUP_* enter an exception block (n_exc_stack counts the deepest nesting); end_finally leaves it.
    void setup_with(Label label);
    void setup_except(Label label);
    void setup_finally(Label label);
    void end_finally();
    void with_cleanup(Label label); // LOAD_CONST_NONE, the label, WITH_CLEANUP
    void async_with_setup_finally(Label aexit_no_exc, Label finally_block, Label ret_unwind_jump);
    void get_iter(bool use_stack);
    void for_iter(Label label);
    void pop_except_jump(Label label);

    // --- operators, containers, calls -----------------------------------------------------------
    void unary_op(UnaryOpCode op);
    void binary_op(BinaryOp op);
    void build_tuple(std::uint32_t n);
    void build_list(std::uint32_t n);
    void build_map(std::uint32_t size_hint);
    void build_set(std::uint32_t n);
    void build_slice(std::uint32_t n);
    void store_map();
    void store_comp(CompKind kind, std::uint32_t collection_stack_index);
    void unpack_sequence(std::uint32_t n);
    void unpack_ex(std::uint32_t n_left, std::uint32_t n_right);
    void make_function(ScopeId child, bool has_defaults);
    void make_closure(ScopeId child, std::uint32_t n_closed_over, bool has_defaults);
    void call_function(std::uint32_t n_pos, std::uint32_t n_kw, bool has_star);
    void call_method(std::uint32_t n_pos, std::uint32_t n_kw, bool has_star);
    void return_value();
    void raise(std::uint32_t n_args); // 0: re-raise, 1: raise x, 2: raise x from y
    void yield_value();
    void yield_from();
    void import_name(const std::string& qstr);
    void import_from(const std::string& qstr);
    void import_star();

    // --- results --------------------------------------------------------------------------------
    void set_signature(ScopeSignature signature) { m_signature = std::move(signature); }
    const ScopeSignature& signature() const { return m_signature; }
    // A scratch emitter (the scope pass) keeps no items or operands; item_count() still counts all.
    void discard_items() { m_discard = true; }
    bool discarding() const { return m_discard; }
    std::size_t item_count() const { return m_item_count; }
    void reserve_items(std::size_t n) {
        m_items.reserve(n);
    }
    std::vector<CodeItem>& items() { return m_items; }
    const std::vector<CodeItem>& items() const { return m_items; }
    // The text of a qstr operand and the value of a constant operand (kept out of CodeItem to keep it small).
    const std::string& qstr_of(const CodeItem& item) const { return m_pool->text(qstr_id(item)); }
    std::uint32_t qstr_id(const CodeItem& item) const { return item.payload; } // its id in pool()
    const QstrPool& pool() const { return *m_pool; }
    const mpy::Constant& constant_of(const CodeItem& item) const { return m_constant_operands[item.payload]; }
    // Moves a constant operand out (the module builder, once it gives the item its table index).
    mpy::Constant take_constant(const CodeItem& item) { return std::move(m_constant_operands[item.payload]); }
    const std::vector<ScopeId>& children() const { return m_children; }
    std::size_t label_count() const { return m_next_label; }
    int stack_depth() const { return m_stack; }
    std::uint32_t max_stack() const { return std::uint32_t(m_max_stack); }
    std::uint32_t except_level() const { return m_except_level; }
    std::uint32_t max_except_level() const { return m_max_except_level; }
    bool is_generator() const { return m_generator; }

  private:
    // A discarding emitter writes every item over one scratch item and keeps no operands.
    CodeItem& new_item() {
        ++m_item_count;
        if (m_discard) {
            m_scratch_item = CodeItem{};
            return m_scratch_item;
        }
        return m_items.emplace_back();
    }
    void mark_line(std::uint32_t line);
    CodeItem& add_op(std::uint8_t opcode, int stack_delta);
    void add_uint(std::uint8_t opcode, int stack_delta, std::uint64_t value);
    void add_qstr(std::uint8_t opcode, int stack_delta, const std::string& qstr, QstrPhase phase);
    void add_qstr(std::uint8_t opcode, int stack_delta, QstrId qstr, QstrPhase phase);
    QstrId operand_qstr(const std::string& text);
    CodeItem& add_jump(std::uint8_t opcode, int stack_delta, Label label);
    CodeItem& add_child(std::uint8_t opcode, int stack_delta, ScopeId child);
    void setup_block(std::uint8_t opcode, int stack_delta, Label label);
    void end_of_flow() { m_dead = true; }
    void change_stack(int delta);

    int m_opt_level; // the options the emitter reads (an Options copy would copy the source name)
    std::uint8_t m_small_int_bits;
    ScopeSignature m_signature;
    std::vector<CodeItem> m_items;
    QstrPool* m_pool;                       // where qstr operands are interned (payload = id)
    std::unique_ptr<QstrPool> m_own_pool;   // the pool of an emitter given none
    std::vector<mpy::Constant> m_constant_operands;
    std::size_t m_item_count = 0;
    bool m_discard = false;
    CodeItem m_scratch_item; // where a discarding emitter writes
    std::vector<ScopeId> m_children;
    Label m_next_label = 0;
    int m_stack = 0;
    int m_max_stack = 0;
    std::uint32_t m_except_level = 0;
    std::uint32_t m_max_except_level = 0;
    bool m_dead = false;
    bool m_generator = false;
    bool m_record_adjusts = false;
    // The highest line marked so far: the line table only ever moves forward, so a mark at or below it
    // would change nothing and is not recorded (the table starts at line 1).
    std::uint32_t m_last_line = 1;
};

} // namespace mpyship::compiler
