#include "mpyship/compiler/native_viper_x64.h"

#include "mpyship/compiler/x64_encoder.h"

namespace mpyship::compiler {

namespace {

using namespace x64;

constexpr std::int32_t k_word = 8;
constexpr std::int32_t k_nlr_words = 14;       // nlr buffer (13 words) and the kept return value
constexpr std::int32_t k_code_state_words = 2; // the function object, the caller's globals
constexpr std::uint32_t k_private_label = 1u << 30; // labels of the prologue and the epilogue

const NativeAbi k_abi{rax, {rdi, rsi, rdx, rcx}, rax, rdi, rsi, rdi, {rbx, r12}};

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

class ViperX64Target final : public ViperTarget {
  public:
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override { m_asm.mov_reg_reg(Reg(dst), Reg(src)); }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override { m_asm.mov_reg_imm(Reg(dst), imm); }
    void zero_reg(NativeReg dst) override { m_asm.zero(Reg(dst)); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), rbp, k_word * std::int32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), r13, std::int32_t(2 * qstr));
    }
    void load_cell_contents(NativeReg, NativeReg) override { unreachable(); }
    // Not marked override: the native emitter's interface is growing this session, and this compiles
    // whether or not the base already declares it.
    void store_cell_contents(NativeReg, NativeReg) override { unreachable(); }
    void mov_reg_context(NativeReg) override { unreachable(); }
    void mov_reg_child(NativeReg, std::uint32_t) override { unreachable(); }
    void store_state(std::uint32_t slot, NativeReg src) override { m_asm.store(rsp, offset(slot), Reg(src)); }
    void load_state(NativeReg dst, std::uint32_t slot) override { m_asm.load(Reg(dst), rsp, offset(slot)); }
    // The reference moves rsp itself for the first slot of a frame without a code state.
    void lea_state(NativeReg dst, std::uint32_t slot) override {
        if (offset(slot) == 0)
            m_asm.mov_reg_reg(Reg(dst), rsp);
        else
            m_asm.lea(Reg(dst), rsp, offset(slot));
    }
    void call(RtFun fun) override { call_entry(std::int32_t(fun)); }
    void prologue(const NativeFrame&) override { unreachable(); }
    void store_return_value() override {
        if (m_frame.guards_globals)
            m_asm.store(rsp, m_code_state - k_word, rax);
    }
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.test_r8(rax);
        m_asm.jump_if(value ? Cond::nonzero : Cond::zero, label);
    }
    void jump_if_ret_null(std::uint32_t label) override {
        m_asm.test_r64(rax);
        m_asm.jump_if(Cond::zero, label);
    }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override { call_entry(std::int32_t(fun)); }
    void arith(ViperArith op, NativeReg dst, NativeReg src) override;
    void shift_by_cl(ViperShift op, NativeReg dst) override;
    NativeReg shift_count_reg() const override { return rcx; }
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

  private:
    [[noreturn]] static void unreachable() { __builtin_trap(); } // the viper emitter never asks for these
    std::int32_t offset(std::uint32_t slot) const { return m_state + k_word * std::int32_t(slot); }
    void call_entry(std::int32_t index) {
        m_asm.load(rax, rbp, k_word * index);
        m_asm.call_reg(rax);
    }
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);
    void guard_globals();

    Encoder m_asm;
    ViperEncoding m_enc{m_asm};
    ViperFrame m_frame;
    std::int32_t m_frame_bytes = 0;
    std::int32_t m_code_state = 0; // offset of the function object (and the caller's globals) from rsp
    std::int32_t m_state = 0;      // offset of state slot 0
};

// The constant table hangs off the function object kept in the code state.
void ViperX64Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    m_asm.load(r, rsp, m_code_state);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * std::int32_t(index));
}

void ViperX64Target::viper_prologue(const ViperFrame& frame) {
    m_frame = frame;
    m_code_state = frame.guards_globals ? k_nlr_words * k_word : 0;
    // the caller's globals need the code state's second word only when they are switched
    m_state = frame.guards_globals ? m_code_state + k_code_state_words * k_word : frame.needs_fun ? k_word : 0;
    m_frame_bytes = std::int32_t(frame.frame_words) * k_word;
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
        guard_globals();
}

// As in native code: switches to the module's globals; when they were different, an nlr frame restores
// the caller's on an exception and re-raises it. The caller's globals are kept in the code state.
void ViperX64Target::guard_globals() {
    const std::uint32_t body = k_private_label + 2;
    m_asm.load(rdi, rsp, m_code_state);
    m_asm.load(rdi, rdi, 1 * k_word); // ->context
    m_asm.load(rdi, rdi, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(rsp, m_code_state + k_word, rax);
    m_asm.test_r64(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.mov_reg_reg(rdi, rsp);
    call(RtFun::nlr_push);
    m_asm.test_r8(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.load(rdi, rsp, m_code_state + k_word);
    call(RtFun::swap_globals);
    m_asm.load(rdi, rsp, 1 * k_word); // nlr_buf.ret_val: the exception
    call(RtFun::raise);
    m_asm.bind(body);
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError. (The
// reference tests the keyword count's byte without a REX prefix, which encodes dh: kept for identity.)
void ViperX64Target::check_args(std::uint32_t n_args) {
    const std::uint32_t fail = k_private_label, ok = k_private_label + 1;
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

void ViperX64Target::shift_by_cl(ViperShift op, NativeReg dst) {
    static constexpr std::uint8_t k_ext[] = {4, 7, 5};
    m_enc.rex(true, 0, dst);
    m_asm.raw8(0xd3);
    m_asm.raw8(std::uint8_t(0xc0 | k_ext[int(op)] << 3 | low3(dst)));
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

mpy::Bytes ViperX64Target::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 3;
        m_asm.load(rdi, rsp, m_code_state + k_word);
        m_asm.test_r64(rdi);
        m_asm.jump_if(Cond::zero, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(rax, rsp, m_code_state - k_word);
    }
    m_asm.sub_rsp(-m_frame_bytes);
    for (Reg r : {r13, r12, rbx, rbp})
        m_asm.pop(r);
    m_asm.ret();
    return m_asm.finish();
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_x64_target() {
    return std::make_unique<ViperX64Target>();
}

} // namespace mpyship::compiler
