#include "mpyship/compiler/native_viper_rv32.h"

#include "mpyship/compiler/native_rv32_target.h"

namespace mpyship::compiler {

namespace {

using namespace rv32;

constexpr std::uint32_t k_check_fail = k_private_label + 4, k_check_ok = k_private_label + 5;
constexpr std::int32_t k_viper_code_state_words = 2; // the function object, the caller's globals

// Register-register forms (op rd, rs1, rs2) by ViperArith; add has the compressed c.add.
constexpr std::uint32_t k_alu[] = {k_add, k_sub, k_mul, k_and, k_or, k_xor, k_sll, k_sra, k_srl};

std::uint32_t log2_size(int size) {
    return size == 4 ? 2 : size == 2 ? 1 : 0;
}

class ViperRv32Target final : public Rv32Target, public ViperTarget {
  public:
    ViperRv32Target(NativeModuleState& module, bool zcmp, bool zba) : Rv32Target(module, zcmp), m_zba(zba) {}
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override { call_entry(std::uint32_t(fun)); }
    void arith(ViperArith op, NativeReg dst, NativeReg src) override;
    void negate(NativeReg r, bool invert) override {
        if (invert)
            m_asm.op32(i_type(k_xori, r, r, -1));
        else
            m_asm.op32(r_type(k_sub, r, zero, r));
    }
    void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) override;
    void jump_if_ret(bool nonzero, std::uint32_t label) override {
        m_asm.jump_if(nonzero ? Cond::ne : Cond::eq, a0, label);
    }
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) override {
        m_asm.load_sized(size, Reg(dst), Reg(base), disp);
    }
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) override {
        m_asm.store_sized(size, Reg(base), disp, Reg(src));
    }
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) override {
        element_address(size, base, index);
        m_asm.load_sized(size, Reg(dst), t3, 0);
    }
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) override {
        element_address(size, base, index);
        m_asm.store_sized(size, t3, 0, Reg(src));
    }

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);
    void element_address(int size, NativeReg base, NativeReg index);

    bool m_zba; // -march-flags=zba: a scaled index is added in one sh1add/sh2add
};

// The saved registers at the bottom (with Zcmp: above the frame), then the nlr area and a two-word code
// state (the function object, the caller's globals) when globals are switched, else one word for the
// function object when it is needed, then the state slots; no alignment.
void ViperRv32Target::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_frame.has_handlers = frame.has_handlers;
    const bool nlr = frame.guards_globals || frame.has_handlers;
    m_saves_s0 = m_zcmp || m_module.rv32_saves_s0;
    const auto saved_bytes = std::int32_t(saved_regs().size()) * k_word;
    m_nlr = m_zcmp ? 0 : saved_bytes;
    m_code_state = m_nlr + (frame.has_handlers ? k_handler_nlr_words * k_word : nlr ? k_nlr_words * k_word : 0);
    m_state = m_code_state + (nlr ? k_viper_code_state_words * k_word : frame.needs_fun ? k_word : 0);
    m_frame_bytes = m_state + std::int32_t(frame.state_words) * k_word + (m_zcmp ? saved_bytes : 0);
    save_registers_and_load_tables(frame.fun_table_const);
    if (nlr || frame.needs_fun)
        m_asm.store(sp, m_code_state, a0);
    m_asm.mov_reg_reg(a0, a1); // n_args
    m_asm.mov_reg_reg(a1, a2); // n_kw
    m_asm.mov_reg_reg(s2, a3); // args
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.has_handlers)
        dispatch_exceptions();
    else if (frame.guards_globals)
        guard_globals();
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError.
void ViperRv32Target::check_args(std::uint32_t n_args) {
    m_asm.jump_if(Cond::ne, a1, k_check_fail);
    m_asm.mov_reg_imm(a2, std::int32_t(n_args));
    m_asm.jump_forward_if_equal(a0, a2, k_check_ok);
    m_asm.bind(k_check_fail);
    m_asm.mov_reg_imm(a2, std::int32_t(n_args << 17 | n_args << 1));
    call_viper(ViperFun::arg_check_num_sig);
    m_asm.bind(k_check_ok);
}

