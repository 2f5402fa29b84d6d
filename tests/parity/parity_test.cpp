// The differential fuzzer's parts, with our own compiler standing in where the reference would be: the
// generator is deterministic and mostly yields programs both targets compile, the mutator changes its input,
// the classifier names the first differing element, and the shrinker reaches a minimal program.
#include "mutator.h"
#include "outcome.h"
#include "program_generator.h"
#include "shrinker.h"

#include <gtest/gtest.h>

namespace mpyship::parity {
namespace {

Config mp() {
    return Config{};
}

TEST(ParityGenerator, SameSeedSameProgramOtherSeedOtherProgram) {
    EXPECT_EQ(ProgramGenerator(7).program(), ProgramGenerator(7).program());
    EXPECT_NE(ProgramGenerator(7).program(), ProgramGenerator(8).program());
}

TEST(ParityGenerator, MostProgramsCompileAndLinesAreSpread) {
    int compiled = 0, multi_line_brackets = 0;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        const std::string program = ProgramGenerator(seed).program();
        compiled += compile_ours(program, mp()).compiled ? 1 : 0;
        multi_line_brackets += program.find("(\n") != std::string::npos || program.find(",\n") != std::string::npos;
    }
    std::cout << "[  PARITY  ] " << compiled << " of 300 generated programs compile (MicroPython target)\n";
    EXPECT_GT(compiled, 150); // the rest are errors, compared too, but most programs must reach codegen
    EXPECT_GT(multi_line_brackets, 100);
}

TEST(ParityMutator, ChangesTheProgramDeterministically) {
    const std::string base = "def f(a, b):\n    return [a, b, 3]\nprint(f(1, 2))\n";
    EXPECT_EQ(Mutator(3).mutate(base), Mutator(3).mutate(base));
    int changed = 0;
    for (std::uint64_t seed = 0; seed < 50; ++seed)
        changed += Mutator(seed).mutate(base) != base;
    EXPECT_GT(changed, 40);
}

TEST(ParityOutcome, ClassifiesTheFirstDifferingElement) {
    const auto a = compile_ours("x = [1,\n 2]\n", mp());
    EXPECT_EQ(difference_class(compile_ours("x = 1\ny = 2\n", mp()), compile_ours("x = 1\n\ny = 2\n", mp())), "line table");
    EXPECT_EQ(difference_class(a, compile_ours("x = [1,\n 3]\n", mp())), "bytecode");
    EXPECT_EQ(difference_class(a, compile_ours("y = [1,\n 2]\n", mp())), "qstr table");
    EXPECT_EQ(difference_class(compile_ours("x = 'a'\n", mp()), compile_ours("x = 'b'\n", mp())), "qstr table");
    EXPECT_EQ(difference_class(compile_ours("x = 1.5\n", mp()), compile_ours("x = 2.5\n", mp())), "constants");
    EXPECT_EQ(difference_class(a, a), "");
    const auto error = compile_ours("x = (\n", mp());
    EXPECT_EQ(difference_class(error, a), "accepts: reference only (SyntaxError)");
    EXPECT_EQ(difference_class(a, error), "accepts: ours only (SyntaxError)");
    EXPECT_EQ(difference_class(error, compile_ours("\nx = (\n", mp())), "error text: SyntaxError");
    Config small = mp();
    small.small_int_bits = 16;
    EXPECT_EQ(difference_class(a, compile_ours("x = [1,\n 2]\n", small)), "header");
}

TEST(ParityOutcome, TheFStringHeapByteCountIsAKnownClassAndOtherMemoryErrorsAreNot) {
    Config cp = mp();
    cp.target = compiler::Target::circuitpython;
    const Outcome ours = compile_ours("f\"{[]f'{]}\"", cp); // the f-string loop: our budget's MemoryError
    ASSERT_FALSE(ours.compiled);
    ASSERT_EQ(ours.error.substr(0, 13), "MemoryError: ");
    Outcome reference;
    reference.error = "MemoryError: memory allocation failed, allocating 2077208 bytes\n";
    EXPECT_EQ(difference_class(ours, reference).substr(0, 7), "known: ");
    reference.error = ours.error;
    EXPECT_EQ(difference_class(ours, reference), "");
    reference.error = "Traceback (most recent call last):\n  File \"t.py\", line 1\nSyntaxError: invalid syntax\n";
    EXPECT_EQ(difference_class(ours, reference), "error kind: SyntaxError");
    // any other error of ours against the reference's byte count is still a difference
    reference.error = "MemoryError: memory allocation failed, allocating 2077208 bytes\n";
    EXPECT_EQ(difference_class(compile_ours("x = (\n", cp), reference), "error kind: MemoryError");
}

TEST(ParityShrinker, ReachesAMinimalProgram) {
    const std::string program = "import os\nfor i in range(3):\n    print(i)\nbreak\nx = [1,\n 2]\n";
    auto shows_break_error = [](const std::string& candidate) {
        const Outcome o = compile_ours(candidate, mp());
        return !o.compiled && o.error.find("'break'/'continue' outside loop") != std::string::npos;
    };
    ASSERT_TRUE(shows_break_error(program));
    EXPECT_EQ(shrink(program, shows_break_error), "break");
}

} // namespace
} // namespace mpyship::parity
