#include "mpyship/compiler/native_viper_xtensa.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/native_xtensa_target.h"

#include <string>

namespace mpyship::compiler {

namespace {

using namespace xtensa;

constexpr std::uint32_t k_viper_code_state_words = 2; // the function object, the caller's globals
constexpr std::uint32_t k_check_fail = k_private_label + 4, k_check_ok = k_private_label + 5;

// RRR opcode bits (op2, op1) of the register-register forms mpy-cross writes.
constexpr std::uint32_t k_and = 0x100000, k_or = 0x200000, k_xor = 0x300000, k_mull = 0x820000;
constexpr std::uint32_t k_neg = 0x600000, k_addx2 = 0x900000, k_addx4 = 0xa00000;
constexpr std::uint32_t k_ssr = 0x400000, k_ssl = 0x401000; // the shift amount register from as
constexpr std::uint32_t k_sll = 0xa10000, k_sra = 0xb10000, k_srl = 0x910000;
constexpr std::uint32_t k_s8i = 0x004002, k_s16i = 0x005002;
// B-format branches (op0 7) on two registers, by their r field.
constexpr std::uint32_t k_beq = 1, k_bne = 9, k_blt = 2, k_bltu = 3, k_bge = 10, k_bgeu = 11;

constexpr std::uint32_t branch(std::uint32_t cond, Reg s, Reg t, std::uint32_t imm8) {
    return 7u | std::uint32_t(t) << 4 | std::uint32_t(s) << 8 | cond << 12 | imm8 << 16;
}

[[noreturn]] void not_implemented(const std::string& what) {
    throw CompileError{"NotImplementedError",
                       "mpyship: viper code for " + what + " on Xtensa is not implemented yet",
                       SourcePos{0, 0},
                       "",
                       false,
                       true};
}

class ViperXtensaTarget final : public XtensaTarget, public ViperTarget {
  public:
    explicit ViperXtensaTarget(const XtensaAbi& abi) : XtensaTarget(abi) { m_children_word = false; }
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override { call_entry(std::uint32_t(fun)); }
    void arith(ViperArith op, NativeReg dst, NativeReg src) override;
    void negate(NativeReg r, bool invert) override;
    void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) override;
    void jump_if_ret(bool nonzero, std::uint32_t label) override {
        m_asm.jump_if_zero(!nonzero, m_ret, label);
    }
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) override;
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) override;
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) override {
        element_address(size, base, index);
        load_at(size, Reg(dst), Reg(base), 0);
    }
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) override {
        element_address(size, base, index);
        store_at(size, Reg(base), 0, Reg(src));
    }

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);
    void element_address(int size, NativeReg base, NativeReg index);
    void load_at(int size, Reg dst, Reg base, std::uint32_t disp);
    void store_at(int size, Reg base, std::uint32_t disp, Reg src);
};

// The saved registers (a0's slot; call0 also a12-a15), then the nlr area and a two-word code state (the
// function object, the caller's globals) when globals are switched, else one word for the function
// object when it is needed, then the state slots, rounded up to 16 bytes (windowed: plus entry's 32-byte save
// area).
void ViperXtensaTarget::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_frame.has_handlers = frame.has_handlers;
    const bool nlr = frame.guards_globals || frame.has_handlers;
    m_code_state = m_abi.nlr + (frame.has_handlers ? m_abi.handler_nlr_words * k_word
                                : nlr              ? m_abi.nlr_words * k_word
                                                   : 0);
    m_state = m_code_state + (nlr ? k_viper_code_state_words * k_word
                              : frame.needs_fun    ? k_word
                                                   : 0);
    if (frame.n_state > 0 && state_offset(frame.n_state - 1) > k_max_frame_offset)
        not_implemented("a frame beyond 1020 bytes");
    const std::uint32_t held = m_state + frame.state_words * k_word;
    m_frame_bytes = ((held + 15) & ~15u) + (m_abi.windowed ? 32 : 0);
    enter(m_frame_bytes);
    load_tables(frame.fun_table_const);
    if (nlr || frame.needs_fun)
        m_asm.store_frame(m_code_state, a2);
    const NativeReg* arg = m_abi.regs.arg;
    m_asm.op16(mov_n(arg[0], a3));                   // n_args
    m_asm.op16(mov_n(arg[1], a4));                   // n_kw
    m_asm.op16(mov_n(m_abi.regs.local_regs[1], a5)); // args (written even when it is already there)
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.has_handlers)
        dispatch_exceptions();
    else if (frame.guards_globals)
        guard_globals();
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError.
void ViperXtensaTarget::check_args(std::uint32_t n_args) {
    const NativeReg* arg = m_abi.regs.arg;
    m_asm.jump_if_zero(false, Reg(arg[1]), k_check_fail);
    m_asm.mov_reg_imm(Reg(arg[2]), std::int32_t(n_args));
    m_asm.op24(branch(k_bne, Reg(arg[0]), Reg(arg[2]), 2)); // over the j
    m_asm.jump(k_check_ok);
    m_asm.bind(k_check_fail);
    m_asm.mov_reg_imm(Reg(arg[2]), std::int32_t(n_args << 17 | n_args << 1));
    call_viper(ViperFun::arg_check_num_sig);
    m_asm.bind(k_check_ok);
}

