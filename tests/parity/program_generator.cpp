#include "program_generator.h"

namespace mpyship::parity {

namespace {

const std::vector<std::string> k_names = {"a", "b", "x", "y", "n", "self", "data", "value", "i", "k",
                                          "print", "len", "range", "micropython", "const", "_x", "A"};
// Names the compiler treats specially (a constant, super()'s implicit arguments), now and then: as
// assignment targets they make most programs errors.
const std::vector<std::string> k_special_names = {"__debug__", "super", "__class__", "__name__"};
const std::vector<std::string> k_binary = {"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@"};
const std::vector<std::string> k_fold_ops = {"+", "-", "*", "//", "|", "&", "<<", "/"};
const std::vector<std::string> k_compare = {"<", ">", "==", "!=", "<=", ">=", "in", "not in", "is", "is not"};
const std::vector<std::string> k_augmented = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=",
                                              "&=", "|=", "^=", "@="};
// Tokens the reference's lexer marks as erroneous, put after a complete statement: its parser still completes
// the statement (and reports e.g. a const() error) before it fails on the token.
const std::vector<std::string> k_error_tokens = {" $", " ?", "\\x", " !", " \"abc", " 'a\\U00110000'",
                                                 " f'{'", " b'\\xf'"};

const std::vector<std::string> k_comments = {"# c", "#", "# a longer comment, with punctuation: ({[",
                                             "#!x", "# type: ignore"};

} // namespace

ProgramGenerator::ProgramGenerator(std::uint64_t seed) : m_rng(seed) {}

bool ProgramGenerator::chance(int percent) {
    return pick(100) < percent;
}

int ProgramGenerator::pick(int n) {
    return int(m_rng() % std::uint64_t(n));
}

std::string ProgramGenerator::program() {
    static const std::vector<std::string> units = {"    ", "  ", " ", "\t", "        "};
    m_lines.clear();
    m_indent_unit = pick_of(units);
    m_level = 0;
    m_budget = 4 + pick(30);
    m_error_token = chance(3);
    if (chance(3)) { // the source opens with line continuations, then (mostly) an empty or a comment line
        for (int i = pick(3); i >= 0; --i)
            m_lines.push_back(std::string(pick(2), ' ') + "\\");
        if (chance(70))
            m_lines.push_back(chance(50) ? "" : pick_of(k_comments));
    }
    if (chance(10))
        m_lines.push_back("# -*- coding: utf-8 -*-");
    if (chance(15))
        m_lines.push_back(string_literal());
    while (m_budget > 0)
        statement(Context{});
    std::string text;
    for (const auto& l : m_lines)
        text += l + "\n";
    if (chance(5) && !text.empty())
        text.pop_back(); // no newline at the end of the file
    return text;
}

std::string ProgramGenerator::gap() {
    const int r = pick(100);
    if (r < 85)
        return " ";
    if (r < 92)
        return "  ";
    if (r < 97)
        return "\t";
    return " \\\n" + std::string(pick(6), ' '); // backslash continuation
}

std::string ProgramGenerator::bracket_break() {
    const int r = pick(100);
    if (m_no_breaks)
        return "";
    if (r < 75)
        return "";
    std::string text = r < 85 ? "  " + pick_of(k_comments) : "";
    text += "\n" + std::string(pick(12), ' ');
    if (chance(10))
        text += "\n";
    return text;
}

std::string ProgramGenerator::join_items(const std::vector<std::string>& items, const std::string& sep) {
    std::string text = bracket_break();
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0)
            text += sep + bracket_break() + (chance(70) ? " " : "");
        text += items[i];
    }
    if (!items.empty() && chance(15) && sep == ",")
        text += ",";
    return text + bracket_break();
}

void ProgramGenerator::line(const std::string& text) {
    std::string indent;
    for (int i = 0; i < m_level; ++i)
        indent += m_indent_unit;
    if (chance(4))
        m_lines.push_back(chance(50) ? "" : indent + pick_of(k_comments));
    m_lines.push_back(indent + text + (chance(8) ? "  " + pick_of(k_comments) : ""));
}

