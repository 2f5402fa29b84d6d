// Random Python programs for the differential fuzzer: every statement and expression form that MicroPython
// 1.28 or CircuitPython 10.2.1 may accept, spread over several lines inside brackets, with comments, blank
// lines, backslash continuations and odd spacing. A program depends only on its seed. Some programs are
// deliberately invalid (break outside a loop, nonlocal without a binding, ...) so error texts are compared too.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mpyship::parity {

class ProgramGenerator {
public:
    explicit ProgramGenerator(std::uint64_t seed);
    // Native code (for -march runs): `percent` of the functions get @micropython.native, and as many
    // typed @micropython.viper functions (int arithmetic, pointer loops) are added among the statements.
    void set_native_share(int percent) { m_native_share = percent; }
    std::string program();

private:
    struct Context {
        bool in_function = false;
        bool in_async = false;
        bool in_loop = false;
        bool in_class = false;
    };

    // random choices
    bool chance(int percent);
    int pick(int n);
    template <typename T> const T& pick_of(const std::vector<T>& items) { return items[pick(int(items.size()))]; }

    // layout
    std::string gap();                    // between tokens: usually one space, sometimes more or none
    std::string bracket_break();          // inside brackets: nothing, or newline + indentation + comment
    std::string join_items(const std::vector<std::string>& items, const std::string& sep);
    void line(const std::string& text);   // one logical line at the current indentation
    void block(const Context& ctx, int statements);

    // expressions
    // Precedence of a generated expression, loosest first: an operand that binds less tightly than its
    // position needs is parenthesised, so that most programs are valid.
    enum Level { k_lambda = 0, k_or = 1, k_not = 2, k_comparison = 3, k_arith = 4, k_atom = 5 };
    std::string expr(int depth, int min_level = k_lambda);
    std::string expr_with_level(int depth, int& level);
    std::string primary(int depth);
    std::string atom(int depth);
    std::string name();
    std::string number();
    std::string string_literal();
    std::string implicit_concatenation();
    std::string fstring(int depth);
    std::string display(int depth);
    std::string comprehension(int depth);
    std::string call(int depth);
    std::string call_args(int depth);
    std::string lambda(int depth);
    std::string subscript(int depth);
    std::string target(int depth);
    std::string parameters(bool allow_annotations, bool line_breaks);
    std::string constant_expression();

    // statements
    void statement(const Context& ctx);
    void simple_statement(const Context& ctx);
    void compound_statement(const Context& ctx);
    void function_definition(const Context& ctx);
    void viper_function();
    std::string viper_expr(int depth, const std::vector<std::string>& ints);
    void viper_block(std::vector<std::string>& ints, int statements, bool in_loop);
    void class_definition(const Context& ctx);
    void if_statement(const Context& ctx);
    void loop_statement(const Context& ctx);
    void try_statement(const Context& ctx);
    void with_statement(const Context& ctx);
    std::string assignment(const Context& ctx);
    std::string import_statement();

    std::mt19937_64 m_rng;
    std::vector<std::string> m_lines;
    std::string m_indent_unit;
    int m_level = 0;
    int m_budget = 0; // statements left in this program
    bool m_error_token = false; // one simple statement of this program still gets an erroneous token after it
    bool m_no_breaks = false; // outside brackets: no line breaks between items
    int m_native_share = 0;   // see set_native_share
};

} // namespace mpyship::parity
