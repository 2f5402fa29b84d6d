#include "mpyship/compiler/native_viper_x86.h"

#include "mpyship/compiler/native_viper_x64_ops.h"
#include "mpyship/compiler/native_x86_target.h"

namespace mpyship::compiler {

namespace {

using namespace x86;

constexpr std::int32_t k_viper_code_state_words = 2; // the function object, the caller's globals

// How many arguments each viper-only entry takes (pushed like the native ones).
int n_viper_args(ViperFun fun) {
    return fun == ViperFun::arg_check_num_sig ? 3 : 2;
}

class ViperX86Target final : public X86Target, public x64::X64FamilyViper {
  public:
    ViperX86Target() : X64FamilyViper(m_asm, false) {}
    NativeTarget& native() override { return *this; }
    void prologue(const NativeFrame&) override { __builtin_trap(); } // viper code has its own

    void viper_prologue(const ViperFrame& frame) override;
    void call_viper(ViperFun fun) override { call_entry(std::int32_t(fun), n_viper_args(fun)); }

  private:
    void check_args(std::uint32_t n_args);
    void load_args(const ViperFrame& frame);
};

// The nlr buffer and a two-word code state (the function object, the caller's globals) when globals are
// switched, else one word for the function object when it is needed, then the state slots; with the
// return address and the four saved registers, a multiple of 16 bytes.
void ViperX86Target::viper_prologue(const ViperFrame& frame) {
    m_frame = NativeFrame{};
    m_frame.guards_globals = frame.guards_globals;
    m_frame.has_handlers = frame.has_handlers;
    const bool nlr = frame.guards_globals || frame.has_handlers;
    m_code_state = frame.has_handlers ? k_handler_nlr_words * k_word : nlr ? k_nlr_words * k_word : 0;
    m_state = nlr ? m_code_state + k_viper_code_state_words * k_word : frame.needs_fun ? k_word : 0;
    const std::int32_t words = m_state / k_word + std::int32_t(frame.state_words);
    m_frame_bytes = ((words + k_saved_words + 3) / 4 * 4 - k_saved_words) * k_word;
    for (Reg r : {ebp, ebx, esi, edi})
        m_asm.push(r);
    m_asm.sub_rsp(m_frame_bytes);
    const std::int32_t args = m_frame_bytes + k_saved_words * k_word; // the caller's fun, n_args, n_kw, args
    m_asm.load(eax, esp, args);
    m_asm.load(k_fun_table, eax, 1 * k_word);          // fun->context
    m_asm.load(k_qstr_table, k_fun_table, 2 * k_word); // ->constants.qstr_table
    m_asm.load(k_fun_table, k_fun_table, 3 * k_word);  // ->constants.obj_table
    m_asm.load(k_fun_table, k_fun_table, k_word * std::int32_t(frame.fun_table_const));
    if (nlr || frame.needs_fun)
        m_asm.store(esp, m_code_state, eax);
    m_asm.load(eax, esp, args + 1 * k_word); // n_args
    m_asm.load(ecx, esp, args + 2 * k_word); // n_kw
    m_asm.load(esi, esp, args + 3 * k_word); // args
    check_args(std::uint32_t(frame.arg_types.size()));
    load_args(frame);
    if (frame.has_handlers)
        dispatch_exceptions();
    else if (frame.guards_globals)
        guard_globals(k_private_label);
}

// No keywords and exactly the positional arguments, else the runtime raises the TypeError.
void ViperX86Target::check_args(std::uint32_t n_args) {
    const std::uint32_t fail = k_private_label + 4, ok = k_private_label + 5;
    m_asm.test_r8(ecx);
    m_asm.jump_if(Cond::nonzero, fail);
    m_asm.mov_reg_imm(edx, n_args);
    m_ops.cmp(edx, eax);
    m_asm.jump_if(Cond::zero, ok);
    m_asm.bind(fail);
    m_asm.mov_reg_imm(edx, (n_args << 17) | (n_args << 1));
    call_viper(ViperFun::arg_check_num_sig);
    m_asm.bind(ok);
}

// Each argument is converted to its annotated type; the second one waits in its slot while esi still
// points at the arguments (with three or more of them).
void ViperX86Target::load_args(const ViperFrame& frame) {
    const auto n_args = std::uint32_t(frame.arg_types.size());
    for (std::uint32_t i = 0; i < n_args; ++i) {
        m_asm.load(eax, esi, k_word * std::int32_t(i));
        if (frame.arg_types[i] != VType::object) {
            m_asm.mov_reg_imm(ecx, std::uint64_t(frame.arg_types[i]));
            call_viper(ViperFun::convert_obj_to_native);
        }
        if (frame.has_handlers) // every local lives in its slot
            store_state(frame.n_state - 1 - i, eax);
        else if (i == 0)
            m_asm.mov_reg_reg(ebx, eax);
        else if (i == 1 && n_args <= 2)
            m_asm.mov_reg_reg(esi, eax);
        else
            store_state(frame.n_state - 1 - i, eax);
    }
    if (n_args >= 3 && !frame.has_handlers)
        load_state(esi, frame.n_state - 2);
}

} // namespace

std::unique_ptr<ViperTarget> make_viper_x86_target() {
    return std::make_unique<ViperX86Target>();
}

} // namespace mpyship::compiler
