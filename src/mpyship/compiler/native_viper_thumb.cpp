#include "mpyship/compiler/native_viper_thumb.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_thumb_target.h"

namespace mpyship::compiler {

namespace {

using namespace thumb;

constexpr std::uint32_t k_r1_and_r4_to_r7 = 0xf2;
constexpr std::uint32_t k_code_state_words = 2; // the function object, the caller's globals
constexpr std::uint32_t k_check_fail = k_private_label + 4, k_check_ok = k_private_label + 5;

// Two-register data-processing forms (op rdn, rm), by ViperArith; add and sub have three-register forms.
constexpr std::uint32_t k_alu[] = {0, 0, 0x4340, 0x4000, 0x4300, 0x4040, 0x4080, 0x4100, 0x40c0};
constexpr std::uint32_t k_adds_reg = 0x1800, k_subs_reg = 0x1a00, k_negs = 0x4240, k_mvns = 0x43c0;
constexpr std::uint32_t k_cmp_reg = 0x4280;
constexpr std::uint32_t k_it = 0xbf00;
// Register-offset loads and stores [base, index], by element size.
constexpr std::uint32_t k_load_reg[] = {0, 0x5c00, 0x5a00, 0, 0x5800};
constexpr std::uint32_t k_store_reg[] = {0, 0x5400, 0x5200, 0, 0x5000};
// Condition codes, signed and unsigned, by ViperCmp.
constexpr std::uint32_t k_cond_signed[] = {0xb, 0xc, 0x0, 0xd, 0xa, 0x1};
constexpr std::uint32_t k_cond_unsigned[] = {0x3, 0x8, 0x0, 0x9, 0x2, 0x1};

std::uint32_t rr(std::uint32_t opcode, NativeReg rdn, NativeReg rm) {
    return opcode | std::uint32_t(rm) << 3 | rdn;
}

std::uint32_t log2_size(int size) {
    return size == 4 ? 2 : size == 2 ? 1 : 0;
}

class ViperThumbTarget final : public ThumbTarget, public ViperTarget {
  public:
    explicit ViperThumbTarget(bool thumb2) : ThumbTarget(thumb2), m_thumb2(thumb2) {}
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override {
        m_asm.load(k_call_temp, k_fun_table, k_word * std::uint32_t(fun));
        m_asm.blx(k_call_temp);
    }
    void arith(ViperArith op, NativeReg dst, NativeReg src) override;
    void negate(NativeReg r, bool invert) override { m_asm.op16(rr(invert ? k_mvns : k_negs, r, r)); }
    void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) override;
    void jump_if_ret(bool nonzero, std::uint32_t label) override {
        m_asm.cmp_zero(r0);
        m_asm.jump_if(nonzero ? Cond::ne : Cond::eq, label);
    }
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) override {
        m_asm.load_sized(size, Reg(dst), Reg(base), std::uint32_t(disp));
    }
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) override {
        m_asm.store_sized(size, Reg(base), std::uint32_t(disp), Reg(src));
    }
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) override;
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) override;

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);

    bool m_thumb2;
};

// The nlr buffer and a two-word code state (the function object, the caller's globals) when globals are
// switched, else one word for the function object when it is needed, then the state slots. The pushed
// r1-r3 are the frame's top words; sp stays 8-byte aligned.
void ViperThumbTarget::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_frame.has_handlers = frame.has_handlers;
    const bool nlr = frame.guards_globals || frame.has_handlers;
    m_code_state = frame.has_handlers ? k_handler_nlr_words * k_word : nlr ? k_nlr_words * k_word : 0;
    m_state = nlr ? m_code_state + k_code_state_words * k_word : frame.needs_fun ? k_word : 0;
    if (state_offset(frame.n_state - 1) > k_max_sp_offset)
        throw CompileError{"NotImplementedError", "too many locals for native method", SourcePos{0, 0}, "", false,
                           true};
    // One word: r1 alone is pushed for it (with r4-r7 and lr, sp stays aligned).
    const std::uint32_t words = m_state / k_word + frame.state_words;
    m_saved_regs = words <= 1 ? k_r1_and_r4_to_r7 : k_r1_to_r7;
    m_frame_bytes = words > k_pushed_frame_words ? ((words - k_pushed_frame_words + 1) & ~1u) * k_word : 0;
    m_asm.op16(k_push | m_saved_regs);
    m_asm.adjust_sp(true, m_frame_bytes);
    m_asm.load(k_fun_table, r0, 1 * k_word);           // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * frame.fun_table_const);
    if (nlr || frame.needs_fun)
        m_asm.store(sp, m_code_state, r0);
    m_asm.mov_reg_reg(r0, r1); // n_args
    m_asm.mov_reg_reg(r1, r2); // n_kw
    m_asm.mov_reg_reg(r5, r3); // args
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.has_handlers)
        dispatch_exceptions();
    else if (frame.guards_globals)
        guard_globals(k_private_label);
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError.
void ViperThumbTarget::check_args(std::uint32_t n_args) {
    m_asm.cmp_zero(r1);
    m_asm.jump_if(Cond::ne, k_check_fail);
    m_asm.mov_reg_imm(r2, n_args);
    m_asm.op16(rr(k_cmp_reg, r0, r2));
    m_asm.jump_if(Cond::eq, k_check_ok);
    m_asm.bind(k_check_fail);
    m_asm.mov_reg_imm(r2, n_args << 17 | n_args << 1);
    call_viper(ViperFun::arg_check_num_sig);
    m_asm.bind(k_check_ok);
}