void ProgramGenerator::block(const Context& ctx, int statements) {
    ++m_level;
    const int before = int(m_lines.size());
    for (int i = 0; i < statements && (i == 0 || m_budget > 0); ++i)
        statement(ctx);
    if (int(m_lines.size()) == before)
        line("pass");
    --m_level;
}

// ---------------------------------------------------------------- expressions

std::string ProgramGenerator::name() {
    return chance(2) ? pick_of(k_special_names) : pick_of(k_names);
}

std::string ProgramGenerator::number() {
    switch (pick(14)) {
    case 0: return std::to_string(pick(4));
    case 1: return std::to_string(pick(300));
    case 2: return std::to_string(m_rng() % 100000000000ULL);
    case 3: return "0x" + std::string(chance(50) ? "FF" : "7fff_ffff");
    case 4: return "0o17";
    case 5: return "0b1010";
    case 6: return "1_000";
    case 7: return std::to_string(pick(100)) + "." + std::to_string(pick(1000));
    case 8: return "1e" + std::to_string(pick(40) - 20);
    case 9: return "2.5j";
    case 10: return ".5";
    case 11: return "123456789012345678901234567890";
    case 12: return "1073741823";
    default: return "0x4000_0000";
    }
}

std::string ProgramGenerator::string_literal() {
    static const std::vector<std::string> bodies = {"", "a", "hello", "a b", "\\n", "\\x41", "\\u00e9", "é",
                                                    "{}", "q\\'", "long string with spaces", "\\\\"};
    static const std::vector<std::string> prefixes = {"", "", "", "", "b", "r", "rb", "br", "u", "", "b"};
    const std::string prefix = pick_of(prefixes);
    std::string body = pick_of(bodies);
    if (prefix.find_first_of("b") != std::string::npos && body.find("\\u") != std::string::npos)
        body = "x";
    if (prefix.find_first_of("b") != std::string::npos && body == "é")
        body = "y";
    const std::string quote = chance(20) ? (chance(50) ? "'''" : "\"\"\"") : (chance(50) ? "'" : "\"");
    if (quote.size() == 3 && chance(40))
        body += "\nsecond line";
    return prefix + quote + body + quote;
}

// Implicit concatenation of literals, spread over lines only inside brackets (the caller wraps it).
std::string ProgramGenerator::implicit_concatenation() {
    const bool bytes = chance(30);
    std::string text;
    const int parts = 2 + pick(3);
    for (int i = 0; i < parts; ++i) {
        if (i > 0)
            text += chance(50) ? "\n" + std::string(pick(8), ' ') : std::string(pick(2) + 0, ' ');
        text += bytes ? (chance(50) ? "b'p" + std::to_string(i) + "'" : "b\"q\"") : (chance(50) ? "'s" + std::to_string(i) + "'" : "\"t\"");
    }
    return "(" + text + ")";
}

std::string ProgramGenerator::fstring(int depth) {
    static const std::vector<std::string> specs = {"", ":5", ":>{w}", ":.2f", "!r", "!s", ":x", "=", "!r:>10"};
    const std::string quote = chance(50) ? "'" : "\"";
    const std::string inner_quote = quote == "'" ? "\"" : "'";
    std::string text = (chance(60) ? "f" : chance(50) ? "rf" : chance(50) ? "fr" : "t") + quote;
    const int fields = pick(4);
    for (int i = 0; i < fields; ++i) {
        text += chance(50) ? "lit " : "";
        std::string field = depth > 0 && chance(30) ? expr(depth - 1) : name();
        if (field.find_first_of("'\"\n\\#{}") != std::string::npos)
            field = name();
        if (chance(10))
            field = "f" + inner_quote + "{" + name() + "}" + inner_quote; // nested f-string
        text += "{" + field + pick_of(specs) + "}";
        if (chance(10))
            text += "{{}}";
    }
    return text + quote;
}