// Each argument is converted to its annotated type; the second one waits in its slot while the second
// local's register still points at the arguments (with three or more of them).
void ViperXtensaTarget::load_args(const ViperFrame& frame) {
    const auto n_args = std::uint32_t(frame.arg_types.size());
    const Reg args = Reg(m_abi.regs.local_regs[1]);
    for (std::uint32_t i = 0; i < n_args; ++i) {
        m_asm.load(m_ret, args, k_word * i);
        if (frame.arg_types[i] != VType::object) {
            m_asm.mov_reg_imm(Reg(m_abi.regs.arg[1]), std::int32_t(frame.arg_types[i]));
            call_viper(ViperFun::convert_obj_to_native);
        }
        if (frame.has_handlers) // every local lives in its slot
            store_state(frame.n_state - 1 - i, m_ret);
        else if (i == 0)
            mov_reg_reg(m_abi.regs.local_regs[0], m_ret);
        else if (i == 1 && n_args <= 2)
            mov_reg_reg(args, m_ret);
        else
            store_state(frame.n_state - 1 - i, m_ret);
    }
    if (n_args >= 3 && !frame.has_handlers)
        load_state(args, frame.n_state - 2);
}

// dst = dst op src; shifts set SAR from src (ssl for the left shift) and shift dst by it.
void ViperXtensaTarget::arith(ViperArith op, NativeReg dst, NativeReg src) {
    const Reg d = Reg(dst), s = Reg(src);
    switch (op) {
    case ViperArith::add:
        return m_asm.add_n(d, d, s);
    case ViperArith::sub:
        return m_asm.op24(rrr(k_sub, d, d, s));
    case ViperArith::mul:
        return m_asm.op24(rrr(k_mull, d, d, s));
    case ViperArith::and_:
        return m_asm.op24(rrr(k_and, d, d, s));
    case ViperArith::or_:
        return m_asm.op24(rrr(k_or, d, d, s));
    case ViperArith::xor_:
        return m_asm.op24(rrr(k_xor, d, d, s));
    case ViperArith::shl:
        m_asm.op24(rrr(k_ssl, 0, s, 0));
        return m_asm.op24(rrr(k_sll, d, d, 0));
    case ViperArith::sar:
        m_asm.op24(rrr(k_ssr, 0, s, 0));
        return m_asm.op24(rrr(k_sra, d, 0, d));
    case ViperArith::shr:
        m_asm.op24(rrr(k_ssr, 0, s, 0));
        return m_asm.op24(rrr(k_srl, d, 0, d));
    }
}

// ~r is r xor -1, the -1 in the return register (mpy-cross's choice; r is never that register here).
void ViperXtensaTarget::negate(NativeReg r, bool invert) {
    if (r == m_abi.regs.ret)
        not_implemented("an inversion in the return register");
    if (!invert)
        return m_asm.op24(rrr(k_neg, Reg(r), 0, Reg(r)));
    m_asm.mov_reg_imm(m_ret, -1);
    m_asm.op24(rrr(k_xor, Reg(r), Reg(r), m_ret));
}

