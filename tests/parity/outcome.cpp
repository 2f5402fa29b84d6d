#include "outcome.h"

#include "mpyship/compiler/compiler.h"
#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/error_text.h"
#include "mpyship/mpy/format.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <stdexcept>

namespace mpyship::parity {

namespace {

// The exception name on the last line of an error text ("SyntaxError: invalid syntax" -> "SyntaxError").
std::string error_kind(const std::string& text) {
    std::string last = text;
    while (!last.empty() && (last.back() == '\n' || last.back() == '\r'))
        last.pop_back();
    last = last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1);
    return last.substr(0, last.find(':'));
}

bool same_prelude_except_lines(const mpy::Prelude& a, const mpy::Prelude& b) {
    return a.n_state == b.n_state && a.n_exc_stack == b.n_exc_stack && a.scope_flags == b.scope_flags &&
           a.n_pos_args == b.n_pos_args && a.n_kwonly_args == b.n_kwonly_args &&
           a.n_def_pos_args == b.n_def_pos_args && a.simple_name == b.simple_name &&
           a.arg_names == b.arg_names && a.cells == b.cells;
}

// The most severe difference within two raw-code trees: 0 none, 1 line table, 2 prelude, 3 bytecode/shape.
int tree_difference(const mpy::RawCode& a, const mpy::RawCode& b) {
    if (a.kind != b.kind || a.children.size() != b.children.size() || a.bytecode != b.bytecode ||
        !(a.native.code == b.native.code))
        return 3;
    int worst = 0;
    if (!same_prelude_except_lines(a.prelude, b.prelude))
        worst = 2;
    else if (a.prelude.line_info != b.prelude.line_info)
        worst = 1;
    for (std::size_t i = 0; i < a.children.size(); ++i)
        worst = std::max(worst, tree_difference(a.children[i], b.children[i]));
    return worst;
}

bool same_qstrs(const mpy::Module& a, const mpy::Module& b) {
    if (a.qstrs.size() != b.qstrs.size())
        return false;
    for (std::size_t i = 0; i < a.qstrs.size(); ++i)
        if (a.qstrs[i].is_static != b.qstrs[i].is_static || a.qstrs[i].text != b.qstrs[i].text)
            return false;
    return true;
}

// An int constant beyond the largest fold we reproduce (compiler::k_max_folded_int_bits): above it the
// reference folds while its heap holds the result, a copy and the decimal text, a limit that moves with
// the rest of the program. Differences there are a known, documented class.
constexpr const char* k_known_big_int = "known: the reference folds an int beyond 1,048,577 bits";

// CircuitPython's f-string loop (its lexer reads back the argument text it is writing) ends when the 2 MiB
// heap is full. Our budget reports it as the reference does when the heap is too full to hold a message
// ("MemoryError: ", the case); where the failing request is the text buffer's own growth, the
// reference's message names that request's size, which depends on everything else on its heap at that
// moment (measured: 2,077,208 bytes for `f"{[]f'{]}"` alone, moving with -X heapsize). Known, documented.
constexpr const char* k_known_fstring_heap =
    "known: CircuitPython's f-string loop fills the heap (the reference's MemoryError names a byte count)";

bool is_fstring_budget_error(const std::string& error) {
    return error == "MemoryError: \n" || error == "MemoryError: ";
}

// The most decimal digits an int of k_max_folded_int_bits bits has (315,654).
constexpr std::size_t k_digits_of_limit =
    std::size_t(double(compiler::k_max_folded_int_bits) * 0.30102999566398120) + 1;

bool holds_int_beyond_fold_limit(const std::vector<mpy::Constant>& constants) {
    for (const mpy::Constant& c : constants) {
        const std::size_t digits = c.data.size() - (c.data.starts_with('-') ? 1 : 0);
        if ((c.kind == mpy::ObjKind::int_ && digits > k_digits_of_limit) ||
            (c.kind == mpy::ObjKind::tuple && holds_int_beyond_fold_limit(c.items)))
            return true;
    }
    return false;
}

std::string module_difference(const std::vector<std::uint8_t>& ours, const std::vector<std::uint8_t>& ref) {
    if (ours.size() < 4 || ref.size() < 4 || !std::equal(ours.begin(), ours.begin() + 4, ref.begin()))
        return "header";
    const auto a = mpy::read_module(ours);
    const auto b = mpy::read_module(ref);
    if (!a || !b)
        return a ? "reference output unreadable" : "our output unreadable";
    if (holds_int_beyond_fold_limit(b->constants) && !holds_int_beyond_fold_limit(a->constants))
        return k_known_big_int;
    if (!same_qstrs(*a, *b))
        return "qstr table";
    if (a->constants != b->constants)
        return "constants";
    switch (tree_difference(a->root, b->root)) {
    case 3: return "bytecode";
    case 2: return "prelude";
    case 1: return "line table";
    default: return "bytes only (models equal)";
    }
}

} // namespace

std::string describe(const Config& config) {
    return std::string(config.target == compiler::Target::micropython ? "mp" : "cp") + " -O" +
           std::to_string(config.opt_level) + " -msmall-int-bits=" + std::to_string(config.small_int_bits) +
           (config.march.empty() ? "" : " -march=" + config.march);
}

std::string difference_class(const Outcome& ours, const Outcome& reference) {
    if (reference.timed_out)
        return "reference timed out";
    if (ours.compiled && reference.compiled)
        return ours.mpy == reference.mpy ? "" : module_difference(ours.mpy, reference.mpy);
    if (!ours.compiled && !reference.compiled) {
        if (ours.error == reference.error)
            return "";
        if (is_fstring_budget_error(ours.error) &&
            reference.error.starts_with("MemoryError: memory allocation failed, allocating "))
            return k_known_fstring_heap;
        const std::string kind = error_kind(reference.error);
        return kind == error_kind(ours.error) ? "error text: " + kind : "error kind: " + kind;
    }
    // A fold too big for the reference's heap ("allocating N bytes": an int's digits or limbs), where we
    // leave the expression unfolded: the same known band (the f-string budget's MemoryError has no text)
    if (ours.compiled && reference.error.find("MemoryError: memory allocation failed, allocating") != std::string::npos)
        return k_known_big_int;
    if (reference.compiled && ours.error.find("not a constant") != std::string::npos) {
        // const() of an int we do not fold: the reference folded it (known when its output holds one)
        const auto module = mpy::read_module(reference.mpy);
        if (module && holds_int_beyond_fold_limit(module->constants))
            return k_known_big_int;
    }
    return reference.compiled ? "accepts: reference only (" + error_kind(ours.error) + ")"
                              : "accepts: ours only (" + error_kind(reference.error) + ")";
}

Outcome compile_ours(const std::string& source, const Config& config) {
    compiler::Options options;
    options.target = config.target;
    options.opt_level = config.opt_level;
    options.small_int_bits = std::uint8_t(config.small_int_bits);
    options.source_name = "t.py";
    if (!config.march.empty()) {
        const auto arch = mpy::native_arch_from_name(config.march);
        if (!arch)
            throw std::runtime_error("unknown -march " + config.march);
        options.arch = *arch;
        options.march_given = true;
    }
    const auto result = compiler::compile_module(source, options);
    Outcome outcome;
    if (!result) {
        outcome.error = compiler::mpy_cross_error_text(result.error(), "t.py", config.target);
        return outcome;
    }
    outcome.compiled = true;
    outcome.mpy = mpy::write_module(*result);
    return outcome;
}

bool refused_as_not_implemented(const Outcome& ours) {
    return !ours.compiled && ours.error.find("is not implemented yet") != std::string::npos;
}

} // namespace mpyship::parity
