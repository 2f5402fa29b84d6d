// Arbitrary-precision signed integers for literals and parse-time constant folding.
// Sign-magnitude with 32-bit limbs; semantics follow Python ints (floor division, modulo with the
// divisor's sign, shifts and bitwise ops as on infinite two's complement).
#pragma once

#include "mpyship/compiler/limb_vector.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mpyship::compiler {

class BigInt {
  public:
    BigInt() = default;
    BigInt(std::int64_t value); // NOLINT(google-explicit-constructor): ints convert naturally

    // Digits in `base` (2..36), no sign, no prefix, no underscores; nullopt on a bad digit or empty text.
    static std::optional<BigInt> from_digits(std::string_view digits, int base);

    bool is_zero() const { return m_mag.empty(); }
    bool is_negative() const { return m_neg; }
    std::optional<std::int64_t> to_int64() const;
    bool fits_bits(unsigned bits) const; // fits a signed two's-complement integer of `bits` bits
    std::uint64_t bit_length() const;    // of the magnitude
    double to_double() const;
    std::string to_string() const; // decimal, with '-' when negative
    const LimbVector& magnitude() const { return m_mag; }

    BigInt operator-() const;
    BigInt operator~() const { return -*this - BigInt(1); }
    friend BigInt operator+(const BigInt& a, const BigInt& b);
    friend BigInt operator-(const BigInt& a, const BigInt& b);
    friend BigInt operator*(const BigInt& a, const BigInt& b);
    friend BigInt operator&(const BigInt& a, const BigInt& b);
    friend BigInt operator|(const BigInt& a, const BigInt& b);
    friend BigInt operator^(const BigInt& a, const BigInt& b);
    friend bool operator==(const BigInt& a, const BigInt& b) = default;
    friend std::strong_ordering operator<=>(const BigInt& a, const BigInt& b);

    // Python floor division and modulo; nullopt when dividing by zero.
    static std::optional<std::pair<BigInt, BigInt>> floor_divmod(const BigInt& a, const BigInt& b);
    BigInt shifted_left(std::uint64_t bits) const;
    BigInt shifted_right(std::uint64_t bits) const; // rounds towards negative infinity
    // Non-negative exponent; nullopt if the result would exceed `max_bits`.
    static std::optional<BigInt> power(const BigInt& base, std::uint64_t exponent, std::uint64_t max_bits);

  private:
    bool m_neg = false;
    LimbVector m_mag; // little-endian limbs, no leading zero limbs

    void trim();
    static BigInt from_magnitude(LimbVector mag, bool neg);
    LimbVector twos_complement(std::size_t limbs) const;
    static BigInt from_twos_complement(LimbVector words);
    template <typename Op> static BigInt bitwise(const BigInt& a, const BigInt& b, Op op);
};

} // namespace mpyship::compiler
