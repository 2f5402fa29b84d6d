// Constant folding as the reference parser does it, plus BigInt arithmetic underneath.
#include "mpyship/compiler/big_int.h"
#include "mpyship/compiler/huge_fold.h"
#include "mpyship/compiler/reference_heap.h"

#include "frontend_test_util.h"

#include <gtest/gtest.h>
#include <utility>

namespace mpyship::compiler {
namespace {

std::string folded(const std::string& expr) {
    return test::dump("x = " + expr + "\n");
}
std::string value(const std::string& v) {
    return "(Assign x " + v + ")\n";
}

// A reproducible int of `limbs` random 31-bit pieces (a linear congruential generator over `seed`).
BigInt random_int(std::uint64_t& seed, int limbs) {
    BigInt v(0);
    for (int i = 0; i < limbs; ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        v = v.shifted_left(32) + BigInt(static_cast<std::int64_t>(seed >> 33));
    }
    return v;
}

// Products large enough for the Karatsuba split, checked against shift-and-add (which uses no
// multiplication), for balanced and unbalanced sizes and both signs.
TEST(BigInt, LargeProductsMatchShiftAndAdd) {
    std::uint64_t seed = 12345;
    auto random_big = [&](int limbs) { return random_int(seed, limbs); };
    auto shift_and_add = [](const BigInt& a, const BigInt& b) {
        BigInt r(0);
        for (std::uint64_t bit = 0; bit < b.bit_length(); ++bit)
            if ((b.shifted_right(bit) & BigInt(1)).to_string() == "1")
                r = r + a.shifted_left(bit);
        return r;
    };
    for (auto [na, nb] : {std::pair{40, 40}, {41, 97}, {130, 45}, {200, 200}, {3, 300}}) {
        BigInt a = random_big(na), b = random_big(nb);
        EXPECT_EQ((a * b).to_string(), shift_and_add(a, b).to_string()) << na << " x " << nb << " limbs";
        EXPECT_EQ((-a * b).to_string(), (-shift_and_add(a, b)).to_string());
    }
    auto p = BigInt::power(BigInt(3), 20000, 1u << 18);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->bit_length(), 31700u); // floor(20000 * log2(3)) + 1 = floor(31699.25) + 1
}

// Algorithm D's corrections (an estimated quotient limb too large, the add-back) are exercised by divisors
// with a small second limb and dividends built from the divisor; q * b + r == a with 0 <= r < b checks
// every quotient without a second division routine.
TEST(BigInt, DivisionReassemblesTheDividend) {
    std::uint64_t seed = 987654321;
    auto random_big = [&](int limbs) { return random_int(seed, limbs); };
    auto check = [](const BigInt& a, const BigInt& b) {
        auto qr = BigInt::floor_divmod(a, b);
        ASSERT_TRUE(qr);
        const auto& [q, r] = *qr;
        EXPECT_TRUE((q * b + r - a).is_zero()) << a.bit_length() << " / " << b.bit_length() << " bits";
        EXPECT_FALSE(r.is_negative());
        EXPECT_TRUE((b - r).is_negative() == false && !(b - r).is_zero());
    };
    for (auto [na, nb] : {std::pair{2, 2}, {5, 2}, {40, 3}, {97, 41}, {300, 150}, {1000, 999}, {64, 63}})
        check(random_big(na), random_big(nb));
    const BigInt b = BigInt(1).shifted_left(95) + BigInt(1); // second limb zero: qhat overestimates
    check(b * b - BigInt(1), b);
    check(b * BigInt(0x7fffffff) + b - BigInt(1), b);
    const BigInt all_ones = BigInt(1).shifted_left(256) - BigInt(1);
    check(all_ones * all_ones, all_ones + BigInt(2));
    check(BigInt(1).shifted_left(4000), all_ones);
}

// Decimal text by divide and conquer: powers of ten and the numbers just below them cross every padding
// boundary of the split (9 * 2^k digits); random numbers round-trip through the decimal parser.
TEST(BigInt, DecimalTextOfLargeNumbers) {
    for (std::uint64_t digits : {575u, 576u, 577u, 1151u, 1152u, 1153u, 4607u, 4608u, 20000u}) {
        auto ten = BigInt::power(BigInt(10), digits, 1u << 20);
        ASSERT_TRUE(ten);
        EXPECT_EQ(ten->to_string(), "1" + std::string(digits, '0')) << digits;
        EXPECT_EQ((*ten - BigInt(1)).to_string(), std::string(digits, '9')) << digits;
        EXPECT_EQ((-*ten).to_string(), "-1" + std::string(digits, '0')) << digits;
    }
    const BigInt x = *BigInt::power(BigInt(3), 100000, 1u << 20) + BigInt(12345);
    const std::string text = x.to_string();
    EXPECT_TRUE((*BigInt::from_digits(text, 10) - x).is_zero());
    EXPECT_EQ(text.substr(text.size() - 3), "346"); // 3^100000 ends in ...001
}

TEST(BigInt, Arithmetic) {
    auto big = *BigInt::from_digits("123456789012345678901234567890", 10);
    EXPECT_EQ((big * big).to_string(), "15241578753238836750495351562536198787501905199875019052100");
    EXPECT_EQ(BigInt::floor_divmod(BigInt(-7), BigInt(2))->first.to_string(), "-4");
    EXPECT_EQ(BigInt::floor_divmod(BigInt(-7), BigInt(2))->second.to_string(), "1");
    EXPECT_EQ(BigInt::floor_divmod(BigInt(7), BigInt(-2))->second.to_string(), "-1");
    EXPECT_EQ(BigInt(-5).shifted_right(1).to_string(), "-3");
    EXPECT_EQ((BigInt(-6) & BigInt(3)).to_string(), "2");
    EXPECT_EQ((BigInt(-6) | BigInt(3)).to_string(), "-5");
    EXPECT_EQ((BigInt(-6) ^ BigInt(3)).to_string(), "-7");
    EXPECT_EQ((~BigInt(5)).to_string(), "-6");
    EXPECT_TRUE(BigInt(-1073741824).fits_bits(31));
    EXPECT_FALSE(BigInt(1073741824).fits_bits(31));
}

TEST(ConstFold, Integers) {
    EXPECT_EQ(folded("1 + 2 * 3 - 4"), value("3"));
    EXPECT_EQ(folded("2 ** 100"), value("1267650600228229401496703205376"));
    EXPECT_EQ(folded("1 << 70"), value("1180591620717411303424"));
    EXPECT_EQ(folded("-7 // 2, -7 % 2, 7 % -2"), value("(-4, 1, -1)"));
    EXPECT_EQ(folded("~5 & 0xff | 1 ^ 2"), value("251"));
    EXPECT_EQ(folded("2 ** -1"), value("0.5"));
    EXPECT_EQ(folded("7 / 2"), value("3.5"));
}

TEST(ConstFold, NotFolded) {
    EXPECT_EQ(folded("1 / 0"), value("(/ 1 0)"));
    EXPECT_EQ(folded("1 << -1"), value("(<< 1 -1)"));
    EXPECT_EQ(folded("1 + 2 + x"), value("(+ (+ 1 2) x)"));
    EXPECT_EQ(folded("True + 1"), value("(+ True 1)"));
    EXPECT_EQ(folded("'a' * 2"), value("(* 'a' 2)"));
    EXPECT_EQ(folded("(-8) ** 0.5"), value("(** -8 0.5)"));
    EXPECT_EQ(folded("1j * 2"), value("(* 1j 2)"));
    EXPECT_EQ(folded("[1, 2]"), value("(List 1 2)"));
    EXPECT_EQ(folded("()"), value("(Tuple)"));
}

// The largest folded int is the one mpy-cross 1.28 was measured to fold (1,048,577 bits, see const_fold.h).
TEST(ConstFold, LargestFoldedInt) {
    EXPECT_EQ(folded("(1 << 1048576) >> 1048575"), value("2"));
    EXPECT_EQ(folded("(2 ** 1048576) >> 1048575"), value("2"));
    EXPECT_EQ(folded("1 << 1048577"), value("(<< 1 1048577)"));
    EXPECT_EQ(folded("1 ** 78901234567890123456"), value("1")); // exponents beyond 64 bits: 0, 1, -1 only
    EXPECT_EQ(folded("(-1) ** 78901234567890123457"), value("-1"));
    EXPECT_EQ(folded("(-1) ** 78901234567890123456"), value("1"));
    EXPECT_EQ(folded("0 ** 78901234567890123456"), value("0"));
    EXPECT_EQ(folded("0 << (2 ** 63 - 1)"), value("0"));
    EXPECT_EQ(folded("0 << 2 ** 67"), value("(<< 0 147573952589676412928)")); // the count overflows there
    EXPECT_EQ(folded("2 ** 78901234567890123456"), value("(** 2 78901234567890123456)"));
    EXPECT_EQ(folded("2 ** 1048577"), value("(** 2 1048577)"));
    EXPECT_EQ(folded("(1 << 524288) * (1 << 524289)").rfind("(Assign x (* ", 0), 0u); // the operands fold, not the product
    EXPECT_EQ(folded("(1 << 524288) * (1 << 524288) >> 1048575"), value("2"));
}

// Beyond what we keep, the model of the reference's heap (huge_fold.h) says which results mpy-cross still folds.
// Each boundary was measured on mpy-cross 1.28 (largest folded, then the next one left as code); the goldens
// of tests/data/corpus/parity/huge_* hold the same boundaries as compiled files.
TEST(ConstFold, HugeResultsTheReferenceFoldsFollowItsHeap) {
    auto folds = [](BinOpKind op, std::int64_t a, std::int64_t b, Target t = Target::micropython) {
        return reference_folds_huge(op, BigInt(a), BigInt(b), t);
    };
    const std::pair<std::int64_t, std::int64_t> powers[] = {{2, 6275039}, {3, 3717805}, {10, 1834955}, {255, 784562}};
    for (auto [base, largest] : powers) {
        EXPECT_TRUE(folds(BinOpKind::pow, base, largest)) << base;
        EXPECT_FALSE(folds(BinOpKind::pow, base, largest + 1)) << base;
        const std::int64_t cp_largest = base == 255 ? 784567 : largest; // CircuitPython's heap: a block more
        EXPECT_TRUE(folds(BinOpKind::pow, base, cp_largest, Target::circuitpython)) << base;
        EXPECT_FALSE(folds(BinOpKind::pow, base, cp_largest + 1, Target::circuitpython)) << base;
    }
    EXPECT_TRUE(folds(BinOpKind::lshift, 1, 16626656));
    EXPECT_FALSE(folds(BinOpKind::lshift, 1, 16626657)); // the reference folds, then reports MemoryError
    EXPECT_TRUE(folds(BinOpKind::pow, -5, 1000001));
    EXPECT_FALSE(folds(BinOpKind::pow, 2, 1048576)); // kept: we fold it ourselves
    EXPECT_FALSE(folds(BinOpKind::mul, 1 << 30, 1 << 30));
    EXPECT_FALSE(folds(BinOpKind::pow, 2, -3));
    EXPECT_EQ(test::dump("2 ** 1953125\n"), "(Expr (** 2 1953125))\n"); // the node stays; codegen drops it
}

// Outer folds over such a value: those whose result stays huge are followed, the others left as code.
TEST(ConstFold, OuterFoldsOverAHugeResult) {
    const Target mp = Target::micropython;
    auto huge = reference_huge_fold(BinOpKind::pow, BigInt(2), BigInt(1953125), mp);
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->digits, 61036u); // 1,953,126 bits in 32-bit digits
    auto plus = reference_huge_with_int(BinOpKind::add, *huge, BigInt(1), true, mp);
    ASSERT_TRUE(plus);
    EXPECT_EQ(plus->digits, 61037u);
    EXPECT_TRUE(reference_huge_unary(UnaryOpKind::negative, *huge, mp));
    EXPECT_TRUE(reference_huge_with_int(BinOpKind::lshift, *huge, BigInt(3), true, mp));
    EXPECT_FALSE(reference_huge_with_int(BinOpKind::lshift, *huge, BigInt(3), false, mp)); // 3 << huge
    EXPECT_FALSE(reference_huge_with_int(BinOpKind::mul, *huge, BigInt(0), true, mp));     // 0: a value to hold
    EXPECT_FALSE(reference_huge_with_int(BinOpKind::rshift, *huge, BigInt(5), true, mp));
    EXPECT_FALSE(reference_huge_with_int(BinOpKind::bit_xor, *huge, BigInt(-1), true, mp));
    // A negation needs a second copy beside the first: mpy-cross folds -2 ** 6275039 (two 784 KB ints), but a
    // 1.5 MB shift leaves no room for its negation; +x is the same object.
    auto largest = reference_huge_fold(BinOpKind::pow, BigInt(2), BigInt(6275039), mp);
    ASSERT_TRUE(largest);
    EXPECT_TRUE(reference_huge_unary(UnaryOpKind::negative, *largest, mp));
    auto shifted = reference_huge_fold(BinOpKind::lshift, BigInt(1), BigInt(12000000), mp);
    ASSERT_TRUE(shifted);
    EXPECT_FALSE(reference_huge_unary(UnaryOpKind::negative, *shifted, mp));
    EXPECT_TRUE(reference_huge_unary(UnaryOpKind::positive, *shifted, mp));
}

