#include "mpyship/compiler/native_thumb.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/thumb_encoder.h"

namespace mpyship::compiler {

namespace {

using namespace thumb;

constexpr std::uint32_t k_word = 4;
constexpr std::uint32_t k_nlr_words = 20;         // nlr buffer and the kept return value
constexpr std::uint32_t k_handler_nlr_words = 21; // with exception handlers, one more word (zeroed)
constexpr std::uint32_t k_exc_value_offset = 1 * 4;      // nlr_buf.ret_val: the exception
constexpr std::uint32_t k_handler_offset = 3 * 4;        // where an exception jumps to (0: none)
constexpr std::uint32_t k_return_value_offset = 19 * 4;
constexpr std::uint32_t k_code_state_words = 5; // fun_bc, ip, sp, n_state, exc_sp_idx: then state[]
constexpr std::uint32_t k_n_state_offset = 3 * k_word;
constexpr std::uint32_t k_old_globals_offset = 1 * k_word; // code_state->ip holds the caller's globals
constexpr std::uint32_t k_pushed_frame_words = 3;          // r1-r3, pushed with the callee-saved ones
constexpr std::uint32_t k_push_r1_r7_lr = 0xb5fe;
constexpr std::uint32_t k_pop_r1_r7_pc = 0xbdfe;
constexpr std::uint32_t k_max_sp_offset = 1020;      // of ldr/str rt, [sp, #imm8 * 4]
constexpr std::uint32_t k_private_label = 1u << 30; // labels of the prologue and the epilogue

constexpr Reg k_fun_table = r7;
constexpr Reg k_qstr_table = r6;
constexpr Reg k_call_temp = r3;     // holds the called function's address
constexpr Reg k_prologue_temp = r4; // the same in the prologue

const NativeAbi k_abi{r0, {r0, r1, r2, r3}, r0, r1, r2, r1, {r4, r5}};

class ThumbTarget final : public NativeTarget {
  public:
    explicit ThumbTarget(bool thumb2) : m_asm(thumb2) {}
    const NativeAbi& abi() const override { return k_abi; }
    void set_suppressed(bool on) override { m_asm.set_suppressed(on); }
    void mov_reg_reg(NativeReg dst, NativeReg src) override { m_asm.mov_reg_reg(Reg(dst), Reg(src)); }
    void mov_reg_imm(NativeReg dst, std::uint64_t imm) override { m_asm.mov_reg_imm(Reg(dst), std::uint32_t(imm)); }
    void zero_reg(NativeReg dst) override { m_asm.mov_reg_imm(Reg(dst), 0); }
    void mov_reg_fun_entry(NativeReg dst, RtFun entry) override {
        m_asm.load(Reg(dst), k_fun_table, k_word * std::uint32_t(entry));
    }
    void mov_reg_const_obj(NativeReg dst, std::uint32_t index) override;
    void mov_reg_qstr(NativeReg dst, std::uint32_t qstr) override {
        m_asm.load_u16(Reg(dst), k_qstr_table, 2 * qstr);
    }
    void load_cell_contents(NativeReg dst, NativeReg cell) override { m_asm.load(Reg(dst), Reg(cell), k_word); }
    void store_cell_contents(NativeReg cell, NativeReg src) override { m_asm.store(Reg(cell), k_word, Reg(src)); }
    void mov_reg_context(NativeReg dst) override {
        m_asm.load(Reg(dst), sp, m_code_state);
        m_asm.load(Reg(dst), Reg(dst), 1 * k_word); // fun->context
    }
    void mov_reg_child(NativeReg dst, std::uint32_t child) override {
        m_asm.load(r0, sp, m_code_state);
        m_asm.load(r0, r0, 2 * k_word); // fun->child_table
        m_asm.load(Reg(dst), r0, k_word * child);
    }
    void store_state(std::uint32_t slot, NativeReg src) override { m_asm.store(sp, state_offset(slot), Reg(src)); }
    void load_state(NativeReg dst, std::uint32_t slot) override { m_asm.load(Reg(dst), sp, state_offset(slot)); }
    void lea_state(NativeReg dst, std::uint32_t slot) override { m_asm.lea_sp(Reg(dst), state_offset(slot)); }
    void call(RtFun fun) override { call_via(fun, k_call_temp); }
    void prologue(const NativeFrame& frame) override;
    void store_return_value() override;
    void jump(std::uint32_t label) override { m_asm.jump(label); }
    void jump_if_bool(bool value, std::uint32_t label) override {
        m_asm.cmp_zero(r0);
        m_asm.jump_if(value ? Cond::ne : Cond::eq, label);
    }
    void jump_if_ret_null(std::uint32_t label) override {
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, label);
    }
    void bind(std::uint32_t label) override { m_asm.bind(label); }
    bool supports_handlers() const override { return true; }
    void set_handler(std::uint32_t label) override {
        m_asm.lea_label(r0, label);
        m_asm.store(sp, k_handler_offset, r0);
    }
    void clear_handler() override {
        m_asm.mov_reg_imm(r0, 0);
        m_asm.store(sp, k_handler_offset, r0);
    }
    void load_exc_value(NativeReg dst) override { m_asm.load(Reg(dst), sp, k_exc_value_offset); }
    void store_exc_value(NativeReg src) override { m_asm.store(sp, k_exc_value_offset, Reg(src)); }
    void clear_exc_value() override {
        m_asm.mov_reg_imm(r0, 0);
        m_asm.store(sp, k_exc_value_offset, r0);
    }
    void jump_if_zero(NativeReg reg, std::uint32_t label) override {
        m_asm.cmp_zero(Reg(reg));
        m_asm.jump_if(Cond::eq, label);
    }
    void set_unwind(std::uint32_t label) override {
        m_asm.lea_label(r0, label);
        m_asm.store(sp, m_code_state - k_word, r0);
    }
    void jump_to_unwind(std::uint32_t after) override {
        m_asm.load(r0, sp, m_code_state - k_word);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, after);
        m_asm.bx(r0);
        m_asm.bind(after);
    }
    void load_type_of(NativeReg dst, NativeReg obj) override { m_asm.load(Reg(dst), Reg(obj), 0); }
    void raise_exc_value() override {
        m_asm.load(r0, sp, k_exc_value_offset);
        call(RtFun::raise);
    }
    mpy::Bytes epilogue_and_finish(std::uint32_t exit_label) override;

