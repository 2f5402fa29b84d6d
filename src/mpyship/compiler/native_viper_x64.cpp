#include "mpyship/compiler/native_viper_x64.h"

#include "mpyship/compiler/native_viper_x64_ops.h"
#include "mpyship/compiler/native_x64_target.h"

namespace mpyship::compiler {

namespace {

using namespace x64;

constexpr std::int32_t k_viper_code_state_words = 2; // the function object, the caller's globals

class ViperX64Target final : public X64Target, public x64::X64FamilyViper {
  public:
    ViperX64Target() : X64FamilyViper(m_asm, true) {}
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override {
        m_asm.load(rax, rbp, k_word * std::int32_t(fun));
        m_asm.call_reg(rax);
    }

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);
};

// The nlr buffer and a two-word code state (the function object, the caller's globals) when globals are
// switched, else one word for the function object when it is needed, then the state slots; odd in words
// to keep calls aligned.
void ViperX64Target::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_frame.has_handlers = frame.has_handlers;
    const bool nlr = frame.guards_globals || frame.has_handlers;
    m_code_state = frame.has_handlers ? k_handler_nlr_words * k_word : nlr ? k_nlr_words * k_word : 0;
    m_state = nlr ? m_code_state + k_viper_code_state_words * k_word : frame.needs_fun ? k_word : 0;
    m_frame_bytes = ((m_state / k_word + std::int32_t(frame.state_words)) | 1) * k_word;
    for (Reg r : {rbp, rbx, r12, r13})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    m_asm.load(rbp, rdi, 1 * k_word); // fun->context
    m_asm.load(r13, rbp, 2 * k_word); // ->constants.qstr_table
    m_asm.load(rbp, rbp, 3 * k_word); // ->constants.obj_table
    m_asm.load(rbp, rbp, k_word * std::int32_t(frame.fun_table_const));
    if (nlr || frame.needs_fun)
        m_asm.store(rsp, m_code_state, rdi);
    m_asm.mov_reg_reg(rdi, rsi); // n_args
    m_asm.mov_reg_reg(rsi, rdx); // n_kw
    m_asm.mov_reg_reg(r12, rcx); // args
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.has_handlers)
        dispatch_exceptions();
    else if (frame.guards_globals)
        guard_globals(k_private_label);
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError. (The
// reference tests the keyword count's byte without a REX prefix, which encodes dh: kept for identity.)
void ViperX64Target::check_args(std::uint32_t n_args) {
    const std::uint32_t fail = k_private_label + 4, ok = k_private_label + 5;
    m_asm.test_r8(rsi);
    m_asm.jump_if(Cond::nonzero, fail);
    m_asm.mov_reg_imm(rdx, n_args);
    m_ops.cmp(rdx, rdi);
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
        if (frame.has_handlers) // every local lives in its slot
            store_state(frame.n_state - 1 - i, src);
        else if (i == 0)
            m_asm.mov_reg_reg(rbx, src);
        else if (i == 1 && n_args <= 2)
            m_asm.mov_reg_reg(r12, src);
        else
            store_state(frame.n_state - 1 - i, src);
    }
    if (n_args >= 3 && !frame.has_handlers)
        load_state(r12, frame.n_state - 2);
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_x64_target() {
    return std::make_unique<ViperX64Target>();
}

} // namespace mpyship::compiler