// Each argument is converted to its annotated type; the second one waits in its slot while s2 still
// points at the arguments (with three or more of them).
void ViperRv32Target::load_args(const ViperFrame& frame) {
    const auto n_args = std::uint32_t(frame.arg_types.size());
    for (std::uint32_t i = 0; i < n_args; ++i) {
        m_asm.load(a0, s2, k_word * std::int32_t(i));
        if (frame.arg_types[i] != VType::object) {
            m_asm.mov_reg_imm(a1, std::int32_t(frame.arg_types[i]));
            call_viper(ViperFun::convert_obj_to_native);
        }
        if (frame.has_handlers) // every local lives in its slot
            store_state(frame.n_state - 1 - i, a0);
        else if (i == 0)
            m_asm.mov_reg_reg(s3, a0);
        else if (i == 1 && n_args <= 2)
            m_asm.mov_reg_reg(s2, a0);
        else
            store_state(frame.n_state - 1 - i, a0);
    }
    if (n_args >= 3 && !frame.has_handlers)
        load_state(s2, frame.n_state - 2);
}

// dst = dst op src; mpy-cross's `and` takes its sources the other way round (the same result).
void ViperRv32Target::arith(ViperArith op, NativeReg dst, NativeReg src) {
    if (op == ViperArith::add)
        return m_asm.op16(c_rr(k_c_add, dst, src));
    if (op == ViperArith::and_)
        return m_asm.op32(r_type(k_and, dst, src, dst));
    m_asm.op32(r_type(k_alu[int(op)], dst, dst, src));
}

// slt/sltu for the orderings (the operands swapped for > and <=, the result inverted for <= and >=);
// equality from the difference (mpy-cross subtracts the other way round for !=).
void ViperRv32Target::compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) {
    const std::uint32_t slt = is_unsigned ? k_sltu : k_slt;
    switch (cmp) {
    case ViperCmp::lt: return m_asm.op32(r_type(slt, a0, lhs, rhs));
    case ViperCmp::gt: return m_asm.op32(r_type(slt, a0, rhs, lhs));
    case ViperCmp::le:
        m_asm.op32(r_type(slt, a0, rhs, lhs));
        return m_asm.op32(i_type(k_xori, a0, a0, 1));
    case ViperCmp::ge:
        m_asm.op32(r_type(slt, a0, lhs, rhs));
        return m_asm.op32(i_type(k_xori, a0, a0, 1));
    case ViperCmp::eq:
        m_asm.op32(r_type(k_sub, a0, lhs, rhs));
        return m_asm.op32(i_type(k_sltiu, a0, a0, 1));
    case ViperCmp::ne:
        m_asm.op32(r_type(k_sub, a0, rhs, lhs));
        return m_asm.op32(r_type(k_sltu, a0, zero, a0));
    }
}

// t3 = base + index * size: a byte index is added with the 32-bit add, a scaled one shifted into t3
// first and the base added with c.add (with Zba: one sh1add/sh2add).
void ViperRv32Target::element_address(int size, NativeReg base, NativeReg index) {
    if (size == 1)
        return m_asm.op32(r_type(k_add, t3, base, index));
    if (m_zba)
        return m_asm.op32(r_type(size == 2 ? k_sh1add : k_sh2add, t3, index, base));
    m_asm.op32(i_type(k_slli, t3, index, std::int32_t(log2_size(size))));
    m_asm.op16(c_rr(k_c_add, t3, base));
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_rv32_target(NativeModuleState& module, bool zcmp, bool zba) {
    return std::make_unique<ViperRv32Target>(module, zcmp, zba);
}

} // namespace mpyship::compiler
