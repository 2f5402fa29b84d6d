// Code-generation snapshots for rules established against the reference compilers: which constructs
// record a line-number entry (const() definitions, statement blocks, trailers on later lines) and how
// names replaced by const() values are loaded. Expected values were checked byte for byte against
// mpy-cross v1.28.0 and CircuitPython 10.2.1's mpy-cross.
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

mpy::Module compiled(const std::string& src, Target target = Target::micropython) {
    Options o;
    o.target = target;
    o.source_name = "t.py";
    auto result = compile_module(src, o);
    if (!result) {
        ADD_FAILURE() << result.error().message;
        return {};
    }
    return *result;
}

// The raw line-table entries of a code object as "bytes+lines", e.g. "0+3 0+1 4+2".
std::string raw_lines(const mpy::RawCode& rc) {
    std::string out;
    for (const mpy::LineEntry& e : mpy::decode_line_info(rc.prelude.line_info, nullptr)) {
        out +=
            (out.empty() ? "" : " ") + std::to_string(e.bytecode_delta) + '+' + std::to_string(e.line_delta);
    }
    return out;
}

std::string module_lines(const std::string& src) {
    return raw_lines(compiled(src).root);
}
std::string first_child_lines(const std::string& src) {
    return raw_lines(compiled(src).root.children.at(0));
}
std::string text(const std::string& src) {
    return mpy::disassemble(compiled(src));
}

// `_X = const(v)` records no line; a lonely constant (docstring) does.
TEST(CodegenLines, ConstDefinitionHasNoLine) {
    EXPECT_EQ(module_lines("_A = const(1)\n\n\n\nx = 1\n"), "0+3 0+1");
    EXPECT_EQ(module_lines("x = 1\n'doc'\n\ny = 2\n"), "3+1 0+2");
}

// An indented block of two or more statements marks the line of its first statement, which shows
// when that statement is a const() definition; the module's own block never does.
TEST(CodegenLines, BlockOfSeveralStatementsMarksItsFirstLine) {
    EXPECT_EQ(first_child_lines("def f():\n    _C = const(3)\n    return 1\n"), "0+1 0+1");
    EXPECT_EQ(first_child_lines("def f():\n    _C = const(3)\n"), "");
    EXPECT_EQ(module_lines("if x:\n    _D = const(4)\n    y = 2\n"), "4+1 0+1");
    EXPECT_EQ(module_lines("# c\n\n_A = const(1)\nx = 1\n"), "0+3");
}

// A trailer on a later line marks the line of its '(' / '[' / '.', after the subject is compiled;
// the `.f(` of a method call marks nothing. Assignment targets mark every trailer but the last.
TEST(CodegenLines, TrailersOnLaterLines) {
    EXPECT_EQ(module_lines("x = (a\n  .b\n  [1]\n  (2))\n"), "2+1 2+1 2+1");
    EXPECT_EQ(module_lines("x = (a\n  .f(\n  1))\n"), "");
    EXPECT_EQ(module_lines("(a\n .b\n .c).d = 1\n"), "3+1 2+1");
}

// A name replaced by its const() value is a constant object unless it is a small int.
TEST(CodegenConst, SubstitutedNamesAreConstantObjects) {
    const std::string out = text("A = const(True)\nS = const('ab')\nE = const(())\nG = const(1)\n"
                                 "print(A, S, E, G, not A)\n");
    EXPECT_NE(out.find("LOAD_CONST_OBJ True"), std::string::npos) << out;
    EXPECT_NE(out.find("LOAD_CONST_OBJ 'ab'"), std::string::npos) << out;
    EXPECT_NE(out.find("LOAD_CONST_OBJ ()"), std::string::npos) << out;
    EXPECT_NE(out.find("LOAD_CONST_SMALL_INT 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("LOAD_CONST_FALSE"), std::string::npos) << out; // `not A` folds to a plain False
}

// The substituted object carries the name's line.
TEST(CodegenConst, SubstitutedObjectMarksItsLine) {
    EXPECT_EQ(module_lines("A = const(None)\nprint(1,\n  A)\n"), "3+1 3+1");
}

// CircuitPython accepts f'{}' and passes () to format().
TEST(CodegenFString, EmptyFieldOnCircuitPython) {
    const std::string out = mpy::disassemble(compiled("x = f'{}'\n", Target::circuitpython));
    EXPECT_NE(out.find("BUILD_TUPLE 0"), std::string::npos) << out;
}

} // namespace
} // namespace mpyship::compiler

namespace mpyship::compiler {
namespace {

// The reference's `math.nan` is one object: its uses (also through `+` and inside equal tuples) share a
// constant; a NaN computed by folding (`-math.nan`, `inf - inf`) is a new object each time.
// Checked byte for byte against mpy-cross v1.28.0 (5 constants).
TEST(CodegenConst, MathNanIsOneSharedObject) {
    auto m = compiled("import math\na = math.nan\nb = math.nan\nc = -math.nan\nd = -math.nan\n"
                      "e = (math.nan, 1)\nf = (math.nan, 1)\ng = +math.nan\nh = math.inf - math.inf\n");
    ASSERT_EQ(m.constants.size(), 5u);
    EXPECT_EQ(m.constants[0].data, "nan");
    EXPECT_EQ(m.constants[3].kind, mpy::ObjKind::tuple);
    for (std::size_t i : {0u, 1u, 2u, 4u})
        EXPECT_EQ(m.constants[i].kind, mpy::ObjKind::float_) << i;
}

} // namespace
} // namespace mpyship::compiler
