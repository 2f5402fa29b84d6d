#include "mpyship/compiler/native_viper_x64.h"

#include "mpyship/compiler/native_x64_target.h"

namespace mpyship::compiler {

namespace {

using namespace x64;

constexpr std::int32_t k_viper_code_state_words = 2; // the function object, the caller's globals

std::uint8_t low3(NativeReg r) {
    return std::uint8_t(r & 7);
}

// The few instructions the shared encoder does not have, written byte by byte in the same encoding
// rules (REX only when it says something, the shortest displacement).
class ViperEncoding {
  public:
    explicit ViperEncoding(Encoder& a) : m_a(a) {}

    void rex(bool w, NativeReg reg, NativeReg rm) {
        const auto v = std::uint8_t(0x40 | (w ? 8 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0));
        if (v != 0x40)
            m_a.raw8(v);
    }
    void reg_reg(std::uint8_t opcode, NativeReg reg, NativeReg rm) { // op rm, reg (64-bit)
        rex(true, reg, rm);
        m_a.raw8(opcode);
        m_a.raw8(std::uint8_t(0xc0 | low3(reg) << 3 | low3(rm)));
    }
    void imul(NativeReg dst, NativeReg src) {
        rex(true, dst, src);
        m_a.raw8(0x0f);
        m_a.raw8(0xaf);
        m_a.raw8(std::uint8_t(0xc0 | low3(dst) << 3 | low3(src)));
    }
    void mem(NativeReg reg, NativeReg base, std::int32_t disp) {
        const bool short_disp = disp >= -128 && disp <= 127;
        const std::uint8_t mod = (disp == 0 && low3(base) != 5) ? 0x00 : short_disp ? 0x40 : 0x80;
        m_a.raw8(std::uint8_t(mod | low3(reg) << 3 | low3(base)));
        if (low3(base) == 4)
            m_a.raw8(0x24);
        if (mod == 0x40)
            m_a.raw8(std::uint8_t(disp));
        else if (mod == 0x80)
            for (int i = 0; i < 4; ++i)
                m_a.raw8(std::uint8_t(std::uint32_t(disp) >> (8 * i)));
    }

  private:
    Encoder& m_a;
};

class ViperX64Target final : public X64Target, public ViperTarget {
  public:
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override {
        m_asm.load(rax, rbp, k_word * std::int32_t(fun));
        m_asm.call_reg(rax);
    }
    void arith(ViperArith op, NativeReg dst, NativeReg src) override;
    std::optional<NativeReg> shift_count_reg() const override { return rcx; }
    void shift_by_count(ViperArith op, NativeReg dst) override;
    void negate(NativeReg r, bool invert) override { // neg / not r64
        m_enc.rex(true, 0, r);
        m_asm.raw8(0xf7);
        m_asm.raw8(std::uint8_t(0xc0 | (invert ? 2 : 3) << 3 | low3(r)));
    }
    void compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) override;
    void jump_if_ret(bool nonzero, std::uint32_t label) override {
        m_asm.test_r64(rax);
        m_asm.jump_if(nonzero ? Cond::nonzero : Cond::zero, label);
    }
    void load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) override;
    void store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) override;
    // The index is added to the base once per byte of the element.
    void load_indexed(int size, NativeReg dst, NativeReg base, NativeReg index) override {
        for (int k = 0; k < size; ++k)
            arith(ViperArith::add, base, index);
        load_mem(size, dst, base, 0);
    }
    void store_indexed(int size, NativeReg base, NativeReg index, NativeReg src) override {
        for (int k = 0; k < size; ++k)
            arith(ViperArith::add, base, index);
        store_mem(size, base, 0, src);
    }
    bool store_value_fixed() const override { return true; }

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);

    ViperEncoding m_enc{m_asm};
};

