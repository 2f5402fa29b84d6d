// What the viper emitter needs from the parse tree and the scope (native_viper.h): the annotations of
// the arguments and the return value, the locals' names, and whether the function uses globals.
#include "mpyship/compiler/codegen.h"
#include "mpyship/compiler/viper_types.h"

#include <array>
#include <optional>
#include <string_view>

namespace mpyship::compiler {

namespace {

// Casts mpy-cross compiles without loading a global (bool is loaded as a cast too, but it still makes
// the function switch to its module's globals).
bool is_global_free_cast(std::string_view name) {
    static constexpr std::array<std::string_view, 6> k_names{"int", "uint", "ptr", "ptr8", "ptr16", "ptr32"};
    for (std::string_view n : k_names)
        if (n == name)
            return true;
    return false;
}

} // namespace

// A lambda, comprehension or class body nested in viper code is viper code too, without annotations.
ViperInfo CodeGen::viper_info(const ScopeInfo& scope) {
    ViperInfo info;
    info.unit_ends = std::move(m_viper_unit_ends);
    m_viper_unit_ends.clear();
    auto annotation = [](const Expr* e) -> std::string {
        if (e == nullptr)
            return {};
        return e->kind == ExprKind::name ? e->as<Name>().id : std::string(); // checked in the scope pass
    };
    // A closure's free variables come first: the closure passes their cells as its first arguments.
    for (const IdInfo& id : scope.ids)
        if (id.kind == IdKind::free)
            info.arg_annotations.emplace_back();
    if (scope.kind == ScopeKind::function) {
        const auto& def = *static_cast<const FunctionDef*>(scope.node);
        for (const Param& p : def.params)
            if (p.kind == Param::Kind::normal)
                info.arg_annotations.push_back(annotation(p.annotation.get()));
        info.return_annotation = annotation(def.returns.get());
    }
    for (const IdInfo& id : scope.ids) {
        if (id.kind == IdKind::local || id.kind == IdKind::cell || id.kind == IdKind::free) {
            if (info.local_names.size() <= id.local_num)
                info.local_names.resize(id.local_num + 1);
            info.local_names[id.local_num] = id.name;
        }
        // (a class body's implicit globals, its names, do not switch: as in native code; nor do the module's
        // own names under -X emit=viper, measured: only `global` and making a function switch there)
        const bool implicit = id.kind == IdKind::global_implicit || id.kind == IdKind::global_implicit_assigned;
        const bool names = scope.kind == ScopeKind::class_ || scope.kind == ScopeKind::module;
        const bool global = id.kind == IdKind::global_explicit || (implicit && !names);
        if (global && !is_global_free_cast(id.name))
            info.refs_globals = true;
    }
    return info;
}

// mpy-cross checks a viper function's annotations when its scope pass declares the parameters, before
// any other error of the function: each must be a name, and the name a viper type. It notes the errors
// and goes on: an unknown type replaces an earlier error, a non-name annotation does not.
void CodeGen::check_viper_annotations(const FunctionDef& def) {
    if (m_scope_id >= m_viper.size() || !m_viper[m_scope_id])
        return;
    std::optional<CompileError> last;
    auto check = [&](const Expr* e) {
        if (e == nullptr)
            return;
        if (e->kind != ExprKind::name) {
            if (!last) // a syntax error does not replace an earlier error; a type error does
                last = CompileError{"SyntaxError", "annotation must be an identifier", SourcePos{m_block_line, 1},
                                    m_scope->simple_name, true, false};
        } else if (!vtype_from_name(e->as<Name>().id))
            last = CompileError{"ViperTypeError", "unknown type '" + e->as<Name>().id + "'",
                                SourcePos{m_block_line, 1}, m_scope->simple_name, true, false};
    };
    for (const Param& p : def.params)
        check(p.annotation.get());
    check(def.returns.get());
    // Found without a line of its own: like a leaf's error, the first statement of the body that marks a
    // line and completes gives it one, else the def's line (measured: `def v(a:f):` then two statements
    // reports the first statement's line).
    if (last && !m_deferred) {
        m_deferred = std::move(last);
        m_deferred_fallback = m_block_line;
    }
}

// The statements of a block noted as unit ends learn where the block ends (see ViperUnitEnd); those of
// nested blocks already know theirs.
CodeGen::ViperBlock::ViperBlock(CodeGen& gen) : m_gen(gen), m_first(gen.m_viper_unit_ends.size()) {}

CodeGen::ViperBlock::~ViperBlock() {
    auto& units = m_gen.m_viper_unit_ends;
    if (m_gen.m_pass != Pass::code || m_gen.m_scope_id >= m_gen.m_viper.size() || !m_gen.m_viper[m_gen.m_scope_id])
        return;
    for (std::size_t i = m_first; i < units.size(); ++i)
        if (units[i].block_end == static_cast<std::size_t>(-1))
            units[i].block_end = m_gen.em().item_count();
}

// A statement that marks a line (its own, not its block's) completes: see ViperUnitEnd.
void CodeGen::note_viper_unit_end(const Stmt& s) {
    if (m_pass != Pass::code || m_scope_id >= m_viper.size() || !m_viper[m_scope_id])
        return;
    if (s.kind == StmtKind::const_def || m_block_line != first_token_pos(s).line)
        return;
    m_viper_unit_ends.push_back({em().item_count(), m_block_line});
}

} // namespace mpyship::compiler