std::string ProgramGenerator::display(int depth) {
    std::vector<std::string> items;
    const int n = pick(5);
    const int kind = pick(4); // list, tuple, set, dict
    for (int i = 0; i < n; ++i) {
        if (kind == 3 && chance(2)) // a dict item without a value: an error
            items.push_back(expr(depth - 1));
        else if (kind == 3)
            items.push_back(chance(2) ? "**" + name() : constant_expression() + ":" + gap() + expr(depth - 1));
        else if (kind == 2 && i > 0 && chance(2)) // a k: v item in a set: an error
            items.push_back(expr(depth - 1) + ":" + gap() + expr(depth - 1));
        else
            items.push_back(chance(2) ? "*" + name() : expr(depth - 1));
    }
    if (kind == 2 && items.empty())
        items.push_back(expr(depth - 1));
    const std::string body = join_items(items, ",");
    switch (kind) {
    case 0: return "[" + body + "]";
    case 1: return "(" + body + (n == 1 && !body.ends_with(",") ? "," : "") + ")";
    case 2: return "{" + body + "}";
    default: return "{" + body + "}";
    }
}

std::string ProgramGenerator::comprehension(int depth) {
    std::string element = expr(depth - 1);
    std::string clauses = bracket_break() + " for " + target(depth - 1) + " in " + expr(depth - 1, k_or);
    if (chance(30))
        clauses += bracket_break() + " if " + expr(depth - 1, k_or);
    if (chance(20))
        clauses += bracket_break() + " for " + name() + " in " + name();
    switch (pick(4)) {
    case 0: return "[" + element + clauses + "]";
    case 1: return "{" + element + clauses + "}";
    case 2: return "{" + element + ":" + expr(depth - 1) + clauses + "}";
    default: return "(" + element + clauses + ")";
    }
}

// Positional arguments (and *x) first, then keywords (and **x); now and then out of order, which is an error.
std::string ProgramGenerator::call_args(int depth) {
    std::vector<std::string> positional, keywords;
    const int n = pick(5);
    for (int i = 0; i < n; ++i) {
        const int r = pick(10);
        if (r < 6)
            positional.push_back(expr(depth - 1));
        else if (r < 7)
            positional.push_back("*" + name());
        else if (r < 9)
            keywords.push_back(name() + "=" + expr(depth - 1));
        else
            keywords.push_back("**" + name());
    }
    positional.insert(chance(1) ? positional.begin() : positional.end(), keywords.begin(), keywords.end());
    return join_items(positional, ",");
}

std::string ProgramGenerator::call(int depth) {
    if (chance(10))
        return name() + "(" + name() + " for " + name() + " in " + name() + ")";
    return primary(depth - 1) + "(" + call_args(depth) + ")";
}

std::string ProgramGenerator::lambda(int depth) {
    return "lambda" + (chance(70) ? " " + parameters(false, false) : std::string()) + ":" + gap() + expr(depth - 1);
}

std::string ProgramGenerator::subscript(int depth) {
    static const std::vector<std::string> slices = {"1", ":", "1:", ":2", "::2", "1:2:3", "a, b", "...", "-1"};
    return primary(depth - 1) + "[" + (chance(60) ? pick_of(slices) : expr(depth - 1)) + "]";
}

std::string ProgramGenerator::atom(int depth) {
    if (depth <= 0)
        return chance(50) ? name() : chance(60) ? number() : string_literal();
    switch (pick(16)) {
    case 0: case 1: return name();
    case 2: return number();
    case 3: return string_literal();
    case 4: return implicit_concatenation();
    case 5: return fstring(depth);
    case 6: return display(depth);
    case 7: return comprehension(depth);
    case 8: return call(depth);
    case 9: return subscript(depth);
    case 10: return primary(depth - 1) + "." + name();
    case 11: return "(" + bracket_break() + expr(depth - 1) + bracket_break() + ")";
    case 12: return chance(50) ? "None" : chance(50) ? "True" : chance(50) ? "False" : "...";
    case 13: return "(" + name() + " := " + expr(depth - 1) + ")";
    case 14: return constant_expression();
    default: return "(" + bracket_break() + lambda(depth) + ")";
    }
}

