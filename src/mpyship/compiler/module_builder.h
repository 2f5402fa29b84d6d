// Assembles a whole module from the emitters of its scopes: fills the qstr and constant tables in the
// reference's order, lays out each scope's code, builds preludes, and nests raw codes under their parents.
//
// Contract for the code generator:
//  * Create scopes with new_scope(parent) exactly where the reference creates them: when the def, lambda,
//    class or comprehension is first met while generating the parent (for a def: before its default
//    arguments and decorators' call are generated, since defaults may hold lambdas of their own).
//    The reference's scope list is breadth-first by creation order and decides the qstr table order.
//  * Generate each scope's code once, in program order, through its Emitter (any order between scopes).
//    Call set_source_line(line) before each statement (and wherever the reference marks a line); only
//    increases produce table entries. Call set_signature() once the scope's names are known.
//  * Name qstrs as text; the builder numbers them. Identifier ops (load/store/delete name/global) are
//    numbered after everything else of the scope pass; see QstrPhase.
//  * build() throws CompileError("RuntimeError", "bytecode overflow") when a jump does not fit 15 bits.
#pragma once

#include "mpyship/compiler/emitter.h"
#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/native_viper.h"
#include "mpyship/compiler/module_tables.h"
#include "mpyship/compiler/options.h"
#include "mpyship/compiler/token.h"
#include "mpyship/mpy/model.h"

#include <memory>
#include <optional>
#include <vector>

namespace mpyship::compiler {

class ModuleBuilder {
  public:
    explicit ModuleBuilder(const Options& options);

    static constexpr ScopeId k_module_scope = 0;
    ScopeId new_scope(ScopeId parent);
    Emitter& emitter(ScopeId scope) { return *m_scopes[scope].emitter; }
    // The scope is native code (an inline assembler function): no prelude, no qstrs of its own.
    void set_native(ScopeId scope, mpy::CodeKind kind, mpy::NativeCode code);
    // The scope is @micropython.native: its items are translated to machine code when the module is
    // built, after the scope pass (the code's qstrs and constants are numbered in the code pass order).
    void set_native_py(ScopeId scope, std::string name, SourcePos def_pos, bool refs_globals);
    // After set_native_py: the scope is @micropython.viper (typed by the viper emitter, no prelude).
    void set_viper(ScopeId scope, ViperInfo info);

    mpy::Module build();

  private:
    struct Scope {
        std::unique_ptr<Emitter> emitter;
        std::vector<ScopeId> created; // scopes created while generating this one, in creation order
        mpy::CodeKind kind = mpy::CodeKind::bytecode;
        mpy::NativeCode native;
        std::string name; // native_py: for errors
        SourcePos def_pos;
        bool refs_globals = false;
        std::optional<ViperInfo> viper;
        std::vector<std::uint32_t> signature_qstrs; // bytecode: see intern_signature
    };

    std::vector<ScopeId> creation_list() const;
    void register_scope_pass(ScopeId scope);
    void register_identifiers(ScopeId scope);
    void emit_native_py(ScopeId scope);
    mpy::RawCode build_raw_code(ScopeId scope);
    void intern_signature(ScopeId scope);
    mpy::Prelude build_prelude(ScopeId scope, mpy::Bytes line_info);
    mpy::Header build_header() const;

    Options m_options;
    std::vector<Scope> m_scopes;
    bool m_has_native = false;
    QstrTable m_qstrs;
    ConstantTable m_constants;
    NativeModuleState m_native_state; // carried from one native function to the next, in scope order
};

// Scope flags that the target's prelude can carry (CircuitPython also keeps its async flag, 0x10).
std::uint32_t prelude_scope_flags_mask(Target target);
inline constexpr std::uint32_t k_scope_flag_async = 0x10; // CircuitPython only: set on async def

} // namespace mpyship::compiler