// Each argument is converted to its annotated type; the second one waits in its slot while r5 still
// points at the arguments (with three or more of them).
void ViperThumbTarget::load_args(const ViperFrame& frame) {
    const auto n_args = std::uint32_t(frame.arg_types.size());
    for (std::uint32_t i = 0; i < n_args; ++i) {
        m_asm.load(r0, r5, k_word * i);
        if (frame.arg_types[i] != VType::object) {
            m_asm.mov_reg_imm(r1, std::uint32_t(frame.arg_types[i]));
            call_viper(ViperFun::convert_obj_to_native);
        }
        if (frame.has_handlers) // every local lives in its slot
            store_state(frame.n_state - 1 - i, r0);
        else if (i == 0)
            m_asm.mov_reg_reg(r4, r0);
        else if (i == 1 && n_args <= 2)
            m_asm.mov_reg_reg(r5, r0);
        else
            store_state(frame.n_state - 1 - i, r0);
    }
    if (n_args >= 3 && !frame.has_handlers)
        load_state(r5, frame.n_state - 2);
}

void ViperThumbTarget::arith(ViperArith op, NativeReg dst, NativeReg src) {
    if (op == ViperArith::add || op == ViperArith::sub)
        m_asm.op16((op == ViperArith::add ? k_adds_reg : k_subs_reg) | std::uint32_t(src) << 6 |
                   std::uint32_t(dst) << 3 | dst);
    else
        m_asm.op16(rr(k_alu[int(op)], dst, src));
}

// Thumb-2: ite <cond>; movs ret, #1; movs ret, #0. armv6m: b<cond> over movs ret, #0 and a branch.
void ViperThumbTarget::compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) {
    const std::uint32_t cond = (is_unsigned ? k_cond_unsigned : k_cond_signed)[int(cmp)];
    m_asm.op16(rr(k_cmp_reg, lhs, rhs));
    if (m_thumb2) {
        m_asm.op16(k_it | cond << 4 | (~cond & 1) << 3 | 4);
        m_asm.mov_reg_imm(r0, 1);
        m_asm.mov_reg_imm(r0, 0);
    } else {
        m_asm.op16(b_cond_narrow(cond, 2));
        m_asm.mov_reg_imm(r0, 0);
        m_asm.op16(b_narrow(0));
        m_asm.mov_reg_imm(r0, 1);
    }
}

// A halfword or word index is scaled in the third argument register for a load; a store scales the index
// register itself and restores it.
void ViperThumbTarget::load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) {
    NativeReg offset = index;
    if (size > 1) {
        offset = r2;
        m_asm.op16(log2_size(size) << 6 | std::uint32_t(index) << 3 | offset); // lsls r2, index, #k
    }
    m_asm.op16(k_load_reg[size] | std::uint32_t(offset) << 6 | std::uint32_t(base) << 3 | dst);
}

void ViperThumbTarget::store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) {
    if (size > 1) {
        m_asm.push(Reg(index));
        m_asm.op16(log2_size(size) << 6 | std::uint32_t(index) << 3 | index);
    }
    m_asm.op16(k_store_reg[size] | std::uint32_t(index) << 6 | std::uint32_t(base) << 3 | src);
    if (size > 1)
        m_asm.pop(Reg(index));
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_thumb_target(bool thumb2) {
    return std::make_unique<ViperThumbTarget>(thumb2);
}

} // namespace mpyship::compiler