// Expressions the compiler folds: constants (float ones included) combined with operators.
std::string ProgramGenerator::constant_expression() {
    static const std::vector<std::string> operands = {"1", "2", "256", "1.0", "0.5", "-3", "1 << 3", "2 ** 5",
                                                      "(1 + 2)", "~5", "10 // 3", "7 % 3", "2.0 * 3"};
    std::string text = pick_of(operands);
    const int n = pick(3);
    for (int i = 0; i < n; ++i)
        text += " " + pick_of(k_fold_ops) + " " + bracket_break() + pick_of(operands);
    return n > 0 && (chance(50) || text.find('\n') != std::string::npos) ? "(" + text + ")" : text;
}

std::string ProgramGenerator::expr(int depth, int min_level) {
    int level = k_atom;
    const std::string text = expr_with_level(depth, level);
    return level < min_level ? "(" + text + ")" : text;
}

std::string ProgramGenerator::expr_with_level(int depth, int& level) {
    if (depth <= 0)
        return atom(0);
    switch (pick(12)) {
    case 0: {
        level = k_arith;
        const std::string& op = pick_of(k_binary);
        // A huge power or shift makes mpy-cross fold for minutes (its own limit is its heap): keep the right
        // side small but for one program in 50, so that a run spends its time on programs, not on timeouts.
        const bool grows = op == "**" || op == "<<";
        const std::string right = grows && !chance(2) ? std::to_string(pick(70)) : expr(depth - 1, k_arith);
        return expr(depth - 1, k_arith) + gap() + op + gap() + right;
    }
    case 1:
        level = k_comparison;
        return expr(depth - 1, k_arith) + " " + pick_of(k_compare) + " " + expr(depth - 1, k_arith) +
               (chance(30) ? " " + pick_of(k_compare) + " " + primary(0) : "");
    case 2:
        level = k_or;
        return expr(depth - 1, k_not) + (chance(50) ? " and " : " or ") + expr(depth - 1, k_not);
    case 3:
        level = chance(30) ? k_not : k_arith;
        return level == k_not ? "not " + expr(depth - 1, k_not) : (chance(50) ? "-" : chance(50) ? "~" : "+") + primary(depth - 1);
    case 4:
        level = k_lambda;
        return expr(depth - 1, k_or) + " if " + expr(depth - 1, k_or) + " else " + expr(depth - 1, k_lambda);
    case 5:
        level = k_lambda;
        return lambda(depth);
    default:
        return atom(depth);
    }
}

// Something that can be called, subscripted or have an attribute taken (a number is parenthesised: "2.x"
// would be a malformed float).
std::string ProgramGenerator::primary(int depth) {
    if (depth <= 0)
        return name();
    switch (pick(9)) {
    case 0: case 1: case 2: return name();
    case 3: return string_literal();
    case 4: return display(depth);
    case 5: return "(" + bracket_break() + expr(depth - 1) + bracket_break() + ")";
    case 6: return call(depth);
    case 7: return subscript(depth);
    default: return "(" + number() + ")";
    }
}

std::string ProgramGenerator::target(int depth) {
    switch (pick(8)) {
    case 0: return name() + ", " + name();
    case 1: return "(" + name() + ", *" + name() + ")";
    case 2: return "[" + name() + ", " + name() + "]";
    case 3: return depth > 0 ? primary(depth - 1) + "." + name() : name();
    case 4: return depth > 0 ? primary(depth - 1) + "[" + expr(depth - 1) + "]" : name();
    default: return name();
    }
}

