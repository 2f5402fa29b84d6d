// AST dumper: "(Kind child child ...)" with constants in Python-like notation.
#include "mpyship/compiler/ast_dump.h"

#include <cstdio>

namespace mpyship::compiler {
namespace {

const char* const k_binops[] = {"|", "^", "&", "<<", ">>", "+", "-", "*", "@", "/", "%", "//", "**"};
const char* const k_unops[] = {"+", "-", "~", "not"};
const char* const k_cmps[] = {"<", ">", "==", "<=", ">=", "!=", "in", "not-in", "is", "is-not"};

std::string opt(const ExprPtr& e) {
    return e ? dump_expr(*e) : "-";
}

std::string list(const ExprList& items) {
    std::string out;
    for (const auto& e : items) {
        out += ' ' + opt(e);
    }
    return out;
}

std::string body(const StmtList& stmts) {
    std::string out = "[";
    for (const auto& s : stmts) {
        out += (out.size() > 1 ? " " : "") + dump_stmt(*s);
    }
    return out + "]";
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (unsigned char c : s) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "'";
}

std::string dump_double(double d) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
}

std::string dump_args(const ArgumentList& args) {
    std::string out;
    for (const auto& a : args) {
        switch (a.kind) {
        case Argument::Kind::positional:
            out += ' ' + dump_expr(*a.value);
            break;
        case Argument::Kind::star:
            out += " *" + dump_expr(*a.value);
            break;
        case Argument::Kind::double_star:
            out += " **" + dump_expr(*a.value);
            break;
        case Argument::Kind::keyword:
            out += ' ' + dump_expr(*a.keyword) + '=' + dump_expr(*a.value);
            break;
        }
    }
    return out;
}

std::string dump_params(const ParamList& params) {
    std::string out = "(";
    for (const auto& p : params) {
        out += out.size() > 1 ? " " : "";
        out += p.kind == Param::Kind::star ? "*" : p.kind == Param::Kind::double_star ? "**" : "";
        out += p.name;
        out += p.annotation ? ":" + dump_expr(*p.annotation) : "";
        out += p.default_value ? "=" + dump_expr(*p.default_value) : "";
    }
    return out + ")";
}

std::string dump_comp(const Comprehension& c) {
    static const char* const k_names[] = {"ListComp", "SetComp", "DictComp", "GenExp"};
    std::string out = std::string("(") + k_names[static_cast<int>(c.comp_kind)] + ' ' + dump_expr(*c.element);
    out += c.value ? ' ' + dump_expr(*c.value) : "";
    for (const auto& f : c.generators) {
        out += " (for " + dump_expr(*f.target) + ' ' + dump_expr(*f.iter) + list(f.ifs) + ')';
    }
    return out + ')';
}

std::string dump_call(const Call& c) {
    return "(Call " + dump_expr(*c.func) + dump_args(c.args) + ')';
}

std::string dump_misc_expr(const Expr& e) {
    switch (e.kind) {
    case ExprKind::if_exp: {
        const auto& n = e.as<IfExp>();
        return "(IfExp " + dump_expr(*n.test) + ' ' + dump_expr(*n.body) + ' ' + dump_expr(*n.orelse) + ')';
    }
    case ExprKind::lambda:
        return "(Lambda " + dump_params(e.as<Lambda>().params) + ' ' + dump_expr(*e.as<Lambda>().body) + ')';
    case ExprKind::named_expr:
        return "(Walrus " + dump_expr(*e.as<NamedExpr>().target) + ' ' + dump_expr(*e.as<NamedExpr>().value) +
               ')';
    case ExprKind::tuple:
        return "(Tuple" + list(e.as<Sequence>().elts) + ')';
    case ExprKind::list:
        return "(List" + list(e.as<Sequence>().elts) + ')';
    case ExprKind::set:
        return "(Set" + list(e.as<Sequence>().elts) + ')';
    case ExprKind::dict: {
        std::string out = "(Dict";
        for (std::size_t i = 0; i < e.as<Dict>().keys.size(); ++i) {
            out += ' ' + dump_expr(*e.as<Dict>().keys[i]) + ':' + opt(e.as<Dict>().values[i]);
        }
        return out + ')';
    }
    case ExprKind::comprehension:
        return dump_comp(e.as<Comprehension>());
    case ExprKind::yield:
        return "(Yield " + opt(e.as<UnaryExpr>().value) + ')';
    case ExprKind::yield_from:
        return "(YieldFrom " + opt(e.as<UnaryExpr>().value) + ')';
    case ExprKind::await:
        return "(Await " + opt(e.as<UnaryExpr>().value) + ')';
    case ExprKind::starred:
        return "(Star " + opt(e.as<UnaryExpr>().value) + ')';
    default:
        return "(?)";
    }
}

std::string dump_simple_stmt(const Stmt& s) {
    switch (s.kind) {
    case StmtKind::expr:
        return "(Expr " + opt(s.as<ExprStmt>().value) + ')';
    case StmtKind::del:
        return "(Del " + opt(s.as<ExprStmt>().value) + ')';
    case StmtKind::return_:
        return "(Return " + opt(s.as<ExprStmt>().value) + ')';
    case StmtKind::pass:
        return "(Pass)";
    case StmtKind::const_def:
        return "(ConstDef)";
    case StmtKind::break_:
        return "(Break)";
    case StmtKind::continue_:
        return "(Continue)";
    case StmtKind::assign:
        return "(Assign" + list(s.as<Assign>().targets) + ' ' + dump_expr(*s.as<Assign>().value) + ')';
    case StmtKind::aug_assign: {
        const auto& n = s.as<AugAssign>();
        return "(AugAssign " + dump_expr(*n.target) + ' ' + k_binops[static_cast<int>(n.op)] + "= " +
               dump_expr(*n.value) + ')';
    }
    case StmtKind::ann_assign: {
        const auto& n = s.as<AnnAssign>();
        return "(AnnAssign " + dump_expr(*n.target) + ' ' + dump_expr(*n.annotation) + ' ' + opt(n.value) +
               ')';
    }
    case StmtKind::raise:
        return "(Raise " + opt(s.as<Raise>().exc) + ' ' + opt(s.as<Raise>().cause) + ')';
    case StmtKind::assert_:
        return "(Assert " + opt(s.as<Assert>().test) + ' ' + opt(s.as<Assert>().msg) + ')';
    case StmtKind::global:
    case StmtKind::nonlocal: {
        std::string out = s.kind == StmtKind::global ? "(Global" : "(Nonlocal";
        for (const auto& n : s.as<NameListStmt>().names) {
            out += ' ' + n;
        }
        return out + ')';
    }
    default:
        return "";
    }
}

std::string dump_import(const Stmt& s) {
    const auto& names = s.kind == StmtKind::import ? s.as<Import>().names : s.as<ImportFrom>().names;
    std::string out = s.kind == StmtKind::import
                          ? "(Import"
                          : "(ImportFrom " +
                                std::string(static_cast<std::size_t>(s.as<ImportFrom>().level), '.') +
                                s.as<ImportFrom>().module;
    if (s.kind == StmtKind::import_from && s.as<ImportFrom>().star) {
        out += " *";
    }
    for (const auto& a : names) {
        out += ' ' + a.name + (a.asname.empty() ? "" : " as " + a.asname);
    }
    return out + ')';
}

std::string dump_compound(const Stmt& s) {
    switch (s.kind) {
    case StmtKind::if_:
        return "(If " + dump_expr(*s.as<If>().test) + ' ' + body(s.as<If>().body) + ' ' +
               body(s.as<If>().orelse) + ')';
    case StmtKind::while_:
        return "(While " + dump_expr(*s.as<While>().test) + ' ' + body(s.as<While>().body) + ' ' +
               body(s.as<While>().orelse) + ')';
    case StmtKind::for_: {
        const auto& n = s.as<For>();
        return std::string(n.is_async ? "(AsyncFor " : "(For ") + dump_expr(*n.target) + ' ' +
               dump_expr(*n.iter) + ' ' + body(n.body) + ' ' + body(n.orelse) + ')';
    }
    case StmtKind::try_: {
        const auto& n = s.as<Try>();
        std::string out = "(Try " + body(n.body);
        for (const auto& h : n.handlers) {
            out += " (except " + opt(h.type) + (h.name.empty() ? "" : " as " + h.name) + ' ' + body(h.body) +
                   ')';
        }
        return out + ' ' + body(n.orelse) + (n.has_finally ? " finally " + body(n.finalbody) : "") + ')';
    }
    case StmtKind::with: {
        const auto& n = s.as<With>();
        std::string out = n.is_async ? "(AsyncWith" : "(With";
        for (const auto& item : n.items) {
            out += ' ' + dump_expr(*item.context) + (item.target ? " as " + dump_expr(*item.target) : "");
        }
        return out + ' ' + body(n.body) + ')';
    }
    case StmtKind::function_def: {
        const auto& n = s.as<FunctionDef>();
        return std::string(n.is_async ? "(AsyncDef " : "(Def ") + n.name + list(n.decorators) + ' ' +
               dump_params(n.params) + ' ' + opt(n.returns) + ' ' + body(n.body) + ')';
    }
    case StmtKind::class_def: {
        const auto& n = s.as<ClassDef>();
        return "(Class " + n.name + list(n.decorators) + " (" + dump_args(n.bases) + ") " + body(n.body) +
               ')';
    }
    default:
        return dump_import(s);
    }
}

} // namespace

