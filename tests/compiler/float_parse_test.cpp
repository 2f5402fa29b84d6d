// Float literal parsing: the reference's truncating decimal conversion, checked on single values and
// against tests/data/floats/literal_reprs.tsv (literal text -> constant text written by mpy-cross).
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/float_parse.h"
#include "mpyship/compiler/float_repr.h"
#include "mpyship/compiler/number_literal.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace mpyship::compiler {
namespace {

double parsed(std::string_view text) {
    return parse_decimal_float(text).value().value;
}
std::uint64_t bits(double d) {
    return std::bit_cast<std::uint64_t>(d);
}

// The stored text for a literal, the way the compiler produces it.
std::string constant_text(const std::string& literal) {
    const ConstValue v = parse_float_literal(literal, SourcePos{});
    if (const auto* imag = std::get_if<ImagValue>(&v.value))
        return imag_repr(imag->imag);
    return float_repr(std::get<double>(v.value));
}

std::vector<std::pair<std::string, std::string>> read_pairs(const std::string& name) {
    std::ifstream in(test::data_dir() / "floats" / name);
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (line.empty() || line[0] == '#' || tab == std::string::npos)
            continue;
        pairs.emplace_back(line.substr(0, tab), line.substr(tab + 1));
    }
    return pairs;
}

TEST(FloatParse, LengthStopsAtTheFirstForeignCharacter) {
    EXPECT_EQ(parse_decimal_float("1.5j")->length, 3u);
    EXPECT_EQ(parse_decimal_float("1e5.3")->length, 3u);
    EXPECT_EQ(parse_decimal_float("1.5.3")->length, 3u);
    EXPECT_EQ(parse_decimal_float("1_0.5")->length, 5u);
    EXPECT_EQ(parse_decimal_float("j")->length, 0u);
    EXPECT_FALSE(parse_decimal_float("1e"));
    EXPECT_FALSE(parse_decimal_float("1e+"));
}

TEST(FloatParse, UnderscoresAndShortForms) {
    EXPECT_EQ(parsed("1_0.5"), 10.5);
    EXPECT_EQ(parsed(".5"), 0.5);
    EXPECT_EQ(parsed("5."), 5.0);
    EXPECT_EQ(parsed("1E5"), 100000.0);
    EXPECT_EQ(parsed("1e-5"), parsed("0.00001"));
}

TEST(FloatParse, NotCorrectlyRounded) {
    // The scaling by ten in extended precision, rounded again to double, can miss by one unit.
    EXPECT_EQ(bits(parsed("0.59907494611605")), bits(0.59907494611605) + 1);
    EXPECT_EQ(bits(parsed("53016.09056203")), bits(53016.09056203) + 1);
    EXPECT_EQ(parsed("76.6"), 76.6);
    EXPECT_EQ(parsed("1e23"), 1e23);
    EXPECT_EQ(parsed("1e22"), 1e22);
}

TEST(FloatParse, DigitsBeyondTheMantissaLimitAreTruncated) {
    EXPECT_EQ(parsed("18446744073709551599"), parsed("18446744073709551590"));
    EXPECT_EQ(parsed("1844674407370955160999"), parsed("1844674407370955160000"));
    EXPECT_EQ(parsed("0." + std::string(400, '9')), parsed("0.9999999999999999999"));
}

TEST(FloatParse, RangeEnds) {
    EXPECT_EQ(parsed("5e-324"), 4.9406564584124654e-324);
    EXPECT_EQ(parsed("2.4703282292062327e-324"), 0.0);
    EXPECT_EQ(parsed("1.7976931348623157e308"), 1.7976931348623157e308);
    EXPECT_EQ(parsed("1e309"), HUGE_VAL);
    EXPECT_EQ(parsed("1e999999999999"), HUGE_VAL);
    EXPECT_EQ(parsed("1e-999999999999"), 0.0);
    EXPECT_EQ(parsed("0e999999999999"), 0.0);
}

TEST(FloatLiteral, ImaginaryAndErrors) {
    EXPECT_EQ(constant_text("2j"), "2j");
    EXPECT_EQ(constant_text("1.5e300J"), "1.5e+300j");
    EXPECT_EQ(constant_text("1e999j"), "infj");
    EXPECT_THROW(parse_float_literal("1e", SourcePos{}), CompileError);
    EXPECT_THROW(parse_float_literal("1.5x", SourcePos{}), CompileError);
}

TEST(FloatLiteral, MatchesReferenceConstants) {
    const auto pairs = read_pairs("literal_reprs.tsv");
    ASSERT_GT(pairs.size(), 400u);
    for (const auto& [literal, expected] : pairs)
        EXPECT_EQ(constant_text(literal), expected) << "literal " << literal;
}

} // namespace
} // namespace mpyship::compiler
