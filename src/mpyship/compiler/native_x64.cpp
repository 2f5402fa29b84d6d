#include "mpyship/compiler/native_x64.h"

#include "mpyship/compiler/x64_encoder.h"

namespace mpyship::compiler {

namespace {

using namespace x64;

constexpr std::int32_t k_word = 8;
constexpr std::int32_t k_nlr_words = 14;       // nlr buffer (13 words) and the kept return value
constexpr std::int32_t k_handler_nlr_words = 15; // with exception handlers, one more word (zeroed)
constexpr std::int32_t k_exc_value_offset = 1 * k_word; // nlr_buf.ret_val: the exception
constexpr std::int32_t k_handler_offset = 5 * k_word;   // where an exception jumps to (0: none)
constexpr std::int32_t k_return_value_offset = 13 * k_word;
constexpr std::int32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
constexpr std::int32_t k_n_state_offset = 3 * k_word;
constexpr std::int32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
constexpr std::uint32_t k_private_label = 1u << 30;        // labels of the prologue and the epilogue

const NativeAbi k_abi{rax, {rdi, rsi, rdx, rcx}, rax, rdi, rsi, rdi, {rbx, r12}};

class X64Target final : public NativeTarget {
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
    void load_cell_contents(NativeReg dst, NativeReg cell) override { m_asm.load(Reg(dst), Reg(cell), k_word); }
    void store_cell_contents(NativeReg cell, NativeReg src) override { m_asm.store(Reg(cell), k_word, Reg(src)); }
    void mov_reg_context(NativeReg dst) override {
        m_asm.load(Reg(dst), rsp, m_code_state);
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        m_asm.load(rax, rsp, m_code_state);
        m_asm.load(rax, rax, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), rax, k_word * std::int32_t(child));
    }
    void store_state(std::uint32_t slot, NativeReg src) override { m_asm.store(rsp, state_offset(slot), Reg(src)); }
    void load_state(NativeReg dst, std::uint32_t slot) override { m_asm.load(Reg(dst), rsp, state_offset(slot)); }
    void lea_state(NativeReg dst, std::uint32_t slot) override { m_asm.lea(Reg(dst), rsp, state_offset(slot)); }
    void call(RtFun fun) override {
        m_asm.load(rax, rbp, k_word * std::int32_t(fun));
        m_asm.call_reg(rax);
    }
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
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
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(rax, label);
        m_asm.store(rsp, k_handler_offset, rax);
    }
    void clear_handler() override {
        m_asm.zero(rax);
        m_asm.store(rsp, k_handler_offset, rax);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), rsp, k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(rsp, k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override {
        m_asm.zero(rax);
        m_asm.store(rsp, k_exc_value_offset, rax);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.test_r64(Reg(reg));
        m_asm.jump_if(Cond::zero, label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(rax, label);
        m_asm.store(rsp, m_code_state - k_word, rax);
    }
    void jump_to_unwind(std::uint32_t after) override {
        m_asm.load(rax, rsp, m_code_state - k_word);
        m_asm.test_r64(rax);
        m_asm.jump_if(Cond::zero, after);
        m_asm.jump_reg(rax);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(rdi, rsp, k_exc_value_offset);
        call(RtFun::raise);
    }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  private:
    std::int32_t state_offset(std::uint32_t slot) const {
        return m_code_state + (k_code_state_words + std::int32_t(slot)) * k_word;
    }
    void guard_globals();
    void dispatch_exceptions();

    Encoder m_asm;
    NativeFrame m_frame;
    std::int32_t m_code_state = 0; // offset of the code state from rsp
    std::int32_t m_frame_bytes = 0;
};

// The constant table hangs off the function object, which the code state's first word points to.
void X64Target::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    m_asm.load(r, rsp, m_code_state);
    m_asm.load(r, r, 1 * k_word);                           // ->context
    m_asm.load(r, r, 3 * k_word);                           // ->constants.obj_table
    m_asm.load(r, r, k_word * std::int32_t(index));
}

void X64Target::prologue(const NativeFrame& frame) {
    m_frame = frame;
    const std::int32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_code_state = nlr_words * k_word;
    std::int32_t words = nlr_words + k_code_state_words + std::int32_t(frame.n_state);
    words |= 1; // with the return address and 4 pushes, keeps rsp 16-byte aligned at calls
    m_frame_bytes = words * k_word;
    for (int i = 0; i < 8; ++i) // a word before the entry point: the number of nested functions
        m_asm.raw8(std::uint8_t(std::uint64_t(frame.n_children) >> (8 * i)));
    for (Reg r : {rbp, rbx, r12, r13})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    m_asm.load(rbp, rdi, 1 * k_word);   // fun->context
    m_asm.load(r13, rbp, 2 * k_word);   // ->constants.qstr_table
    m_asm.load(rbp, rbp, 3 * k_word);   // ->constants.obj_table
    m_asm.load(rbp, rbp, k_word * std::int32_t(frame.fun_table_const)); // the function table
    m_asm.store(rsp, m_code_state, rdi);
    m_asm.mov_reg_imm(rdi, frame.n_state);
    m_asm.store(rsp, m_code_state + k_n_state_offset, rdi);
    if (m_code_state == 0)
        m_asm.mov_reg_reg(rdi, rsp);
    else
        m_asm.lea(rdi, rsp, m_code_state);
    call(RtFun::setup_code_state);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: rbx holds the handler address
    }
    if (frame.guards_globals)
        guard_globals();
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void X64Target::guard_globals() {
    const std::uint32_t body = k_private_label;
    m_asm.load(rdi, rsp, m_code_state);
    m_asm.load(rdi, rdi, 1 * k_word); // ->context
    m_asm.load(rdi, rdi, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(rsp, m_code_state + k_old_globals_offset, rax);
    m_asm.test_r64(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.mov_reg_reg(rdi, rsp);
    call(RtFun::nlr_push);
    m_asm.test_r8(rax);
    m_asm.jump_if(Cond::zero, body);
    m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    m_asm.load(rdi, rsp, 1 * k_word); // nlr_buf.ret_val: the exception
    call(RtFun::raise);
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void X64Target::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    m_asm.load(rdi, rsp, m_code_state);
    m_asm.load(rdi, rdi, 1 * k_word); // ->context
    m_asm.load(rdi, rdi, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(rsp, m_code_state + k_old_globals_offset, rax);
    m_asm.zero(rax);
    m_asm.store(rsp, m_code_state - k_word, rax);
    m_asm.store(rsp, k_exc_value_offset, rax);
    m_asm.lea_label(rbx, body);
    m_asm.bind(push);
    m_asm.mov_reg_reg(rdi, rsp);
    call(RtFun::nlr_push);
    m_asm.test_r8(rax);
    m_asm.jump_if(Cond::nonzero, caught);
    clear_handler();
    m_asm.jump_reg(rbx);
    m_asm.bind(caught);
    m_asm.load(rbx, rsp, k_handler_offset);
    m_asm.test_r64(rbx);
    m_asm.jump_if(Cond::nonzero, push);
    m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

void X64Target::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(rsp, k_return_value_offset, rax);
}

mpy::Bytes X64Target::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.has_handlers) {
        m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(rax, rsp, k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(rdi, rsp, m_code_state + k_old_globals_offset);
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

std::unique_ptr<NativeTarget> make_x64_target() {
    return std::make_unique<X64Target>();
}

} // namespace mpyship::compiler
