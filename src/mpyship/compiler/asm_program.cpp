#include "mpyship/compiler/asm_program.h"

#include "mpyship/compiler/asm_operands.h"
#include "mpyship/compiler/compile_error.h"

namespace mpyship::compiler::inline_asm {

void Site::fail(const std::string& message) const {
    throw CompileError{"SyntaxError", message, m_pos, m_scope, true, false};
}

void Site::fail_op(const std::string& rest) const {
    fail("'" + std::string(m_op) + "' " + rest);
}

void CodeBuffer::u16(std::uint32_t v) {
    little_endian(v, 2);
}

void CodeBuffer::u32(std::uint32_t v) {
    little_endian(v, 4);
}

void CodeBuffer::little_endian(std::uint32_t v, unsigned n_bytes) {
    for (unsigned i = 0; i < n_bytes; ++i)
        m_bytes.push_back(i < 4 ? std::uint8_t(v >> (8 * i)) : 0);
}

void CodeBuffer::pad_to(std::size_t size) {
    if (size > m_bytes.size())
        m_bytes.resize(size, 0);
}

std::size_t AsmContext::label_offset(const Site& site, const std::string& name) const {
    auto it = m_labels.find(name);
    if (it != m_labels.end())
        return it->second;
    if (m_pass == Pass::emit)
        site.fail("label '" + name + "' not defined");
    return 0;
}

std::optional<std::size_t> AsmContext::find_label(const std::string& name) const {
    auto it = m_labels.find(name);
    return it == m_labels.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

namespace {

// Return types as the type signature's low bits: object, bool, int, uint.
constexpr std::string_view k_return_types[] = {"object", "bool", "int", "uint"};

bool shares_line(const StmtList& body, std::size_t i) {
    const std::uint32_t line = body[i]->pos.line;
    return (i > 0 && body[i - 1]->pos.line == line) || (i + 1 < body.size() && body[i + 1]->pos.line == line);
}

bool is_skipped(const Stmt& s) {
    if (s.kind == StmtKind::pass)
        return true;
    if (s.kind != StmtKind::expr)
        return false;
    const Expr& e = *s.as<ExprStmt>().value;
    return e.kind == ExprKind::constant && std::holds_alternative<StrValue>(e.as<Constant>().value.value);
}

// label/align/data with the operand counts mpy-cross's statement scan requires.
bool directive_arity_ok(const Call& call) {
    const std::string& op = call.func->as<Name>().id;
    const auto& args = call.args;
    const auto arg = [&](std::size_t i) { return args[i].kind == Argument::Kind::positional ? args[i].value.get() : nullptr; };
    if (op == "label")
        return args.size() == 1 && is_name(arg(0));
    if (op == "align")
        return args.size() == 1 && int_operand(arg(0));
    if (op == "data")
        return args.size() >= 2 && int_operand(arg(0));
    return true;
}

// mpy-cross reports a bad return annotation at the first statement that is neither `pass` nor a string
// when that statement is an instruction call alone on its line that its scan accepts (a directive with
// its operand count); otherwise, and for a body without such statements, at the `def` line.
SourcePos annotation_error_pos(const FunctionDef& def) {
    const StmtList& body = def.body;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (is_skipped(*body[i]))
            continue;
        if (shares_line(body, i) || body[i]->kind != StmtKind::expr)
            return def.pos;
        const Expr& e = *body[i]->as<ExprStmt>().value;
        if (e.kind != ExprKind::call || e.as<Call>().func->kind != ExprKind::name || !directive_arity_ok(e.as<Call>()))
            return def.pos;
        return body[i]->pos;
    }
    return def.pos;
}

std::uint32_t return_type(const FunctionDef& def, const std::string& scope) {
    if (!def.returns)
        return 2; // int
    if (def.returns->kind != ExprKind::name)
        Site(def.name, annotation_error_pos(def), scope).fail("return annotation must be an identifier");
    const std::string& type = def.returns->as<Name>().id;
    for (std::uint32_t i = 0; i < std::size(k_return_types); ++i)
        if (type == k_return_types[i])
            return i;
    Site(def.name, def.pos, scope).fail("unknown type");
}

std::uint32_t check_params(const FunctionDef& def, const AsmBackend& backend, const std::string& scope) {
    const Site site(def.name, def.pos, scope);
    if (def.params.size() > backend.max_params())
        site.fail(backend.too_many_params_error());
    for (std::uint32_t i = 0; i < def.params.size(); ++i) {
        const Param& p = def.params[i];
        if (p.kind != Param::Kind::normal || p.annotation || p.default_value || p.name != backend.param_name(i))
            site.fail(backend.params_error());
    }
    return std::uint32_t(def.params.size());
}

// The instruction a statement is, or nullopt for statements that assemble to nothing (pass, a string).
// `shares_line`: the statement is one of several on a line (`a(); b()`), which mpy-cross refuses.
std::optional<Instruction> instruction_of(const Stmt& s, bool shares_line, const std::string& scope) {
    if (shares_line)
        Site("", s.pos, scope).fail("expecting an assembler instruction");
    if (is_skipped(s))
        return std::nullopt;
    if (s.kind == StmtKind::expr) {
        const Expr& e = *s.as<ExprStmt>().value;
        if (e.kind == ExprKind::call && e.as<Call>().func->kind == ExprKind::name) {
            const Call& call = e.as<Call>();
            Instruction ins{call.func->as<Name>().id, {}, s.pos};
            for (const Argument& a : call.args)
                ins.args.push_back(a.kind == Argument::Kind::positional ? a.value.get() : nullptr);
            return ins;
        }
    }
    Site("", s.pos, scope).fail("expecting an assembler instruction");
}

constexpr std::size_t k_max_code_size = std::size_t(16) << 20;

class Assembler {
  public:
    Assembler(const FunctionDef& def, const AsmBackend& backend, const std::string& scope)
        : m_def(def), m_backend(backend), m_scope(scope) {}

    mpy::Bytes run() {
        // Every statement must be an instruction call, and the directives must have their operand
        // counts; mpy-cross checks both in one scan before any instruction's operands.
        const StmtList& body = m_def.body;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (auto ins = instruction_of(*body[i], shares_line(body, i), m_scope)) {
                check_directive(*ins);
                m_instructions.push_back(std::move(*ins));
            }
        }
        pass(Pass::size);
        return pass(Pass::emit);
    }

  private:
    mpy::Bytes pass(Pass which) {
        CodeBuffer out;
        AsmContext cx(out, which, m_labels);
        m_backend.prologue(out, m_instructions);
        for (const Instruction& ins : m_instructions)
            statement(ins, cx);
        m_backend.epilogue(out);
        return out.take();
    }

    void check_directive(const Instruction& ins) const {
        const Site site(ins.op, ins.pos, m_scope);
        const std::size_t n = ins.args.size();
        if (ins.op == "label" && (n != 1 || !is_name(ins.args[0])))
            site.fail_op("requires 1 argument");
        if (ins.op == "align" && (n != 1 || !int_operand(ins.args[0])))
            site.fail_op("requires 1 argument");
        if (ins.op == "data" && (n < 2 || !int_operand(ins.args[0])))
            site.fail_op("requires at least 2 arguments");
    }

    void statement(const Instruction& ins, AsmContext& cx) {
        const bool at_def = cx.pass() == Pass::size && m_backend.size_pass_errors_at_def();
        const Site site(ins.op, at_def ? m_def.pos : ins.pos, m_scope);
        if (ins.op == "label")
            return label(ins, site, cx);
        if (ins.op == "align")
            return align(ins, site, cx);
        if (ins.op == "data")
            return data(ins, site, cx);
        if (!m_backend.encode(ins, site, cx))
            site.fail(m_backend.unsupported_error(ins));
    }

    void label(const Instruction& ins, const Site& site, AsmContext& cx) {
        if (ins.args.size() != 1 || !ins.args[0] || ins.args[0]->kind != ExprKind::name)
            site.fail_op("requires 1 argument");
        if (cx.pass() == Pass::size && !m_labels.emplace(ins.args[0]->as<Name>().id, cx.offset()).second)
            site.fail("label redefined");
    }

    static void align(const Instruction& ins, const Site& site, AsmContext& cx) {
        const auto n = ins.args.size() == 1 ? int_operand(ins.args[0]) : std::nullopt;
        if (!n)
            site.fail_op("requires 1 argument");
        const std::size_t mask = std::size_t(*n) - 1;
        const std::size_t to = (cx.offset() + mask) & ~mask;
        check_size(to);
        cx.out().pad_to(to);
    }

    // mpy-cross would try to allocate it; we refuse code beyond 16 MiB instead of exhausting memory.
    static void check_size(std::size_t size) {
        if (size > k_max_code_size)
            throw CompileError{"MemoryError", "memory allocation failed, inline assembler code beyond 16 MiB",
                               SourcePos{}, "", false, false};
    }

    static void data(const Instruction& ins, const Site& site, AsmContext& cx) {
        const auto size = ins.args.size() >= 2 ? int_operand(ins.args[0]) : std::nullopt;
        if (!size)
            site.fail_op("requires at least 2 arguments");
        check_size(cx.offset() + std::size_t(*size) * (ins.args.size() - 1));
        for (std::size_t i = 1; i < ins.args.size(); ++i) {
            const auto v = int_operand(ins.args[i]);
            if (!v)
                site.fail_op("requires integer arguments");
            cx.out().little_endian(*v, *size);
        }
    }

    const FunctionDef& m_def;
    const AsmBackend& m_backend;
    const std::string& m_scope;
    std::vector<Instruction> m_instructions;
    std::map<std::string, std::size_t> m_labels;
};

} // namespace

AsmCode assemble(const FunctionDef& def, const AsmBackend& backend, const std::string& scope_name) {
    AsmCode code;
    code.type_sig = return_type(def, scope_name);
    code.n_pos_args = check_params(def, backend, scope_name);
    code.code = Assembler(def, backend, scope_name).run();
    return code;
}

} // namespace mpyship::compiler::inline_asm
