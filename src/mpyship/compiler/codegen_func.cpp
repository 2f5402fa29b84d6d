// Function, lambda and class definitions in their parent scope: decorators (incl. the built-in
// @micropython.* ones), default and keyword-only default arguments, closures (MAKE_CLOSURE loads the
// cells the child needs), class creation via __build_class__; and parameter declaration in the child.
#include "mpyship/compiler/codegen.h"

#include "mpyship/compiler/inline_asm.h"
#include "mpyship/compiler/native_emitter.h"
#include "mpyship/compiler/native_viper.h"

namespace mpyship::compiler {

namespace {

// The dotted name a decorator consists of ("a.b.c"), outermost last; empty if it is not a plain chain.
std::vector<std::string> dotted_parts(const Expr& e) {
    if (e.kind == ExprKind::name)
        return {e.as<Name>().id};
    if (e.kind != ExprKind::attribute)
        return {};
    auto parts = dotted_parts(*e.as<Attribute>().value);
    if (!parts.empty())
        parts.push_back(e.as<Attribute>().attr);
    return parts;
}

const Expr& decorator_name(const Expr& d) {
    return d.kind == ExprKind::call ? *d.as<Call>().func : d;
}

// CircuitPython 10.2.1's mpy-cross has no Xtensa inline assembler for xtensawin ("invalid arch"), and its
// native emitters differ from MicroPython 1.28's on every architecture (eors for a zero on Thumb, another
// register set on rv32imc, other frames on xtensawin, another exception frame on x64 and x86: measured),
// so its native and viper code is not implemented yet (refused, never written like MicroPython's).
bool inline_asm_for(Target target, mpy::NativeArch arch) {
    if (target == Target::circuitpython && arch == mpy::NativeArch::xtensawin)
        return false;
    return inline_asm::has_inline_assembler(arch);
}

bool native_code_for(Target target) {
    return target != Target::circuitpython;
}

} // namespace

// Returns the number of built-in decorators; others are compiled as a load chain (and call).
bool CodeGen::compile_decorators(const ExprList& decorators, std::size_t& n_builtin) {
    n_builtin = 0;
    for (const ExprPtr& d : decorators) {
        const Expr& name = decorator_name(*d);
        const auto parts = dotted_parts(name);
        if (!parts.empty() && parts[0] == "micropython") {
            ++n_builtin;
            if (parts.size() != 2) {
                defer_error("invalid micropython decorator", name.pos);
                continue;
            }
            const std::string& attr = parts[1];
            if (attr == "asm_thumb" || attr == "asm_xtensa" || attr == "asm_rv32") {
                if (!inline_asm_for(m_options.target, m_options.arch)) {
                    defer_error("invalid arch", name.pos, !m_options.march_given);
                    continue;
                }
                m_next_def_inline_asm = true;
                continue;
            }
            const bool native_ok = native_code_for(m_options.target);
            if (attr == "viper" && m_options.march_given && native_ok && has_viper_emitter(m_options.arch)) {
                m_next_def_native = m_next_def_viper = true;
                continue;
            }
            if (attr == "native" && m_options.march_given && native_ok && has_native_emitter(m_options.arch)) {
                m_next_def_native = true;
                m_next_def_viper = false; // the last emitter decorator wins, as in mpy-cross
                continue;
            }
            if (attr == "native" || attr == "viper") {
                if (m_options.march_given)
                    error("mpyship: native code generation (@micropython." + attr + ") is not implemented yet",
                          name.pos, true);
                defer_error("invalid arch", name.pos, true);
                continue;
            }
            if (attr != "bytecode") {
                defer_error("invalid micropython decorator", name.pos);
                continue;
            }
            m_next_def_bytecode = true;
            continue;
        }
        if (parts.empty()) {
            compile_expr(*d);
            continue;
        }
        load_id(parts[0]);
        for (std::size_t i = 1; i < parts.size(); ++i)
            em().load_attr(parts[i]);
        if (d->kind == ExprKind::call) {
            set_line(d->pos);
            compile_call_args(d->as<Call>().args, false, 0);
        }
    }
    return true;
}

void CodeGen::compile_function_def(const FunctionDef& def) {
    std::size_t n_builtin = 0;
    m_next_def_inline_asm = false;
    m_next_def_native = false;
    m_next_def_viper = false;
    m_next_def_bytecode = false;
    compile_decorators(def.decorators, n_builtin);
    ScopeId child = 0;
    if (scope_pass()) {
        child = new_scope(ScopeKind::function, &def, def.name);
        m_async[child] = def.is_async;
        m_inline_asm[child] = m_next_def_inline_asm;
        // nested code inherits the emitter unless it asks for bytecode
        m_native[child] = m_next_def_native || (m_native[m_scope_id] && !m_next_def_bytecode);
        m_viper[child] = m_next_def_viper || (m_viper[m_scope_id] && !m_next_def_native && !m_next_def_bytecode);
    } else {
        child = m_node_scope.at(&def);
    }
    compile_defaults_and_make(child, def.params);
    for (std::size_t i = n_builtin; i < def.decorators.size(); ++i)
        em().call_function(1, 0, false);
    store_id(def.name);
}

void CodeGen::compile_lambda(const Lambda& lambda) {
    const ScopeId child =
        scope_pass() ? new_scope(ScopeKind::lambda, &lambda, "<lambda>") : m_node_scope.at(&lambda);
    compile_defaults_and_make(child, lambda.params);
}

void CodeGen::compile_class_def(const ClassDef& cls) {
    std::size_t n_builtin = 0;
    compile_decorators(cls.decorators, n_builtin);
    const ScopeId child = scope_pass() ? new_scope(ScopeKind::class_, &cls, cls.name) : m_node_scope.at(&cls);
    em().load_build_class();
    make_function(child, 0, 0);
    em().load_const_string(cls.name);
    compile_call_args(cls.bases, false, 2);
    for (std::size_t i = n_builtin; i < cls.decorators.size(); ++i)
        em().call_function(1, 0, false);
    store_id(cls.name);
}

void CodeGen::compile_defaults_and_make(ScopeId child, const ParamList& params) {
    DefaultsState st;
    for (const Param& p : params)
        compile_default(p, st);
    if (st.n_default > 0 && st.n_dict == 0) {
        em().build_tuple(st.n_default);
        em().load_null();
    }
    make_function(child, st.n_default, st.n_dict);
}

void CodeGen::compile_default(const Param& p, DefaultsState& st) {
    if (p.kind == Param::Kind::star) {
        st.have_star = true;
        return;
    }
    if (p.kind == Param::Kind::double_star)
        return;
    if (!p.default_value) {
        if (!st.have_star && st.n_default != 0) {
            // An annotated parameter is a node of its own (raised now, or ignored after a deferred error);
            // a bare name is a leaf.
            raise_or_defer("non-default argument follows default argument", p.pos, !p.annotation);
        }
        return;
    }
    if (!st.have_star) {
        ++st.n_default;
        compile_expr(*p.default_value);
        return;
    }
    if (++st.n_dict == 1) {
        if (st.n_default > 0)
            em().build_tuple(st.n_default);
        else
            em().load_null();
        em().build_map(0);
    }
    compile_expr(*p.default_value);
    em().load_const_string(p.name);
    em().store_map();
}

void CodeGen::make_function(ScopeId child, std::uint32_t n_pos_defaults, std::uint32_t n_kw_defaults) {
    ScopeInfo& c = *m_scopes[child];
    if (n_kw_defaults > 0)
        c.scope_flags |= mpy::k_scope_defkwargs;
    c.n_def_pos_args = n_pos_defaults;
    std::uint32_t n_free = 0;
    if (m_scope->kind != ScopeKind::module) {
        for (const IdInfo& outer : m_scope->ids) {
            if (outer.kind != IdKind::cell && outer.kind != IdKind::free)
                continue;
            for (const IdInfo& inner : c.ids)
                if (inner.kind == IdKind::free && inner.name == outer.name) {
                    em().load_fast(outer.local_num);
                    ++n_free;
                }
        }
    }
    const bool has_defaults = n_pos_defaults > 0 || n_kw_defaults > 0;
    if (n_free == 0)
        em().make_function(child, has_defaults);
    else
        em().make_closure(child, n_free, has_defaults);
}

void CodeGen::declare_params(const ParamList& params) {
    bool have_star = false;
    for (const Param& p : params)
        declare_param(p, have_star);
}

void CodeGen::declare_param(const Param& p, bool& have_star) {
    // A bare name is a leaf of the reference's tree, with no line: its error is deferred and takes the
    // scope's (measured: `def n(` / `**a,b):s` reports line 1); a name with an annotation or a default,
    // or a starred one, is a node of its own line.
    const bool leaf = p.kind == Param::Kind::normal && !p.annotation && !p.default_value;
    if (m_scope->scope_flags & mpy::k_scope_varkeywords)
        raise_or_defer("invalid syntax", p.pos, leaf);
    std::uint8_t flags = k_id_param;
    if (p.kind == Param::Kind::normal) {
        ++(have_star ? m_scope->n_kwonly_args : m_scope->n_pos_args);
    } else if (p.kind == Param::Kind::star) {
        if (have_star)
            error("invalid syntax", p.pos);
        have_star = true;
        flags |= k_id_star_param;
        if (!p.name.empty())
            m_scope->scope_flags |= mpy::k_scope_varargs;
    } else {
        flags |= k_id_dbl_star_param;
        m_scope->scope_flags |= mpy::k_scope_varkeywords;
    }
    if (p.name.empty())
        return;
    IdInfo& id = m_scope->find_or_add(p.name, IdKind::undecided);
    if (id.kind != IdKind::undecided) // a bare name is a leaf: its line comes later (see defer_error)
        raise_or_defer("argument name reused", p.pos, leaf);
    id.kind = IdKind::local;
    id.flags = flags;
}

} // namespace mpyship::compiler