// The nlr buffer and a two-word code state (the function object, the caller's globals) when globals are
// switched, else one word for the function object when it is needed, then the state slots; odd in words
// to keep calls aligned.
void ViperX64Target::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_code_state = frame.guards_globals ? k_nlr_words * k_word : 0;
    m_state = frame.guards_globals ? m_code_state + k_viper_code_state_words * k_word : frame.needs_fun ? k_word : 0;
    m_frame_bytes = ((m_state / k_word + std::int32_t(frame.state_words)) | 1) * k_word;
    for (Reg r : {rbp, rbx, r12, r13})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    m_asm.load(rbp, rdi, 1 * k_word); // fun->context
    m_asm.load(r13, rbp, 2 * k_word); // ->constants.qstr_table
    m_asm.load(rbp, rbp, 3 * k_word); // ->constants.obj_table
    m_asm.load(rbp, rbp, k_word * std::int32_t(frame.fun_table_const));
    if (frame.guards_globals || frame.needs_fun)
        m_asm.store(rsp, m_code_state, rdi);
    m_asm.mov_reg_reg(rdi, rsi); // n_args
    m_asm.mov_reg_reg(rsi, rdx); // n_kw
    m_asm.mov_reg_reg(r12, rcx); // args
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.guards_globals)
        guard_globals(k_private_label);
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError. (The
// reference tests the keyword count's byte without a REX prefix, which encodes dh: kept for identity.)
void ViperX64Target::check_args(std::uint32_t n_args) {
    const std::uint32_t fail = k_private_label + 4, ok = k_private_label + 5;
    m_asm.test_r8(rsi);
    m_asm.jump_if(Cond::nonzero, fail);
    m_asm.mov_reg_imm(rdx, n_args);
    m_enc.reg_reg(0x39, rdi, rdx); // cmp rdx, rdi
    m_asm.jump_if(Cond::zero, ok);
    m_asm.bind(fail);
    m_asm.mov_reg_imm(rdx, (std::uint64_t(n_args) << 17) | (std::uint64_t(n_args) << 1));
    call_viper(ViperFun::arg_check_num_sig);
    m_asm.bind(ok);
}

// Each argument is converted to its annotated type; the second one waits in its slot while r12 still
// points at the arguments (with three or more of them).
void ViperX64Target::load_args(const ViperFrame& frame) {
    const auto n_args = std::uint32_t(frame.arg_types.size());
    for (std::uint32_t i = 0; i < n_args; ++i) {
        m_asm.load(rdi, r12, k_word * std::int32_t(i));
        Reg src = rdi;
        if (frame.arg_types[i] != VType::object) {
            m_asm.mov_reg_imm(rsi, std::uint64_t(frame.arg_types[i]));
            call_viper(ViperFun::convert_obj_to_native);
            src = rax;
        }
        if (i == 0)
            m_asm.mov_reg_reg(rbx, src);
        else if (i == 1 && n_args <= 2)
            m_asm.mov_reg_reg(r12, src);
        else
            store_state(frame.n_state - 1 - i, src);
    }
    if (n_args >= 3)
        load_state(r12, frame.n_state - 2);
}

void ViperX64Target::arith(ViperArith op, NativeReg dst, NativeReg src) {
    static constexpr std::uint8_t k_opcode[] = {0x01, 0x29, 0, 0x21, 0x09, 0x31};
    if (op == ViperArith::mul)
        m_enc.imul(dst, src);
    else
        m_enc.reg_reg(k_opcode[int(op)], src, dst);
}

void ViperX64Target::shift_by_count(ViperArith op, NativeReg dst) {
    static constexpr std::uint8_t k_ext[] = {4, 7, 5}; // shl, sar, shr
    const int k = int(op) - int(ViperArith::shl);
    m_enc.rex(true, 0, dst);
    m_asm.raw8(0xd3);
    m_asm.raw8(std::uint8_t(0xc0 | k_ext[k] << 3 | low3(dst)));
}

void ViperX64Target::compare_to_ret(ViperCmp cmp, bool is_unsigned, NativeReg lhs, NativeReg rhs) {
    static constexpr std::uint8_t k_signed[] = {0x9c, 0x9f, 0x94, 0x9e, 0x9d, 0x95};
    static constexpr std::uint8_t k_unsigned[] = {0x92, 0x97, 0x94, 0x96, 0x93, 0x95};
    m_asm.zero(rax);
    m_enc.reg_reg(0x39, rhs, lhs);
    m_asm.raw8(0x0f);
    m_asm.raw8((is_unsigned ? k_unsigned : k_signed)[int(cmp)]);
    m_asm.raw8(0xc0);
}

void ViperX64Target::load_mem(int size, NativeReg dst, NativeReg base, std::int32_t disp) {
    m_enc.rex(false, dst, base);
    if (size == 4) {
        m_asm.raw8(0x8b);
    } else {
        m_asm.raw8(0x0f);
        m_asm.raw8(size == 1 ? 0xb6 : 0xb7);
    }
    m_enc.mem(dst, base, disp);
}

void ViperX64Target::store_mem(int size, NativeReg base, std::int32_t disp, NativeReg src) {
    if (size == 2)
        m_asm.raw8(0x66);
    m_enc.rex(false, src, base);
    m_asm.raw8(size == 1 ? 0x88 : 0x89);
    m_enc.mem(src, base, disp);
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_x64_target() {
    return std::make_unique<ViperX64Target>();
}

} // namespace mpyship::compiler