std::string ProgramGenerator::parameters(bool allow_annotations, bool line_breaks) {
    std::vector<std::string> params;
    static const std::vector<std::string> names = {"p", "q", "r", "s", "t"};
    const int n = pick(5);
    bool star = false;
    for (int i = 0; i < n; ++i) {
        std::string p = names[std::size_t(i)];
        if (allow_annotations && chance(20))
            p += ": int";
        if (chance(25) || (i > 0 && params.back().find('=') != std::string::npos && !star))
            p += "=" + atom(0);
        if (!star && chance(15)) {
            params.push_back(chance(50) ? "*" : "*args");
            star = true;
        }
        params.push_back(p);
    }
    if (chance(15))
        params.push_back("**kw");
    const bool outer = m_no_breaks;
    m_no_breaks = outer || !line_breaks;
    std::string text = join_items(params, ",");
    if (!line_breaks && text.ends_with(","))
        text.pop_back(); // a lambda's parameters end at ':', a trailing comma there is an error
    m_no_breaks = outer;
    return text;
}

// ---------------------------------------------------------------- statements

void ProgramGenerator::statement(const Context& ctx) {
    --m_budget;
    if (m_native_share > 0 && m_level < 3 && !ctx.in_class && chance(m_native_share / 2 + 1))
        viper_function();
    else if (m_level < 4 && chance(35))
        compound_statement(ctx);
    else
        simple_statement(ctx);
}

std::string ProgramGenerator::assignment(const Context& ctx) {
    const int r = pick(6);
    if (r == 0)
        return (chance(50) ? name() : primary(2) + "." + name()) + gap() + pick_of(k_augmented) + gap() + expr(2);
    if (r == 1)
        return name() + ":" + gap() + (chance(50) ? "int" : "list[int]") + (chance(60) ? " = " + expr(2) : "");
    if (r == 2 && !ctx.in_function)
        return pick_of(std::vector<std::string>{"_C", "C", "_X"}) + " = const(" + number() + ")";
    std::string text = target(2);
    if (chance(15))
        text += " = " + name();
    return text + gap() + "=" + gap() + (chance(30) ? implicit_concatenation() : expr(3));
}

std::string ProgramGenerator::import_statement() {
    switch (pick(5)) {
    case 0: return "import " + name() + (chance(30) ? " as " + name() : "");
    case 1: return "import os.path, " + name();
    case 2: return "from " + name() + " import " + name() + (chance(40) ? ", " + name() + " as y" : "");
    case 3: return "from . import " + name();
    default: return "from ..pkg.mod import (" + join_items({name(), name() + " as z"}, ",") + ")";
    }
}

void ProgramGenerator::simple_statement(const Context& ctx) {
    std::string text;
    switch (pick(16)) {
    case 0: case 1: case 2: text = assignment(ctx); break;
    case 3: case 4: text = expr(3); break;
    case 5: text = import_statement(); break;
    case 6: text = "del " + (chance(80) ? name() + (chance(30) ? ", " + name() : "") : target(1)); break;
    case 7: text = "assert " + expr(2) + (chance(40) ? ", " + string_literal() : ""); break;
    case 8: text = "raise" + (chance(70) ? " " + call(2) + (chance(20) ? " from " + name() : "") : ""); break;
    case 9: text = ctx.in_function || chance(1) ? "return" + (chance(70) ? " " + expr(2) : "") : "pass"; break;
    case 10: text = ctx.in_loop || chance(1) ? (chance(50) ? "break" : "continue") : "pass"; break;
    case 11: text = chance(10) ? (chance(90) ? "global g" : "nonlocal " + name()) : "pass"; break;
    case 12: text = ctx.in_function || chance(1) ? (chance(30) ? "yield from " + name()
                                                               : "yield" + (chance(60) ? " " + expr(2) : ""))
                                                 : "pass";
        break;
    case 13: text = ctx.in_async || chance(1) ? "await " + call(2) : "print(" + call_args(2) + ")"; break;
    case 14: text = "pass"; break;
    default: text = name() + "(" + call_args(2) + ")"; break;
    }
    if (chance(8))
        text += "; " + expr(1);
    if (m_error_token && chance(25)) {
        text += pick_of(k_error_tokens);
        m_error_token = false;
    }
    line(text);
}

