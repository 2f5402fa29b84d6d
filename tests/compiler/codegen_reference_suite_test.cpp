// Regressions found by compiling MicroPython's own test suite against the reference mpy-cross:
// comprehension line numbers, which call arguments count as the reference's `argument` nodes, the
// for-range form's small-int limits, and negated big ints that stay constant objects. Expected values
// were checked against mpy-cross v1.28.0 with snippets written for these tests.
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

Options options_with(std::uint8_t small_int_bits) {
    Options o;
    o.source_name = "t.py";
    o.small_int_bits = small_int_bits;
    return o;
}

mpy::Module compiled(const std::string& src, std::uint8_t small_int_bits = 31) {
    auto result = compile_module(src, options_with(small_int_bits));
    if (!result) {
        ADD_FAILURE() << result.error().message;
        return {};
    }
    return *result;
}

std::string text(const std::string& src, std::uint8_t small_int_bits = 31) {
    return mpy::disassemble(compiled(src, small_int_bits));
}

std::string error_of(const std::string& src) {
    auto result = compile_module(src, options_with(31));
    return result ? std::string("(compiled)") : result.error().message;
}

// The line table as "bytes+lines" pairs, counted from line 1.
std::string lines_of(const mpy::RawCode& rc) {
    std::string out;
    for (const mpy::LineEntry& e : mpy::decode_line_info(rc.prelude.line_info, nullptr))
        out +=
            (out.empty() ? "" : " ") + std::to_string(e.bytecode_delta) + '+' + std::to_string(e.line_delta);
    return out;
}

bool has(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// The comprehension function starts at the first token inside the brackets; the caller marks the
// opening bracket's line.
TEST(ReferenceSuite, ComprehensionScopeStartsAtItsFirstToken) {
    for (const char* src : {"v = [\n  k for k in s]\n", "v = {\n  k for k in s}\n",
                            "v = {\n  k: 0 for k in s}\n", "v = (\n  k for k in s)\n"}) {
        const mpy::Module m = compiled(src);
        EXPECT_EQ(lines_of(m.root), "") << src;                   // line 1: the bracket
        EXPECT_EQ(lines_of(m.root.children.at(0)), "0+1") << src; // line 2
    }
}

// A bare generator argument marks no line of its own in the caller.
TEST(ReferenceSuite, BareGeneratorArgumentMarksNoLine) {
    const mpy::Module m = compiled("g(\n  k for k in s)\n");
    EXPECT_EQ(lines_of(m.root), "");
    EXPECT_EQ(lines_of(m.root.children.at(0)), "0+1");
}

// Nested: the inner comprehension starts on its own line.
TEST(ReferenceSuite, NestedComprehensionLines) {
    const mpy::Module m = compiled("v = [\n  [a for a in b] for b in c]\n");
    EXPECT_EQ(lines_of(m.root.children.at(0)), "0+1");
}

// Only an unparenthesized generator or walrus is exempt from the argument-order checks.
TEST(ReferenceSuite, ParenthesizedArgumentsAreOrdinaryPositionals) {
    EXPECT_EQ(error_of("g(a=1, (k for k in s))\n"), "positional arg after keyword arg");
    EXPECT_EQ(error_of("g(a=1, (b := 2))\n"), "positional arg after keyword arg");
    EXPECT_EQ(error_of("g(**d, (b := 2))\n"), "positional arg after **");
    EXPECT_EQ(error_of("g(a=1, b := 2)\n"), "(compiled)");
}

// for-range: a parenthesized generator is an ordinary bound; a bare generator or walrus is not.
TEST(ReferenceSuite, ForRangeWithGeneratorBounds) {
    EXPECT_FALSE(has(text("for i in range(0, (k for k in s)):\n    pass\n"), "GET_ITER_STACK"));
    EXPECT_TRUE(has(text("for i in range(k for k in s):\n    pass\n"), "GET_ITER_STACK"));
    EXPECT_TRUE(has(text("for i in range(n := 3):\n    pass\n"), "GET_ITER_STACK"));
    EXPECT_FALSE(has(text("for i in range((n := 3)):\n    pass\n"), "GET_ITER_STACK"));
}

// for-range: the end and step are small ints only within -msmall-int-bits.
TEST(ReferenceSuite, ForRangeBoundsUseTheTargetSmallIntWidth) {
    const std::string wide = text("for i in range(70000):\n    pass\n", 16);
    EXPECT_TRUE(has(wide, "LOAD_CONST_OBJ 70000")) << wide;
    EXPECT_FALSE(has(wide, "GET_ITER_STACK")) << wide;
    EXPECT_TRUE(has(text("for i in range(0, 9, 70000):\n    pass\n", 16), "GET_ITER_STACK"));
    EXPECT_FALSE(has(text("for i in range(0, 9, 70000):\n    pass\n", 31), "GET_ITER_STACK"));
}

// Negating a big int gives a big-int object even when -(2**62) would fit a 63-bit small int; other
// folds of big ints come back as small ints.
TEST(ReferenceSuite, NegatedBigIntStaysAnObject) {
    const std::string out = text("a = -4611686018427387904\nb = 4611686018427387904 - 1\n", 63);
    EXPECT_TRUE(has(out, "LOAD_CONST_OBJ -4611686018427387904")) << out;
    EXPECT_TRUE(has(out, "LOAD_CONST_SMALL_INT 4611686018427387903")) << out;
    EXPECT_TRUE(has(text("a = -4611686018427387903\n", 63), "LOAD_CONST_SMALL_INT -4611686018427387903"));
}

// ... also through a const() name (found by the differential fuzzer: the name's value became a small int).
TEST(ReferenceSuite, NegatedBigIntThroughAConstNameStaysAnObject) {
    const std::string out = text("_A = const(-(1 << 62))\nB = const(-(1 << 62))\nx = _A\ny = B\n", 63);
    EXPECT_FALSE(has(out, "LOAD_CONST_SMALL_INT -4611686018427387904")) << out;
    EXPECT_TRUE(has(out, "LOAD_CONST_OBJ -4611686018427387904")) << out;
}

} // namespace
} // namespace mpyship::compiler