TEST(ReferenceHeap, FirstFitGrowthInPlaceAndMoves) {
    ReferenceHeap heap(16);
    auto a = heap.allocate(32), b = heap.allocate(64), c = heap.allocate(32); // blocks 0, 1-2, 3
    ASSERT_TRUE(a && b && c);
    EXPECT_FALSE(heap.allocate(13 * 32)); // 12 blocks left
    heap.release(*b);
    auto grown = heap.reallocate(*a, 96); // blocks 1-2 are free: grows in place
    ASSERT_TRUE(grown);
    EXPECT_EQ(*grown, *a);
    auto moved = heap.reallocate(*c, 5 * 32); // nothing after c: it grows in place too
    ASSERT_TRUE(moved);
    EXPECT_EQ(*moved, *c);
    auto d = heap.allocate(32); // first fit from the lowest free block: 8
    ASSERT_TRUE(d);
    auto e = heap.reallocate(*a, 6 * 32); // blocks 3-7 are c's: a moves to 9-14
    ASSERT_TRUE(e);
    EXPECT_NE(*e, *a);
    EXPECT_TRUE(heap.allocate(3 * 32));  // a's old blocks 0-2, from the lowest free block again
    EXPECT_FALSE(heap.allocate(2 * 32)); // only block 15 is left
    EXPECT_TRUE(heap.allocate(32));
}

