// Float repr as mpy-cross stores it: digit count search, 'g' layout, special values, and folded
// quotients from tests/data/floats/quotient_reprs.tsv ("A / B * C" -> constant text).
#include "mpyship/compiler/float_parse.h"
#include "mpyship/compiler/float_repr.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace mpyship::compiler {
namespace {

double from_bits(std::uint64_t b) {
    return std::bit_cast<double>(b);
}
double literal(const std::string& text) {
    return parse_decimal_float(text).value().value;
}

TEST(FloatRepr, SpecialValues) {
    EXPECT_EQ(float_repr(0.0), "0.0");
    EXPECT_EQ(float_repr(-0.0), "-0.0");
    EXPECT_EQ(float_repr(HUGE_VAL), "inf");
    EXPECT_EQ(float_repr(-HUGE_VAL), "-inf");
    EXPECT_EQ(float_repr(std::nan("")), "nan");
    EXPECT_EQ(float_repr(-std::nan("")), "nan");
    EXPECT_EQ(imag_repr(0.0), "0j");
    EXPECT_EQ(imag_repr(HUGE_VAL), "infj");
}

TEST(FloatRepr, FixedAndExponentForms) {
    EXPECT_EQ(float_repr(1.0), "1.0");
    EXPECT_EQ(float_repr(100000.0), "100000.0");
    EXPECT_EQ(float_repr(1e15), "1000000000000000.0");
    EXPECT_EQ(float_repr(1e16), "1e+16");
    EXPECT_EQ(float_repr(0.0001), "0.0001");
    EXPECT_EQ(float_repr(1e-5), "1e-05");
    EXPECT_EQ(float_repr(-1e-5), "-1e-05");
    EXPECT_EQ(float_repr(1.5e300), "1.5e+300");
    EXPECT_EQ(imag_repr(2.0), "2j");
    EXPECT_EQ(imag_repr(1e16), "1e+16j");
}

TEST(FloatRepr, DigitsMustReadBackThroughTheReferenceParser) {
    EXPECT_EQ(float_repr(literal("76.6")), "76.59999999999999");
    EXPECT_EQ(float_repr(literal("84.020992")), "84.02099200000001");
    EXPECT_EQ(float_repr(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(float_repr(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(float_repr(1e23), "1e+23");
}

TEST(FloatRepr, Subnormals) {
    EXPECT_EQ(float_repr(from_bits(1)), "4.940656458412465e-324");
    EXPECT_EQ(float_repr(from_bits(2)), "0.988131291682493e-323"); // a leading zero digit, as the reference
    EXPECT_EQ(float_repr(from_bits(0x000fffffffffffffULL)), "2.225073858507201e-308");
}

TEST(FloatRepr, MatchesReferenceForFoldedQuotients) {
    std::ifstream in(test::data_dir() / "floats" / "quotient_reprs.tsv");
    int checked = 0;
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (line.empty() || line[0] == '#' || tab == std::string::npos)
            continue;
        std::istringstream expr(line.substr(0, tab));
        std::string a, div, b, mul, c;
        expr >> a >> div >> b >> mul >> c;
        const double value = literal(a) / literal(b) * literal(c);
        EXPECT_EQ(float_repr(value), line.substr(tab + 1)) << "expression " << line.substr(0, tab);
        ++checked;
    }
    EXPECT_GT(checked, 100);
}

} // namespace
} // namespace mpyship::compiler
