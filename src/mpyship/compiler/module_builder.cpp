#include "mpyship/compiler/module_builder.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/jump_layout.h"
#include "mpyship/compiler/native_emitter.h"

#include <deque>

namespace mpyship::compiler {

std::uint32_t prelude_scope_flags_mask(Target target) {
    return target == Target::circuitpython ? (mpy::k_scope_sig_mask | k_scope_flag_async)
                                           : mpy::k_scope_sig_mask;
}

ModuleBuilder::ModuleBuilder(const Options& options) : m_options(options) {
    m_scopes.push_back(Scope{std::make_unique<Emitter>(m_options, &m_qstrs.pool()), {}, mpy::CodeKind::bytecode, {}, {}, {}, false, {}, {}});
}

ScopeId ModuleBuilder::new_scope(ScopeId parent) {
    const ScopeId id = m_scopes.size();
    m_scopes.push_back(Scope{std::make_unique<Emitter>(m_options, &m_qstrs.pool()), {}, mpy::CodeKind::bytecode, {}, {}, {}, false, {}, {}});
    m_scopes[parent].created.push_back(id);
    return id;
}

void ModuleBuilder::set_native(ScopeId scope, mpy::CodeKind kind, mpy::NativeCode code) {
    m_scopes[scope].kind = kind;
    m_scopes[scope].native = std::move(code);
    m_has_native = true;
}

void ModuleBuilder::set_native_py(ScopeId scope, std::string name, SourcePos def_pos, bool refs_globals) {
    m_scopes[scope].kind = mpy::CodeKind::native_py;
    m_scopes[scope].refs_globals = refs_globals;
    m_scopes[scope].name = std::move(name);
    m_scopes[scope].def_pos = def_pos;
    m_has_native = true;
}

void ModuleBuilder::set_viper(ScopeId scope, ViperInfo info) {
    m_scopes[scope].refs_globals = info.refs_globals;
    m_scopes[scope].viper = std::move(info);
}

// In the code pass the native emitter numbers what its code uses, then its prelude's names.
void ModuleBuilder::emit_native_py(ScopeId scope) {
    Scope& s = m_scopes[scope];
    if (s.viper) {
        s.native = emit_viper_function(NativeScope{*s.emitter, m_options.arch, s.name, s.def_pos, s.refs_globals,
                                                   &m_native_state, m_options.arch_flags},
                                       *s.viper, m_qstrs, m_constants);
        s.kind = mpy::CodeKind::native_viper;
        return;
    }
    s.native = emit_native_function(NativeScope{*s.emitter, m_options.arch, s.name, s.def_pos, s.refs_globals,
                                                &m_native_state, m_options.arch_flags, scope == k_module_scope},
                                    m_qstrs,
                                    m_constants);
}

// The reference appends a scope to its list when the parent's scope pass meets it, and runs that pass
// over the list in order: breadth first, children in creation order.
std::vector<ScopeId> ModuleBuilder::creation_list() const {
    std::vector<ScopeId> order;
    std::deque<ScopeId> queue{k_module_scope};
    while (!queue.empty()) {
        const ScopeId scope = queue.front();
        queue.pop_front();
        order.push_back(scope);
        const auto& created = m_scopes[scope].created;
        queue.insert(queue.end(), created.begin(), created.end());
    }
    return order;
}

// The scope pass registers the scope's name and every qstr/constant operand except identifiers.
void ModuleBuilder::register_scope_pass(ScopeId scope) {
    if (m_scopes[scope].kind == mpy::CodeKind::native_asm)
        return;
    Emitter& emitter = *m_scopes[scope].emitter;
    intern_signature(scope);
    m_qstrs.use_id(m_scopes[scope].signature_qstrs[0]);
    for (CodeItem& item : emitter.items()) {
        if (item.operand == OperandKind::qstr && item.qstr_phase == QstrPhase::scope_pass)
            item.value = m_qstrs.use_id(emitter.qstr_id(item));
        else if (item.operand == OperandKind::constant)
            item.value = m_constants.use(emitter.take_constant(item));
    }
}

// The following passes register the name, the argument names, then all qstr operands in code order.
void ModuleBuilder::register_identifiers(ScopeId scope) {
    if (m_scopes[scope].kind == mpy::CodeKind::native_py)
        emit_native_py(scope);
    if (m_scopes[scope].kind != mpy::CodeKind::bytecode)
        return;
    Emitter& emitter = *m_scopes[scope].emitter;
    for (const std::uint32_t id : m_scopes[scope].signature_qstrs) // the simple name, then the arguments
        m_qstrs.use_id(id);
    for (CodeItem& item : emitter.items()) // scope-pass qstrs already have their index (and are in the table)
        if (item.operand == OperandKind::qstr && item.qstr_phase == QstrPhase::identifier)
            item.value = m_qstrs.use_id(emitter.qstr_id(item));
}

// The pool ids of a scope's simple name and argument names, which the table passes and the prelude use.
void ModuleBuilder::intern_signature(ScopeId scope) {
    const ScopeSignature& sig = m_scopes[scope].emitter->signature();
    std::vector<std::uint32_t>& ids = m_scopes[scope].signature_qstrs;
    ids.reserve(1 + sig.arg_names.size());
    ids.push_back(m_qstrs.pool().intern(sig.simple_name));
    for (const std::string& name : sig.arg_names)
        ids.push_back(m_qstrs.pool().intern(name));
}

mpy::Prelude ModuleBuilder::build_prelude(ScopeId scope, mpy::Bytes line_info) {
    const Emitter& emitter = *m_scopes[scope].emitter;
    const std::vector<std::uint32_t>& sig_qstrs = m_scopes[scope].signature_qstrs;
    const ScopeSignature& sig = emitter.signature();
    mpy::Prelude p;
    // A scope always has at least one state slot: an exception passing through is kept there.
    p.n_state = std::max<std::uint32_t>(1, sig.n_locals + emitter.max_stack());
    p.n_exc_stack = emitter.max_except_level();
    const std::uint32_t flags = sig.scope_flags | (emitter.is_generator() ? mpy::k_scope_generator : 0);
    p.scope_flags = flags & prelude_scope_flags_mask(m_options.target);
    p.n_pos_args = sig.n_pos_args;
    p.n_kwonly_args = sig.n_kwonly_args;
    p.n_def_pos_args = sig.n_def_pos_args;
    p.simple_name = m_qstrs.use_id(sig_qstrs[0]);
    p.arg_names.reserve(sig.arg_names.size());
    for (std::size_t i = 1; i < sig_qstrs.size(); ++i)
        p.arg_names.push_back(m_qstrs.use_id(sig_qstrs[i]));
    p.line_info = std::move(line_info);
    p.cells.assign(sig.cells.begin(), sig.cells.end());
    return p;
}

mpy::RawCode ModuleBuilder::build_raw_code(ScopeId scope) {
    if (m_scopes[scope].kind != mpy::CodeKind::bytecode) {
        mpy::RawCode rc;
        rc.kind = m_scopes[scope].kind;
        rc.native = std::move(m_scopes[scope].native);
        // nested functions of native and viper code (each compiled with its own emitter)
        if (rc.kind == mpy::CodeKind::native_py || rc.kind == mpy::CodeKind::native_viper)
            for (ScopeId child : m_scopes[scope].emitter->children())
                rc.children.push_back(build_raw_code(child));
        return rc;
    }
    const Emitter& emitter = *m_scopes[scope].emitter;
    LaidOutCode code = lay_out_code(emitter.items(), emitter.label_count(), m_options.opt_level < 3);
    if (code.overflow)
        throw CompileError{"RuntimeError", "bytecode overflow", SourcePos{0, 0}, "", false};
    mpy::RawCode rc;
    rc.kind = mpy::CodeKind::bytecode;
    rc.prelude = build_prelude(scope, std::move(code.line_info));
    rc.bytecode = std::move(code.bytecode);
    for (ScopeId child : emitter.children())
        rc.children.push_back(build_raw_code(child));
    return rc;
}

mpy::Header ModuleBuilder::build_header() const {
    mpy::Header h;
    h.magic =
        m_options.target == Target::circuitpython ? mpy::k_magic_circuitpython : mpy::k_magic_micropython;
    h.version = mpy::k_version;
    h.sub_version = 0;
    if (m_has_native) { // the header names the architecture only when the file has native code
        h.sub_version = mpy::k_sub_version;
        h.arch = m_options.arch;
    }
    h.has_arch_flags = m_options.arch_flags != 0; // bytecode-only files too, as mpy-cross writes them
    h.arch_flags = m_options.arch_flags;
    h.small_int_bits = m_options.small_int_bits;
    return h;
}

mpy::Module ModuleBuilder::build() {
    m_qstrs.use(m_options.source_name);
    const std::vector<ScopeId> order = creation_list();
    for (ScopeId scope : order)
        register_scope_pass(scope);
    for (ScopeId scope : order)
        register_identifiers(scope);
    mpy::Module module;
    module.header = build_header();
    module.root = build_raw_code(k_module_scope);
    module.qstrs = m_qstrs.take_entries();
    module.constants = m_constants.take_entries();
    return module;
}

} // namespace mpyship::compiler