TEST(ConstFold, FloatsAndLogic) {
    EXPECT_EQ(folded("1.5 * 2"), value("3"));
    EXPECT_EQ(folded("-7.5 // 2"), value("-4"));
    EXPECT_EQ(folded("not 8"), value("False"));
    EXPECT_EQ(folded("0 or x or y"), value("(or x y)"));
    EXPECT_EQ(folded("x or 1 or y"), value("(or x 1)"));
    EXPECT_EQ(folded("1 and x"), value("x"));
    EXPECT_EQ(folded("math.pi"), value("3.1415926535897931"));
    EXPECT_EQ(folded("math.pi.real"), value("(. (. math pi) real)"));
    EXPECT_EQ(test::dump("async def f():\n  await math.pi\n"),
              "(AsyncDef f () - [(Expr (Await (. math pi)))])\n");
    EXPECT_EQ(folded("(1, 'a', (), None)"), value("(1, 'a', (), None)"));
}

TEST(ConstFold, ConstNames) {
    EXPECT_EQ(test::dump("X = const(5)\n_Y = const(X * 2)\nz = _Y + X\n"),
              "(Assign X 5)\n(ConstDef)\n(Assign z 15)\n");
    EXPECT_EQ(test::dump("_X = const(1)\n_X = const(2)\n"), "(ConstDef)\n(Assign const:1 (Call const 2))\n");
    EXPECT_EQ(test::dump("T = const((1, b'x'))\ny = T\n"),
              "(Assign T (1, b'x'))\n(Assign y const:(1, b'x'))\n");
}

// Substituted names are marked (codegen loads them as objects); values folded from them are not.
TEST(ConstFold, SubstitutedNamesAreMarked) {
    EXPECT_EQ(test::dump("A = const(True)\nx = A or y\nz = not A\n"),
              "(Assign A True)\n(Assign x const:True)\n(Assign z False)\n");
    EXPECT_EQ(test::dump("G = const(2)\nx = G + 1, G\n"), "(Assign G 2)\n(Assign x (3, 2))\n");
}

} // namespace
} // namespace mpyship::compiler