// ret = 1, then a branch on the condition over `movi.n ret, 0` (the operands swapped for > and <=).
void ViperXtensaTarget::compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) {
    if (lhs == m_abi.regs.ret || rhs == m_abi.regs.ret)
        not_implemented("a comparison of the return register");
    const std::uint32_t lt = is_unsigned ? k_bltu : k_blt, ge = is_unsigned ? k_bgeu : k_bge;
    const Reg l = Reg(lhs), r = Reg(rhs);
    std::uint32_t insn = 0;
    switch (cmp) {
    case ViperCmp::lt:
        insn = branch(lt, l, r, 1);
        break;
    case ViperCmp::gt:
        insn = branch(lt, r, l, 1);
        break;
    case ViperCmp::eq:
        insn = branch(k_beq, l, r, 1);
        break;
    case ViperCmp::le:
        insn = branch(ge, r, l, 1);
        break;
    case ViperCmp::ge:
        insn = branch(ge, l, r, 1);
        break;
    case ViperCmp::ne:
        insn = branch(k_bne, l, r, 1);
        break;
    }
    m_asm.mov_reg_imm(m_ret, 1);
    m_asm.op24(insn);
    m_asm.mov_reg_imm(m_ret, 0);
}

// Offsets within the load's 8 bits (scaled) are encoded in it; others are added to the base in dst
// first (movi + add.n), which mpy-cross also does when dst is the base (losing it: refused here).
void ViperXtensaTarget::load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) {
    if (disp >= 0 && disp % size == 0 && disp / size <= 255)
        return load_at(size, Reg(dst), Reg(base), std::uint32_t(disp));
    if (dst == base)
        not_implemented("a far pointer offset into the base register");
    m_asm.mov_reg_imm(Reg(dst), disp);
    m_asm.add_n(Reg(dst), Reg(base), Reg(dst));
    load_at(size, Reg(dst), Reg(dst), 0);
}

// A far offset is added to the base in a6 (movi + add.n): a scratch register on xtensa, but xtensawin's
// qstr table, which mpy-cross's code then loses (refused there).
void ViperXtensaTarget::store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) {
    if (disp >= 0 && disp % size == 0 && disp / size <= 255)
        return store_at(size, Reg(base), std::uint32_t(disp), Reg(src));
    if (m_abi.windowed)
        not_implemented("a store at a far pointer offset (it overwrites the qstr table's register)");
    m_asm.mov_reg_imm(a6, disp);
    m_asm.add_n(a6, Reg(base), a6);
    store_at(size, a6, 0, Reg(src));
}

// base = base + index * size (add.n, addx2, addx4).
void ViperXtensaTarget::element_address(int size, NativeReg base, NativeReg index) {
    const Reg b = Reg(base), i = Reg(index);
    if (size == 1)
        return m_asm.add_n(b, i, b);
    m_asm.op24(rrr(size == 2 ? k_addx2 : k_addx4, b, i, b));
}

void ViperXtensaTarget::load_at(int size, Reg dst, Reg base, std::uint32_t disp) {
    if (size == 1)
        return m_asm.op24(rri8(k_l8ui, dst, base, disp));
    if (size == 2)
        return m_asm.op24(rri8(k_l16ui, dst, base, disp >> 1));
    m_asm.load(dst, base, disp);
}

void ViperXtensaTarget::store_at(int size, Reg base, std::uint32_t disp, Reg src) {
    if (size == 1)
        return m_asm.op24(rri8(k_s8i, src, base, disp));
    if (size == 2)
        return m_asm.op24(rri8(k_s16i, src, base, disp >> 1));
    m_asm.store(base, disp, src);
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_xtensa_target(bool windowed) {
    return std::make_unique<ViperXtensaTarget>(windowed ? k_windowed : k_call0);
}

} // namespace mpyship::compiler