void ProgramGenerator::compound_statement(const Context& ctx) {
    switch (pick(7)) {
    case 0: function_definition(ctx); break;
    case 1: class_definition(ctx); break;
    case 2: if_statement(ctx); break;
    case 3: loop_statement(ctx); break;
    case 4: try_statement(ctx); break;
    case 5: with_statement(ctx); break;
    default: if_statement(ctx); break;
    }
}

void ProgramGenerator::function_definition(const Context& ctx) {
    static const std::vector<std::string> decorators = {"@micropython.const", "@staticmethod", "@property",
                                                        "@decorator(1, 2)", "@a.b.c"};
    if (m_native_share > 0 && chance(m_native_share))
        line("@micropython.native");
    else if (chance(20))
        line(pick_of(decorators));
    const bool async = chance(15);
    line(std::string(async ? "async " : "") + "def " + (chance(50) ? "f" : "g" + std::to_string(pick(3))) + "(" +
         parameters(true, true) + ")" + (chance(10) ? " -> int" : "") + ":");
    Context inner = ctx;
    inner.in_function = true;
    inner.in_async = async;
    inner.in_loop = false;
    inner.in_class = false;
    if (chance(20))
        m_lines.push_back(std::string(std::size_t(m_level + 1) * m_indent_unit.size(), m_indent_unit[0]) +
                          string_literal()); // a docstring
    block(inner, 1 + pick(4));
}

void ProgramGenerator::class_definition(const Context& ctx) {
    line("class C" + std::to_string(pick(3)) + (chance(50) ? "(" + call_args(1) + ")" : chance(50) ? "()" : "") +
         ":");
    Context inner = ctx;
    inner.in_class = true;
    inner.in_loop = false;
    block(inner, 1 + pick(4));
}

void ProgramGenerator::if_statement(const Context& ctx) {
    line("if " + expr(3) + ":");
    block(ctx, 1 + pick(3));
    while (chance(30)) {
        line("elif " + expr(2) + ":");
        block(ctx, 1 + pick(2));
    }
    if (chance(40)) {
        line("else:");
        block(ctx, 1 + pick(2));
    }
}

void ProgramGenerator::loop_statement(const Context& ctx) {
    Context inner = ctx;
    inner.in_loop = true;
    const bool async_for = ctx.in_async && chance(30);
    if (chance(50))
        line("while " + expr(2) + ":");
    else
        line(std::string(async_for ? "async " : "") + "for " + target(1) + " in " +
             (chance(40) ? "range(" + call_args(1) + ")" : expr(2)) + ":");
    block(inner, 1 + pick(3));
    if (chance(25)) {
        line("else:");
        block(ctx, 1);
    }
}

void ProgramGenerator::try_statement(const Context& ctx) {
    line("try:");
    block(ctx, 1 + pick(3));
    const int handlers = chance(20) ? 0 : 1 + pick(3);
    for (int i = 0; i < handlers; ++i) {
        const int r = i + 1 < handlers ? 1 + pick(3) : pick(4); // a bare except only last
        line(r == 0 ? "except:" : r == 1 ? "except " + name() + ":" : r == 2 ? "except (A, B) as e:"
                                                                              : "except Exception as " + name() + ":");
        block(ctx, 1 + pick(2));
    }
    if (handlers > 0 && chance(25)) {
        line("else:");
        block(ctx, 1);
    }
    if (handlers == 0 || chance(30)) {
        line("finally:");
        block(ctx, 1 + pick(2));
    }
}

void ProgramGenerator::with_statement(const Context& ctx) {
    std::vector<std::string> items;
    const int n = 1 + pick(3);
    for (int i = 0; i < n; ++i)
        items.push_back(call(1) + (chance(50) ? " as " + target(0) : ""));
    std::string head = items[0];
    for (std::size_t i = 1; i < items.size(); ++i)
        head += ", " + items[i];
    line(std::string(ctx.in_async && chance(30) ? "async " : "") + "with " + head + ":");
    block(ctx, 1 + pick(3));
}

} // namespace mpyship::parity

// ---------------------------------------------------------------- viper