  private:
    std::uint32_t state_offset(std::uint32_t slot) const {
        return m_code_state + (k_code_state_words + slot) * k_word;
    }
    void call_via(RtFun fun, Reg temp) {
        m_asm.load(temp, k_fun_table, k_word * std::uint32_t(fun));
        m_asm.blx(temp);
    }
    void guard_globals();
    void dispatch_exceptions();

    Encoder m_asm;
    NativeFrame m_frame;
    std::uint32_t m_code_state = 0; // offset of the code state from sp
    std::uint32_t m_frame_bytes = 0;
};

// The constant table hangs off the function object, which the code state's first word points to.
void ThumbTarget::mov_reg_const_obj(NativeReg dst, std::uint32_t index) {
    const Reg r = Reg(dst);
    m_asm.load(r, sp, m_code_state);
    m_asm.load(r, r, 1 * k_word); // ->context
    m_asm.load(r, r, 3 * k_word); // ->constants.obj_table
    m_asm.load(r, r, k_word * index);
}

void ThumbTarget::prologue(const NativeFrame& frame) {
    m_frame = frame;
    const std::uint32_t nlr_words = frame.has_handlers ? k_handler_nlr_words : frame.guards_globals ? k_nlr_words : 0;
    m_code_state = nlr_words * k_word;
    // Every slot is reached with the 16-bit sp-relative forms; mpy-cross refuses (without a line) a
    // frame whose last slot is beyond them.
    if (state_offset(frame.n_state - 1) > k_max_sp_offset)
        throw CompileError{"NotImplementedError", "too many locals for native method", SourcePos{0, 0}, "", false,
                           true};
    const std::uint32_t words = nlr_words + k_code_state_words + frame.n_state;
    // The pushed r1-r3 are the frame's top words; sp stays 8-byte aligned.
    m_frame_bytes = ((words - k_pushed_frame_words + 1) & ~1u) * k_word;
    m_asm.word(frame.n_children); // a word before the entry point: the number of nested functions
    m_asm.op16(k_push_r1_r7_lr);
    m_asm.adjust_sp(true, m_frame_bytes);
    m_asm.load(k_fun_table, r0, 1 * k_word);       // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * frame.fun_table_const); // the function table
    m_asm.store(sp, m_code_state, r0);
    m_asm.mov_reg_imm(r0, frame.n_state);
    m_asm.store(sp, m_code_state + k_n_state_offset, r0);
    m_asm.lea_sp(r0, m_code_state);
    call_via(RtFun::setup_code_state, k_prologue_temp);
    if (frame.has_handlers) {
        dispatch_exceptions();
        return; // the locals stay in memory: r4 holds the handler address
    }
    if (frame.guards_globals)
        guard_globals();
    for (std::uint32_t k = 0; k < 2 && k < frame.n_locals; ++k)
        load_state(k_abi.local_regs[k], frame.n_state - 1 - k);
}