std::string dump_const(const ConstValue& v) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, NoneValue>) {
                return "None";
            } else if constexpr (std::is_same_v<T, bool>) {
                return x ? "True" : "False";
            } else if constexpr (std::is_same_v<T, EllipsisValue>) {
                return "...";
            } else if constexpr (std::is_same_v<T, BigInt>) {
                return x.to_string();
            } else if constexpr (std::is_same_v<T, double>) {
                return dump_double(x);
            } else if constexpr (std::is_same_v<T, ImagValue>) {
                return dump_double(x.imag) + "j";
            } else if constexpr (std::is_same_v<T, StrValue>) {
                return quoted(x.bytes);
            } else if constexpr (std::is_same_v<T, BytesValue>) {
                return 'b' + quoted(x.bytes);
            } else {
                std::string out = "(";
                for (const auto& item : x) {
                    out += (out.size() > 1 ? ", " : "") + dump_const(item);
                }
                return out + (x.size() == 1 ? ",)" : ")");
            }
        },
        v.value);
}

std::string dump_expr(const Expr& e) {
    switch (e.kind) {
    case ExprKind::constant: {
        const auto& c = e.as<Constant>();
        return (c.from_const_name ? "const:" : "") + dump_const(c.value);
    }
    case ExprKind::name:
        return e.as<Name>().id;
    case ExprKind::attribute:
        return "(. " + dump_expr(*e.as<Attribute>().value) + ' ' + e.as<Attribute>().attr + ')';
    case ExprKind::subscript:
        return "([] " + dump_expr(*e.as<Subscript>().value) + ' ' + dump_expr(*e.as<Subscript>().index) + ')';
    case ExprKind::slice: {
        const auto& s = e.as<Slice>();
        return "(Slice " + opt(s.lower) + ' ' + opt(s.upper) + ' ' + opt(s.step) + ')';
    }
    case ExprKind::call:
        return dump_call(e.as<Call>());
    case ExprKind::bin_op: {
        const auto& b = e.as<BinOp>();
        return std::string("(") + k_binops[static_cast<int>(b.op)] + ' ' + dump_expr(*b.left) + ' ' +
               dump_expr(*b.right) + ')';
    }
    case ExprKind::unary_op:
        return std::string("(") + k_unops[static_cast<int>(e.as<UnaryOp>().op)] + ' ' +
               dump_expr(*e.as<UnaryOp>().operand) + ')';
    case ExprKind::bool_op:
        return std::string(e.as<BoolOp>().is_and ? "(and" : "(or") + list(e.as<BoolOp>().values) + ')';
    case ExprKind::compare: {
        const auto& c = e.as<Compare>();
        std::string out = "(Compare " + dump_expr(*c.left);
        for (std::size_t i = 0; i < c.ops.size(); ++i) {
            out += std::string(" ") + k_cmps[static_cast<int>(c.ops[i])] + ' ' + dump_expr(*c.comparators[i]);
        }
        return out + ')';
    }
    default:
        return dump_misc_expr(e);
    }
}

std::string dump_stmt(const Stmt& s) {
    std::string simple = dump_simple_stmt(s);
    return simple.empty() ? dump_compound(s) : simple;
}

std::string dump_module(const Module& m) {
    std::string out;
    for (const auto& s : m.body) {
        out += dump_stmt(*s) + '\n';
    }
    return out;
}

} // namespace mpyship::compiler