namespace mpyship::parity {

// A typed viper function: int/uint arguments and locals, machine arithmetic, a pointer to a buffer read
// and written in loops, now and then an object or a mistyped assignment (viper's own errors).
void ProgramGenerator::viper_function() {
    static const std::vector<std::string> ptrs = {"ptr8", "ptr16", "ptr32", "ptr"};
    const std::string ptr = pick_of(ptrs);
    const bool uses_buffer = chance(60);
    std::string params = "a: int, b" + std::string(chance(70) ? ": int" : "");
    if (uses_buffer)
        params += chance(50) ? ", buf: " + ptr : ", buf";
    line("@micropython.viper");
    line("def v" + std::to_string(pick(4)) + "(" + params + ")" + (chance(60) ? " -> int" : chance(50) ? " -> uint" : "") +
         ":");
    ++m_level;
    std::vector<std::string> ints = {"a"};
    if (uses_buffer && chance(70))
        line("p = " + ptr + "(buf)");
    line("x = " + viper_expr(1, ints));
    ints.push_back("x");
    if (chance(30)) {
        line("u = uint(" + viper_expr(1, ints) + ")");
        ints.push_back("u");
    }
    viper_block(ints, 2 + pick(4), false);
    line("return " + (chance(85) ? viper_expr(2, ints) : std::string(chance(50) ? "b" : "None")));
    --m_level;
}

std::string ProgramGenerator::viper_expr(int depth, const std::vector<std::string>& ints) {
    static const std::vector<std::string> ops = {"+", "-", "*", "&", "|", "^", "<<", ">>", "//", "%"};
    if (depth <= 0 || chance(30)) {
        switch (pick(6)) {
        case 0: return std::to_string(pick(300));
        case 1: return chance(90) ? "0x7f" : "0x7fffffff";
        case 2: return "int(" + pick_of(ints) + ")";
        default: return pick_of(ints);
        }
    }
    if (chance(10))
        return "p[" + viper_expr(0, ints) + "]"; // only valid with p: a type error otherwise
    if (chance(8))
        return "-" + viper_expr(depth - 1, ints);
    return "(" + viper_expr(depth - 1, ints) + " " + pick_of(ops) + " " + viper_expr(depth - 1, ints) + ")";
}

void ProgramGenerator::viper_block(std::vector<std::string>& ints, int statements, bool in_loop) {
    static const std::vector<std::string> compare = {"<", ">", "==", "!=", "<=", ">="};
    for (int i = 0; i < statements; ++i) {
        const std::string cond = viper_expr(1, ints) + " " + pick_of(compare) + " " + viper_expr(1, ints);
        switch (pick(8)) {
        case 0: line("x = " + viper_expr(2, ints)); break;
        case 1: line("x " + std::string(chance(50) ? "+=" : "^=") + " " + viper_expr(1, ints)); break;
        case 2: line("p[" + viper_expr(1, ints) + "] = " + viper_expr(1, ints)); break;
        case 3:
            line("if " + cond + ":");
            ++m_level;
            viper_block(ints, 1 + pick(2), in_loop);
            --m_level;
            if (chance(50)) {
                line("else:");
                ++m_level;
                viper_block(ints, 1, in_loop);
                --m_level;
            }
            break;
        case 4:
            if (m_level > 4) {
                line("x = x + 1");
                break;
            }
            line("for i in range(" + (chance(50) ? std::string("b") : viper_expr(0, ints)) + "):");
            ++m_level;
            ints.push_back("i");
            viper_block(ints, 1 + pick(3), true);
            ints.pop_back();
            --m_level;
            break;
        case 5:
            line("while " + cond + ":");
            ++m_level;
            line("x += 1");
            viper_block(ints, pick(2), true);
            --m_level;
            break;
        case 6: line(in_loop && chance(50) ? (chance(50) ? "break" : "continue") : "x = int(b)"); break;
        default: line(chance(80) ? "x = " + viper_expr(1, ints) : "x = " + name()); break; // a global object
        }
    }
}

} // namespace mpyship::parity