// Switches to the module's globals; when they were different, an nlr frame restores the caller's on an
// exception and re-raises it.
void ThumbTarget::guard_globals() {
    const std::uint32_t body = k_private_label;
    m_asm.load(r0, sp, m_code_state);
    m_asm.load(r0, r0, 1 * k_word); // ->context
    m_asm.load(r0, r0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, r0);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::eq, body);
    m_asm.lea_sp(r0, 0);
    call(RtFun::nlr_push);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::eq, body);
    m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    m_asm.load(r0, sp, 1 * k_word); // nlr_buf.ret_val: the exception
    call(RtFun::raise);
    m_asm.bind(body);
}

// With handlers, the globals are always switched and an nlr frame is always pushed. An exception comes
// back from nlr_push with the handler slot's address: the frame is pushed again and the code jumps
// there; with none, the caller's globals are restored and the exception raised on.
void ThumbTarget::dispatch_exceptions() {
    const std::uint32_t body = k_private_label, push = k_private_label + 2, caught = k_private_label + 3;
    m_asm.load(r0, sp, m_code_state);
    m_asm.load(r0, r0, 1 * k_word); // ->context
    m_asm.load(r0, r0, 1 * k_word); // ->module.globals
    call(RtFun::swap_globals);
    m_asm.store(sp, m_code_state + k_old_globals_offset, r0);
    m_asm.mov_reg_imm(r0, 0);
    m_asm.store(sp, m_code_state - k_word, r0);
    m_asm.store(sp, k_exc_value_offset, r0);
    m_asm.lea_label(r4, body);
    m_asm.bind(push);
    m_asm.lea_sp(r0, 0);
    call(RtFun::nlr_push);
    m_asm.cmp_zero(r0);
    m_asm.jump_if(Cond::ne, caught);
    clear_handler();
    m_asm.bx(r4);
    m_asm.bind(caught);
    m_asm.load(r4, sp, k_handler_offset);
    m_asm.cmp_zero(r4);
    m_asm.jump_if(Cond::ne, push);
    m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
    call(RtFun::swap_globals);
    raise_exc_value();
    m_asm.bind(body);
}

void ThumbTarget::store_return_value() {
    if (m_frame.has_handlers || m_frame.guards_globals)
        m_asm.store(sp, k_return_value_offset, r0);
}

mpy::Bytes ThumbTarget::epilogue_and_finish(std::uint32_t exit_label) {
    m_asm.set_suppressed(false);
    m_asm.bind(exit_label);
    if (m_frame.has_handlers) {
        m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.load(r0, sp, k_return_value_offset);
    } else if (m_frame.guards_globals) {
        const std::uint32_t done = k_private_label + 1;
        m_asm.load(r0, sp, m_code_state + k_old_globals_offset);
        m_asm.cmp_zero(r0);
        m_asm.jump_if(Cond::eq, done);
        call(RtFun::swap_globals);
        call(RtFun::nlr_pop);
        m_asm.bind(done);
        m_asm.load(r0, sp, k_return_value_offset);
    }
    m_asm.adjust_sp(false, m_frame_bytes);
    m_asm.op16(k_pop_r1_r7_pc);
    return m_asm.finish();
}

} // namespace

bool is_thumb_native_arch(mpy::NativeArch arch) {
    using mpy::NativeArch;
    return arch == NativeArch::armv6m || arch == NativeArch::armv7m || arch == NativeArch::armv7em ||
           arch == NativeArch::armv7emsp || arch == NativeArch::armv7emdp;
}

std::unique_ptr<NativeTarget> make_thumb_target(bool thumb2) {
    return std::make_unique<ThumbTarget>(thumb2);
}

} // namespace mpyship::compiler
