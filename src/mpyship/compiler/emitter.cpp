#include "mpyship/compiler/emitter.h"

#include "mpyship/compiler/small_int.h"
#include "mpyship/mpy/opcodes.h"

#include <cassert>
#include <utility>

namespace mpyship::compiler {

namespace op = mpy::op;

namespace {
constexpr int k_iter_buf_slots = 4;      // stack slots of an iterator kept on the stack (GET_ITER_STACK)
constexpr int k_handler_extra_slots = 3; // room for UNWIND_JUMP state inside an exception handler
constexpr std::uint8_t k_unwind_from_for = 0x80;
} // namespace

// --- bookkeeping ------------------------------------------------------------------------------------

CodeItem& Emitter::add_op(std::uint8_t opcode, int stack_delta) {
    change_stack(stack_delta);
    CodeItem& item = new_item();
    item.opcode = opcode;
    item.dead = m_dead;
    return item;
}

void Emitter::add_uint(std::uint8_t opcode, int stack_delta, std::uint64_t value) {
    CodeItem& item = add_op(opcode, stack_delta);
    item.operand = OperandKind::uint_;
    item.value = std::int64_t(value);
}

void Emitter::add_qstr(std::uint8_t opcode, int stack_delta, const std::string& qstr, QstrPhase phase) {
    add_qstr(opcode, stack_delta, operand_qstr(qstr), phase);
}

// A scratch emitter keeps no operands: it spares the hashing.
QstrId Emitter::operand_qstr(const std::string& text) {
    return m_discard ? QstrId{QstrPool::k_none} : intern(text);
}

void Emitter::add_qstr(std::uint8_t opcode, int stack_delta, QstrId qstr, QstrPhase phase) {
    CodeItem& item = add_op(opcode, stack_delta);
    item.operand = OperandKind::qstr;
    item.qstr_phase = phase;
    item.payload = qstr.value;
}

QstrId Emitter::intern(std::string_view text) {
    if (m_pool == nullptr) {
        m_own_pool = std::make_unique<QstrPool>();
        m_pool = m_own_pool.get();
    }
    return QstrId{m_pool->intern(text)};
}

CodeItem& Emitter::add_jump(std::uint8_t opcode, int stack_delta, Label label) {
    CodeItem& item = add_op(opcode, stack_delta);
    item.operand = OperandKind::jump;
    item.value = label;
    return item;
}

CodeItem& Emitter::add_child(std::uint8_t opcode, int stack_delta, ScopeId child) {
    CodeItem& item = add_op(opcode, stack_delta);
    item.operand = OperandKind::child;
    item.value = std::int64_t(m_children.size());
    m_children.push_back(child);
    return item;
}

void Emitter::place_label(Label label) {
    assert(label < m_next_label);
    m_dead = false;
    CodeItem& item = new_item();
    item.kind = ItemKind::label;
    item.value = label;
}

void Emitter::mark_line(std::uint32_t line) {
    m_last_line = line;
    CodeItem& item = new_item();
    item.kind = ItemKind::line;
    item.value = line;
}

void Emitter::adjust_stack(int delta) {
    change_stack(delta);
    if (m_record_adjusts) {
        CodeItem& item = new_item();
        item.kind = ItemKind::stack;
        item.value = delta;
    }
}

void Emitter::change_stack(int delta) {
    m_stack += delta;
    assert(m_stack >= 0);
    if (m_stack > m_max_stack)
        m_max_stack = m_stack;
}

void Emitter::start_except_handler() {
    adjust_stack(1 + k_handler_extra_slots);
    if (m_record_adjusts && !m_discard)
        m_items.back().payload = k_payload_except_handler;
}
void Emitter::end_except_handler() {
    adjust_stack(-k_handler_extra_slots);
    if (m_record_adjusts && !m_discard)
        m_items.back().payload = k_payload_except_handler;
}
void Emitter::for_iter_end() {
    adjust_stack(-k_iter_buf_slots);
}

// --- constants --------------------------------------------------------------------------------------

void Emitter::load_const_none() {
    add_op(op::LOAD_CONST_NONE, 1);
}
void Emitter::load_const_true() {
    add_op(op::LOAD_CONST_TRUE, 1);
}
void Emitter::load_const_false() {
    add_op(op::LOAD_CONST_FALSE, 1);
}

void Emitter::load_const_ellipsis() {
    mpy::Constant ellipsis;
    ellipsis.kind = mpy::ObjKind::ellipsis;
    load_const_obj(ellipsis);
}

void Emitter::load_const_small_int(std::int64_t value) {
    if (-op::k_small_int_multi_excess <= value &&
        value < op::k_small_int_multi_num - op::k_small_int_multi_excess) {
        add_op(std::uint8_t(op::LOAD_CONST_SMALL_INT_MULTI + op::k_small_int_multi_excess + value), 1);
        return;
    }
    CodeItem& item = add_op(op::LOAD_CONST_SMALL_INT, 1);
    item.operand = OperandKind::sint;
    item.value = value;
}

void Emitter::load_const_int(std::int64_t value) {
    if (fits_small_int(value, m_small_int_bits))
        load_const_small_int(value);
    else
        load_const_obj(int_constant(value));
}

void Emitter::load_const_string(const std::string& qstr) {
    add_qstr(op::LOAD_CONST_STRING, 1, qstr, QstrPhase::scope_pass);
}

void Emitter::load_const_obj(mpy::Constant constant) {
    CodeItem& item = add_op(op::LOAD_CONST_OBJ, 1);
    item.operand = OperandKind::constant;
    if (m_discard)
        return;
    item.payload = std::uint32_t(m_constant_operands.size());
    if (m_constant_operands.empty())
        m_constant_operands.reserve(16); // spares the first regrowths, each of which moves every constant
    m_constant_operands.push_back(std::move(constant));
}

void Emitter::load_null() {
    add_op(op::LOAD_NULL, 1);
}

// --- names ------------------------------------------------------------------------------------------

void Emitter::load_fast(std::uint32_t local) {
    if (local < op::k_fast_multi_num)
        add_op(std::uint8_t(op::LOAD_FAST_MULTI + local), 1);
    else
        add_uint(op::LOAD_FAST_N, 1, local);
}

void Emitter::store_fast(std::uint32_t local) {
    if (local < op::k_fast_multi_num)
        add_op(std::uint8_t(op::STORE_FAST_MULTI + local), -1);
    else
        add_uint(op::STORE_FAST_N, -1, local);
}

void Emitter::load_deref(std::uint32_t local) {
    add_uint(op::LOAD_DEREF, 1, local);
}
void Emitter::store_deref(std::uint32_t local) {
    add_uint(op::STORE_DEREF, -1, local);
}
void Emitter::delete_fast(std::uint32_t local) {
    add_uint(op::DELETE_FAST, 0, local);
}
void Emitter::delete_deref(std::uint32_t local) {
    add_uint(op::DELETE_DEREF, 0, local);
}

void Emitter::load_name(const std::string& qstr, QstrPhase phase) {
    load_name(operand_qstr(qstr), phase);
}
void Emitter::load_global(const std::string& qstr, QstrPhase phase) {
    load_global(operand_qstr(qstr), phase);
}
void Emitter::store_name(const std::string& qstr) {
    store_name(operand_qstr(qstr));
}
void Emitter::store_global(const std::string& qstr) {
    store_global(operand_qstr(qstr));
}
void Emitter::delete_name(const std::string& qstr) {
    delete_name(operand_qstr(qstr));
}
void Emitter::delete_global(const std::string& qstr) {
    delete_global(operand_qstr(qstr));
}

void Emitter::load_name(QstrId qstr, QstrPhase phase) {
    add_qstr(op::LOAD_NAME, 1, qstr, phase);
}
void Emitter::load_global(QstrId qstr, QstrPhase phase) {
    add_qstr(op::LOAD_GLOBAL, 1, qstr, phase);
}
void Emitter::store_name(QstrId qstr) {
    add_qstr(op::STORE_NAME, -1, qstr, QstrPhase::identifier);
}
void Emitter::store_global(QstrId qstr) {
    add_qstr(op::STORE_GLOBAL, -1, qstr, QstrPhase::identifier);
}
void Emitter::delete_name(QstrId qstr) {
    add_qstr(op::DELETE_NAME, 0, qstr, QstrPhase::identifier);
}
void Emitter::delete_global(QstrId qstr) {
    add_qstr(op::DELETE_GLOBAL, 0, qstr, QstrPhase::identifier);
}

void Emitter::load_attr(const std::string& qstr) {
    add_qstr(op::LOAD_ATTR, 0, qstr, QstrPhase::scope_pass);
}
void Emitter::store_attr(const std::string& qstr) {
    add_qstr(op::STORE_ATTR, -2, qstr, QstrPhase::scope_pass);
}

void Emitter::delete_attr(const std::string& qstr) {
    add_op(op::LOAD_NULL, 1).payload = k_payload_delete_null;
    rot_two();
    store_attr(qstr);
}

void Emitter::load_method(const std::string& qstr, bool is_super) {
    add_qstr(is_super ? op::LOAD_SUPER_METHOD : op::LOAD_METHOD, is_super ? -1 : 1, qstr,
             QstrPhase::scope_pass);
}

void Emitter::load_build_class() {
    add_op(op::LOAD_BUILD_CLASS, 1);
}
void Emitter::load_subscr() {
    add_op(op::LOAD_SUBSCR, -1);
}
void Emitter::store_subscr() {
    add_op(op::STORE_SUBSCR, -3);
}

void Emitter::delete_subscr() {
    add_op(op::LOAD_NULL, 1).payload = k_payload_delete_null;
    rot_three();
    store_subscr();
}

// --- stack ------------------------------------------------------------------------------------------

void Emitter::dup_top() {
    add_op(op::DUP_TOP, 1);
}
void Emitter::dup_top_two() {
    add_op(op::DUP_TOP_TWO, 2);
}
void Emitter::pop_top() {
    add_op(op::POP_TOP, -1);
}
void Emitter::rot_two() {
    add_op(op::ROT_TWO, 0);
}
void Emitter::rot_three() {
    add_op(op::ROT_THREE, 0);
}

// --- flow control -----------------------------------------------------------------------------------

void Emitter::jump(Label label) {
    add_jump(op::JUMP, 0, label);
    end_of_flow();
}

void Emitter::pop_jump_if(bool condition, Label label) {
    add_jump(condition ? op::POP_JUMP_IF_TRUE : op::POP_JUMP_IF_FALSE, -1, label);
}

void Emitter::jump_if_or_pop(bool condition, Label label) {
    add_jump(condition ? op::JUMP_IF_TRUE_OR_POP : op::JUMP_IF_FALSE_OR_POP, -1, label);
}

void Emitter::unwind_jump(Label label, std::uint32_t except_depth, bool from_for) {
    if (except_depth == 0) {
        // Dropping the iterator's slots is not counted as a stack effect.
        for (int i = 0; from_for && i < k_iter_buf_slots; ++i)
            add_op(op::POP_TOP, 0).payload = k_payload_unwind_pop;
        add_jump(op::JUMP, 0, label);
    } else {
        add_jump(op::UNWIND_JUMP, 0, label).trailing_byte =
            int((from_for ? k_unwind_from_for : 0) | except_depth);
    }
    end_of_flow();
}

void Emitter::setup_block(std::uint8_t opcode, int stack_delta, Label label) {
    add_jump(opcode, stack_delta, label);
    if (++m_except_level > m_max_except_level)
        m_max_except_level = m_except_level;
}

// SETUP_WITH replaces the context manager by __exit__, the manager and the `as` value.
void Emitter::setup_with(Label label) {
    setup_block(op::SETUP_WITH, 2, label);
}
void Emitter::setup_except(Label label) {
    setup_block(op::SETUP_EXCEPT, 0, label);
}
void Emitter::setup_finally(Label label) {
    setup_block(op::SETUP_FINALLY, 0, label);
}

void Emitter::end_finally() {
    assert(m_except_level > 0);
    --m_except_level;
    add_op(op::END_FINALLY, -1);
}

void Emitter::with_cleanup(Label label) {
    load_const_none();
    place_label(label);
    // Counted as +2 to leave room for calling __exit__, then the block's slots are released.
    add_op(op::WITH_CLEANUP, 2);
    adjust_stack(-4);
}

void Emitter::async_with_setup_finally(Label aexit_no_exc, Label finally_block, Label ret_unwind_jump) {
    load_const_none();
    rot_two();
    jump(aexit_no_exc);
    place_label(finally_block);
    dup_top();
    load_global("BaseException", QstrPhase::scope_pass);
    binary_op(BinaryOp::exception_match);
    pop_jump_if(false, ret_unwind_jump);
}

void Emitter::get_iter(bool use_stack) {
    if (use_stack)
        add_op(op::GET_ITER_STACK, k_iter_buf_slots - 1);
    else
        add_op(op::GET_ITER, 0);
}

void Emitter::for_iter(Label label) {
    add_jump(op::FOR_ITER, 1, label);
}

void Emitter::pop_except_jump(Label label) {
    add_jump(op::POP_EXCEPT_JUMP, 0, label);
    end_of_flow();
}

// --- operators, containers, calls -------------------------------------------------------------------

void Emitter::unary_op(UnaryOpCode op) {
    add_op(std::uint8_t(op::UNARY_OP_MULTI + std::uint8_t(op)), 0);
}

void Emitter::binary_op(BinaryOp op) {
    const bool negate = op == BinaryOp::not_in || op == BinaryOp::is_not;
    if (op == BinaryOp::not_in)
        op = BinaryOp::in;
    else if (op == BinaryOp::is_not)
        op = BinaryOp::is;
    add_op(std::uint8_t(op::BINARY_OP_MULTI + std::uint8_t(op)), -1);
    if (negate)
        unary_op(UnaryOpCode::not_);
}

void Emitter::build_tuple(std::uint32_t n) {
    add_uint(op::BUILD_TUPLE, 1 - int(n), n);
}
void Emitter::build_list(std::uint32_t n) {
    add_uint(op::BUILD_LIST, 1 - int(n), n);
}
void Emitter::build_map(std::uint32_t size_hint) {
    add_uint(op::BUILD_MAP, 1, size_hint);
}
void Emitter::build_set(std::uint32_t n) {
    add_uint(op::BUILD_SET, 1 - int(n), n);
}
void Emitter::build_slice(std::uint32_t n) {
    add_uint(op::BUILD_SLICE, 1 - int(n), n);
}
void Emitter::store_map() {
    add_op(op::STORE_MAP, -2);
}

// The operand is (stack index of the collection << 2 | kind); a dict also consumes the key.
void Emitter::store_comp(CompKind kind, std::uint32_t collection_stack_index) {
    const std::uint32_t extra = kind == CompKind::dict ? 1 : 0;
    const std::uint32_t tag = kind == CompKind::list ? 0 : kind == CompKind::dict ? 1 : 2;
    add_uint(op::STORE_COMP, -1 - int(extra), (collection_stack_index + extra) << 2 | tag);
}

void Emitter::unpack_sequence(std::uint32_t n) {
    add_uint(op::UNPACK_SEQUENCE, int(n) - 1, n);
}

void Emitter::unpack_ex(std::uint32_t n_left, std::uint32_t n_right) {
    add_uint(op::UNPACK_EX, int(n_left + n_right), n_left | n_right << 8);
}

// With defaults, the positional-defaults tuple and keyword-defaults dict are consumed.
void Emitter::make_function(ScopeId child, bool has_defaults) {
    add_child(has_defaults ? op::MAKE_FUNCTION_DEFARGS : op::MAKE_FUNCTION, has_defaults ? -1 : 1, child);
}

void Emitter::make_closure(ScopeId child, std::uint32_t n_closed_over, bool has_defaults) {
    const int consumed = int(n_closed_over) + (has_defaults ? 2 : 0);
    add_child(has_defaults ? op::MAKE_CLOSURE_DEFARGS : op::MAKE_CLOSURE, 1 - consumed, child).trailing_byte =
        int(n_closed_over);
}

// Arguments: (n_kw << 8 | n_pos); each keyword argument is a key and a value on the stack, and the
// star forms have one more object (the star-args bitmap).
void Emitter::call_function(std::uint32_t n_pos, std::uint32_t n_kw, bool has_star) {
    const int consumed = int(n_pos + 2 * n_kw) + (has_star ? 1 : 0);
    add_uint(has_star ? op::CALL_FUNCTION_VAR_KW : op::CALL_FUNCTION, -consumed, n_kw << 8 | n_pos);
}

void Emitter::call_method(std::uint32_t n_pos, std::uint32_t n_kw, bool has_star) {
    const int consumed = int(n_pos + 2 * n_kw) + (has_star ? 1 : 0) + 1;
    add_uint(has_star ? op::CALL_METHOD_VAR_KW : op::CALL_METHOD, -consumed, n_kw << 8 | n_pos);
}

void Emitter::return_value() {
    add_op(op::RETURN_VALUE, -1);
    end_of_flow();
}

void Emitter::raise(std::uint32_t n_args) {
    assert(n_args <= 2);
    add_op(std::uint8_t(op::RAISE_LAST + n_args), -int(n_args));
    end_of_flow();
}

void Emitter::yield_value() {
    add_op(op::YIELD_VALUE, 0);
    m_generator = true;
}

void Emitter::yield_from() {
    add_op(op::YIELD_FROM, -1);
    m_generator = true;
}

// IMPORT_NAME pops the fromlist and level, pushes the module; IMPORT_FROM keeps the module.
void Emitter::import_name(const std::string& qstr) {
    add_qstr(op::IMPORT_NAME, -1, qstr, QstrPhase::scope_pass);
}
void Emitter::import_from(const std::string& qstr) {
    add_qstr(op::IMPORT_FROM, 1, qstr, QstrPhase::scope_pass);
}
void Emitter::import_star() {
    add_op(op::IMPORT_STAR, -1);
}

} // namespace mpyship::compiler
