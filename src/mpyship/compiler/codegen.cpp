// Code generator driver: runs the scope pass over every scope in creation order, numbers locals, then
// runs the code pass; also identifier resolution (name/global/fast/deref), global/nonlocal declarations,
// scope bodies (module, function, lambda, class) and the error helpers.
#include "mpyship/compiler/codegen.h"

#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/inline_asm.h"
#include "mpyship/compiler/native_emitter.h"
#include "mpyship/mpy/format.h"

namespace mpyship::compiler {

namespace {
enum IdOp { k_load = 0, k_store = 1, k_delete = 2 };

// The line of the node a scope was made from (its def, class, lambda or comprehension).
std::uint32_t scope_line(const ScopeInfo& scope) {
    switch (scope.kind) {
    case ScopeKind::module: { // the first token's line
        const auto& body = static_cast<const Module*>(scope.node)->body;
        return body.empty() ? 1 : first_token_pos(*body.front()).line;
    }
    case ScopeKind::function:
        return static_cast<const FunctionDef*>(scope.node)->pos.line;
    case ScopeKind::class_:
        return static_cast<const ClassDef*>(scope.node)->pos.line;
    case ScopeKind::lambda:
        return static_cast<const Lambda*>(scope.node)->pos.line;
    default:
        return static_cast<const Comprehension*>(scope.node)->scope_pos.line;
    }
}
} // namespace

CodeGen::CodeGen(ModuleBuilder& builder, const Options& options) : m_builder(builder), m_options(options) {}

void CodeGen::generate(const Module& module) {
    // -X emit=native where only @micropython.native would be refused too (CircuitPython's native code
    // differs from MicroPython's; an architecture without a native target of ours)
    if (m_options.emit_native &&
        (m_options.target == Target::circuitpython || !has_native_emitter(m_options.arch)))
        throw CompileError{"NotImplementedError",
                           "mpyship: native code generation (-X emit=native) for this target and architecture "
                           "is not implemented yet",
                           SourcePos{1, 1}, "<module>", true, true};
    auto root = std::make_unique<ScopeInfo>();
    root->kind = ScopeKind::module;
    root->simple_name = "<module>";
    root->node = &module;
    m_scopes.push_back(std::move(root));
    m_async.push_back(false);
    m_generator_seen.push_back(false);
    m_inline_asm.push_back(false);
    m_native.push_back(m_options.emit_native);
    m_viper.push_back(m_options.emit_viper);
    m_order.push_back(ModuleBuilder::k_module_scope);
    for (std::size_t i = 0; i < m_order.size(); ++i) {
        run_pass(m_order[i], Pass::scope);
        ScopeInfo& s = *m_scopes[m_order[i]];
        for (std::size_t k = 0; k < s.ids.size(); ++k)
            if (s.ids[k].kind == IdKind::global_implicit)
                check_to_close_over(s, s.ids[k]);
    }
    for (ScopeId id : m_order)
        number_locals(*m_scopes[id]);
    for (ScopeId id : m_order) {
        run_pass(id, Pass::code);
        finish_signature(id);
    }
}

ScopeId CodeGen::new_scope(ScopeKind kind, const void* node, std::string name) {
    const ScopeId id = m_builder.new_scope(m_scope_id);
    auto scope = std::make_unique<ScopeInfo>();
    scope->kind = kind;
    scope->parent = m_scope;
    scope->simple_name = std::move(name);
    scope->node = node;
    if (m_scopes.size() <= id)
        m_scopes.resize(id + 1);
    m_scopes[id] = std::move(scope);
    m_async.resize(m_scopes.size(), false);
    m_generator_seen.resize(m_scopes.size(), false);
    m_inline_asm.resize(m_scopes.size(), false);
    m_native.resize(m_scopes.size(), false);
    m_viper.resize(m_scopes.size(), false);
    m_native[id] = m_native[m_scope_id]; // scopes nested in native code are native (lambdas, comprehensions)
    m_viper[id] = m_viper[m_scope_id];   // and in viper code viper
    m_node_scope[node] = id;
    m_order.push_back(id);
    return id;
}

void CodeGen::run_pass(ScopeId id, Pass pass) {
    m_pass = pass;
    m_scope_id = id;
    m_scope = m_scopes[id].get();
    if (pass == Pass::scope) {
        if (m_scratch)
            *m_scratch = Emitter(m_options); // reused: one allocation per compile, not per scope
        else
            m_scratch = std::make_unique<Emitter>(m_options);
        m_scratch->discard_items();
        m_emit = m_scratch.get();
    } else {
        m_emit = &m_builder.emitter(id);
        if (id < m_item_counts.size())
            m_emit->reserve_items(m_item_counts[id]);
        if (m_native[id])
            m_emit->record_stack_adjusts();
    }
    m_loop = LoopState{};
    m_line = 0;
    m_block_line = scope_line(*m_scope);
    compile_scope_body_resolving(*m_scope);
    if (pass == Pass::code && m_native[id])
        m_builder.set_native_py(id, m_scope->simple_name, SourcePos{m_block_line, 1}, refs_globals(*m_scope));
    if (pass == Pass::code && id < m_viper.size() && m_viper[id])
        m_builder.set_viper(id, viper_info(*m_scope));
    if (pass == Pass::scope) {
        if (m_item_counts.size() <= id)
            m_item_counts.resize(id + 1, 0);
        m_item_counts[id] = m_scratch->item_count();
    }
}

// A scope with a name declared or used as global: native code switches to the module's globals. A class
// body uses its module's globals through its names anyway, but a `global` declaration in it makes the
// reference switch too (measured: `class C: global g` inside a native function).
bool CodeGen::refs_globals(const ScopeInfo& scope) {
    const bool is_class = scope.kind == ScopeKind::class_;
    for (const IdInfo& id : scope.ids)
        if (id.kind == IdKind::global_explicit ||
            (!is_class && (id.kind == IdKind::global_implicit || id.kind == IdKind::global_implicit_assigned)))
            return true;
    return false;
}

// A deferred leaf error still waiting at the end of the scope gets the scope's line; when another error
// cuts the compilation short, the line of the innermost enclosing node that marks one.
void CodeGen::compile_scope_body_resolving(ScopeInfo& scope) {
    m_deferred.reset();
    try {
        compile_scope_body(scope);
    } catch (const CompileError&) {
        resolve_deferred(m_deferred_fallback);
        throw;
    }
    resolve_deferred(scope_line(scope));
}

void CodeGen::compile_scope_body(ScopeInfo& scope) {
    switch (scope.kind) {
    case ScopeKind::module:
        compile_module_scope(*static_cast<const Module*>(scope.node));
        break;
    case ScopeKind::function:
        if (m_inline_asm[m_scope_id])
            assemble_function_scope(*static_cast<const FunctionDef*>(scope.node));
        else
            compile_function_scope(*static_cast<const FunctionDef*>(scope.node));
        break;
    case ScopeKind::lambda:
        compile_lambda_scope(*static_cast<const Lambda*>(scope.node));
        break;
    case ScopeKind::class_:
        compile_class_scope(*static_cast<const ClassDef*>(scope.node));
        break;
    default:
        compile_comprehension_scope(*static_cast<const Comprehension*>(scope.node));
        break;
    }
}

void CodeGen::compile_module_scope(const Module& module) {
    // The module's own block line is line 1 in the reference, which marks nothing, except in a source
    // with nothing before its end and one whose first token is past line 1 (see Module).
    if (module.bare_end_line > 1)
        set_line(SourcePos{module.bare_end_line, 1});
    else if (module.first_token_line > 1)
        set_line(SourcePos{module.first_token_line, 1});
    compile_statements(module.body);
    em().load_const_none();
    em().return_value();
}

void CodeGen::compile_function_scope(const FunctionDef& def) {
    if (scope_pass()) {
        check_viper_annotations(def);
        declare_params(def.params);
    }
    compile_block(def.body);
    em().load_const_none();
    em().return_value();
}

// An inline assembler function has no identifiers and no bytecode: the scope pass leaves it alone and
// the code pass assembles it (so its errors come after every scope-pass error, as in mpy-cross).
void CodeGen::assemble_function_scope(const FunctionDef& def) {
    if (scope_pass())
        return;
    auto code = inline_asm::assemble_function(def, m_options.arch, m_options.arch_flags, m_scope->simple_name);
    mpy::NativeCode native;
    native.code = std::move(code.code);
    native.asm_n_pos_args = code.n_pos_args;
    native.asm_type_sig = code.type_sig;
    m_builder.set_native(m_scope_id, mpy::CodeKind::native_asm, std::move(native));
}

void CodeGen::compile_lambda_scope(const Lambda& lambda) {
    set_line(lambda.pos);
    if (scope_pass())
        declare_params(lambda.params);
    compile_expr(*lambda.body);
    if (m_generator_seen[m_scope_id]) {
        em().pop_top();
        em().load_const_none();
    }
    em().return_value();
}

void CodeGen::compile_class_scope(const ClassDef& cls) {
    if (scope_pass())
        m_scope->find_or_add("__class__", IdKind::local);
    load_id("__name__");
    store_id("__module__");
    em().load_const_string(cls.name);
    store_id("__qualname__");
    compile_block(cls.body);
    const IdInfo* id = m_scope->find("__class__");
    if (id == nullptr || id->kind == IdKind::local)
        em().load_const_none();
    else
        em().load_fast(id->local_num);
    em().return_value();
}

void CodeGen::finish_signature(ScopeId id) {
    const ScopeInfo& s = *m_scopes[id];
    ScopeSignature sig;
    sig.simple_name = s.simple_name;
    sig.n_pos_args = s.n_pos_args;
    sig.n_kwonly_args = s.n_kwonly_args;
    sig.n_def_pos_args = s.n_def_pos_args;
    sig.scope_flags = s.scope_flags;
    if (m_async[id]) {
        sig.scope_flags |= mpy::k_scope_generator;
        if (m_options.target == Target::circuitpython)
            sig.scope_flags |= k_scope_flag_async;
    }
    sig.n_locals = s.n_locals;
    sig.arg_names.reserve(s.n_pos_args + s.n_kwonly_args);
    for (std::uint32_t i = 0; i < s.n_pos_args + s.n_kwonly_args; ++i) {
        const std::string* name = nullptr;
        for (const IdInfo& info : s.ids)
            if ((info.flags & k_id_param) && info.local_num == i) {
                name = &info.name;
                break;
            }
        sig.arg_names.push_back(name ? *name : std::string("*"));
    }
    for (const IdInfo& info : s.ids)
        if (info.kind == IdKind::cell)
            sig.cells.push_back(std::uint8_t(info.local_num));
    m_builder.emitter(id).set_signature(std::move(sig));
}

// --- errors and lines --------------------------------------------------------------------------------

void CodeGen::error(const std::string& message, SourcePos pos, bool needs_native_arch) const {
    if (m_deferred) // the reference ignores this one and compiles on: the best guess of where it stops
        m_deferred_fallback = m_block_line;
    SourcePos where = pos;
    if (where.line == 0)
        where.line = m_line;
    throw CompileError{"SyntaxError", message, where, m_scope->simple_name, true, needs_native_arch};
}

void CodeGen::error_here(const std::string& message) const {
    error(message, SourcePos{m_line, 0});
}

// mpy-cross takes an error's line from the parse-tree node it was found at. A leaf (a name, a small int, an
// interned string, None/True/False/...) has no line: the reference records the error without one and
// compiles on, and the first node that marks a line and completes afterwards gives it its line -- a
// statement of a block of two or more statements, an item of a list display of two or more items (the
// next one to complete, even after the error's own statement; see deferred_after_child), else the scope's
// own line. Only the first error counts.
void CodeGen::defer_error(const std::string& message, SourcePos own, bool needs_native_arch) {
    if (m_deferred)
        return;
    m_deferred = CompileError{"SyntaxError", message, own, m_scope->simple_name, true, needs_native_arch};
    m_deferred_fallback = m_block_line;
}

// An error at `e`: raised now when `e` marks a line, deferred when it is a leaf; ignored after a deferred
// one (only the first error counts, and the reference compiles on).
void CodeGen::error_at(const std::string& message, const Expr& e) {
    raise_or_defer(message, e.pos, is_leaf(e));
}

void CodeGen::raise_or_defer(const std::string& message, SourcePos pos, bool at_leaf) {
    if (m_deferred)
        return;
    if (!at_leaf)
        error(message, pos);
    defer_error(message, pos);
}

// After each child of a node the reference compiles child by child (a block, a list display, **): with an
// error deferred, the child gives it its line when it has one, and the rest of the node is skipped (true).
bool CodeGen::deferred_after_child(bool child_has_line, std::uint32_t line) {
    if (!m_deferred)
        return false;
    if (child_has_line)
        resolve_deferred(line);
    return true;
}

void CodeGen::resolve_deferred(std::uint32_t line) {
    if (!m_deferred)
        return;
    CompileError e = std::move(*m_deferred);
    m_deferred.reset();
    if (e.pos.line != line)
        e.pos = SourcePos{line, 1};
    throw e;
}

void CodeGen::set_line(SourcePos pos) {
    if (pos.line == 0)
        return;
    m_line = pos.line;
    em().set_source_line(pos.line);
}

// --- identifiers ---------------------------------------------------------------------------------------

// In the scope pass names are only declared (their opcodes are chosen later), but the stack effect is
// kept so that the scope pass's own emitter stays balanced.
void CodeGen::load_id(const std::string& name) {
    if (scope_pass()) {
        declare_load(*m_scope, name);
        em().adjust_stack(1);
    } else {
        emit_id_op(name, k_load);
    }
}

void CodeGen::store_id(const std::string& name) {
    if (scope_pass()) {
        declare_modification(*m_scope, name);
        em().adjust_stack(-1);
    } else {
        emit_id_op(name, k_store);
    }
}

void CodeGen::delete_id(const std::string& name) {
    if (scope_pass())
        declare_modification(*m_scope, name);
    else
        emit_id_op(name, k_delete);
}

void CodeGen::emit_id_op(const std::string& name, int op) {
    IdInfo* id = m_scope->find(name);
    const IdKind kind = id == nullptr ? IdKind::global_implicit : id->kind;
    switch (kind) {
    case IdKind::global_explicit: {
        const QstrId qstr = name_qstr(id, name);
        op == k_load ? em().load_global(qstr) : op == k_store ? em().store_global(qstr) : em().delete_global(qstr);
        return;
    }
    case IdKind::local:
        op == k_load    ? em().load_fast(id->local_num)
        : op == k_store ? em().store_fast(id->local_num)
                        : em().delete_fast(id->local_num);
        return;
    case IdKind::cell:
    case IdKind::free:
        op == k_load    ? em().load_deref(id->local_num)
        : op == k_store ? em().store_deref(id->local_num)
                        : em().delete_deref(id->local_num);
        return;
    default: {
        const QstrId qstr = name_qstr(id, name);
        op == k_load ? em().load_name(qstr) : op == k_store ? em().store_name(qstr) : em().delete_name(qstr);
        return;
    }
    }
}

// The pooled qstr of an identifier: interned on its first use in the code pass, then read from its IdInfo.
QstrId CodeGen::name_qstr(IdInfo* id, const std::string& name) {
    if (id == nullptr)
        return em().intern(name);
    if (id->qstr == QstrPool::k_none)
        id->qstr = em().intern(name).value;
    return QstrId{id->qstr};
}

void CodeGen::declare_global_or_nonlocal(const NameListStmt& stmt) {
    if (!scope_pass())
        return;
    const bool is_global = stmt.kind == StmtKind::global;
    if (!is_global && m_scope->kind == ScopeKind::module) {
        raise_or_defer("can't declare nonlocal in outer code", stmt.pos, false);
        return; // ignored after a deferred error: the reference compiles on after the statement
    }
    for (const std::string& name : stmt.names) {
        IdInfo& id = m_scope->find_or_add(name, IdKind::undecided);
        if (is_global)
            declare_global(id, stmt.pos);
        else
            declare_nonlocal(id, stmt.pos);
    }
}

void CodeGen::declare_global(IdInfo& id, SourcePos pos, bool at_leaf) {
    if (id.kind != IdKind::undecided && id.kind != IdKind::global_explicit)
        raise_or_defer("identifier redefined as global", pos, at_leaf);
    id.kind = IdKind::global_explicit;
    ScopeInfo* root = m_scope;
    while (root->parent != nullptr)
        root = root->parent;
    if (IdInfo* global = root->find(id.name))
        global->kind = IdKind::global_explicit;
}

void CodeGen::declare_nonlocal(IdInfo& id, SourcePos pos, bool at_leaf) {
    if (id.kind == IdKind::undecided) {
        id.kind = IdKind::global_implicit;
        check_to_close_over(*m_scope, id);
        if (id.kind == IdKind::global_implicit)
            raise_or_defer("no binding for nonlocal found", pos, at_leaf);
    } else if (id.kind != IdKind::free) {
        raise_or_defer("identifier redefined as nonlocal", pos, at_leaf);
    }
}

} // namespace mpyship::compiler
