// Constant folding of unary and binary operators on int (BigInt) and float operands.
#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/small_int.h"

#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

namespace mpyship::compiler {
namespace {

constexpr std::uint64_t k_shared_nan_bits = 0x7ff8000000004d50; // quiet NaN, payload "MP"

std::optional<ConstValue> fold_int(BinOpKind op, const BigInt& a, const BigInt& b);

double as_double(const ConstValue& v) {
    return v.is_float() ? std::get<double>(v.value) : std::get<BigInt>(v.value).to_double();
}

// A computed NaN is a new object, never the shared math.nan.
ConstValue make_float(double d) {
    return ConstValue{std::isnan(d) ? std::numeric_limits<double>::quiet_NaN() : d};
}

std::optional<ConstValue> float_floordiv(double x, double y) {
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0 && (mod < 0.0) != (y < 0.0)) {
        div -= 1.0;
    }
    if (div == 0.0) {
        return make_float(std::copysign(0.0, x / y));
    }
    double floordiv = std::floor(div);
    if (div - floordiv > 0.5) {
        floordiv += 1.0;
    }
    return make_float(floordiv);
}

std::optional<ConstValue> float_mod(double x, double y) {
    double m = std::fmod(x, y);
    if (m == 0.0) {
        return make_float(std::copysign(0.0, y));
    }
    return make_float((m < 0.0) != (y < 0.0) ? m + y : m);
}

std::optional<ConstValue> float_pow(double x, double y) {
    if (x == 0.0 && y < 0.0 && !std::isinf(y)) {
        return std::nullopt; // ZeroDivisionError
    }
    if (x < 0.0 && y != std::floor(y) && !std::isnan(y)) {
        return std::nullopt; // complex result
    }
    return make_float(std::pow(x, y));
}

std::optional<ConstValue> fold_float(BinOpKind op, double x, double y) {
    switch (op) {
    case BinOpKind::add:
        return make_float(x + y);
    case BinOpKind::sub:
        return make_float(x - y);
    case BinOpKind::mul:
        return make_float(x * y);
    case BinOpKind::div:
        return y == 0.0 ? std::nullopt : std::optional{make_float(x / y)};
    case BinOpKind::floordiv:
        return y == 0.0 ? std::nullopt : float_floordiv(x, y);
    case BinOpKind::mod:
        return y == 0.0 ? std::nullopt : float_mod(x, y);
    case BinOpKind::pow:
        return float_pow(x, y);
    default:
        return std::nullopt; // bitwise ops, shifts and @ are not defined for floats
    }
}

std::optional<ConstValue> int_shift(BinOpKind op, const BigInt& a, const BigInt& b) {
    if (b.is_negative()) {
        return std::nullopt; // ValueError: negative shift count
    }
    auto count = b.to_int64();
    if (op == BinOpKind::rshift) {
        if (!count) {
            return std::nullopt; // a count beyond 64 bits overflows in the reference: left to run time
        }
        return ConstValue{a.shifted_right(static_cast<std::uint64_t>(*count))};
    }
    if (!count) {
        return std::nullopt; // beyond 64 bits the count overflows in the reference, even for 0 << n
    }
    if (a.is_zero()) {
        return ConstValue{BigInt(0)};
    }
    if (a.bit_length() + static_cast<std::uint64_t>(*count) > k_max_folded_int_bits) {
        return std::nullopt;
    }
    return ConstValue{a.shifted_left(static_cast<std::uint64_t>(*count))};
}

std::optional<ConstValue> int_pow(const BigInt& a, const BigInt& b) {
    if (b.is_negative()) {
        return float_pow(a.to_double(), b.to_double());
    }
    auto exponent = b.to_int64();
    if (!exponent) {
        // Beyond 64 bits only 0, 1 and -1 give results the reference folds (b is positive here).
        if (a.is_zero() || a.bit_length() == 1) {
            const bool odd = !(b & BigInt(1)).is_zero();
            return ConstValue{a.is_negative() && !odd ? BigInt(1) : a};
        }
        return std::nullopt;
    }
    auto r = BigInt::power(a, static_cast<std::uint64_t>(*exponent), k_max_folded_int_bits);
    return r ? std::optional{ConstValue{*r}} : std::nullopt;
}

std::optional<ConstValue> fold_int(BinOpKind op, const BigInt& a, const BigInt& b) {
    switch (op) {
    case BinOpKind::bit_or:
        return ConstValue{a | b};
    case BinOpKind::bit_xor:
        return ConstValue{a ^ b};
    case BinOpKind::bit_and:
        return ConstValue{a & b};
    case BinOpKind::lshift:
    case BinOpKind::rshift:
        return int_shift(op, a, b);
    case BinOpKind::add:
        return ConstValue{a + b};
    case BinOpKind::sub:
        return ConstValue{a - b};
    case BinOpKind::mul: { // a product has the sum of the bit lengths, or one bit less
        if (a.bit_length() + b.bit_length() > k_max_folded_int_bits + 1)
            return std::nullopt;
        BigInt product = a * b;
        if (product.bit_length() > k_max_folded_int_bits)
            return std::nullopt;
        return ConstValue{std::move(product)};
    }
    case BinOpKind::div:
        return b.is_zero() ? std::nullopt : std::optional{make_float(a.to_double() / b.to_double())};
    case BinOpKind::floordiv:
    case BinOpKind::mod: {
        auto qr = BigInt::floor_divmod(a, b);
        if (!qr) {
            return std::nullopt;
        }
        return ConstValue{op == BinOpKind::floordiv ? qr->first : qr->second};
    }
    case BinOpKind::pow:
        return int_pow(a, b);
    case BinOpKind::matmul:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

std::optional<ConstValue> fold_binary(BinOpKind op, const ConstValue& lhs, const ConstValue& rhs) {
    if (!lhs.is_number() || !rhs.is_number()) {
        return std::nullopt;
    }
    if (lhs.is_int() && rhs.is_int()) {
        return fold_int(op, std::get<BigInt>(lhs.value), std::get<BigInt>(rhs.value));
    }
    return fold_float(op, as_double(lhs), as_double(rhs));
}

std::optional<ConstValue> fold_unary(UnaryOpKind op, const ConstValue& operand) {
    if (op == UnaryOpKind::not_) {
        return ConstValue{!operand.truthiness()};
    }
    if (!operand.is_number() || (op == UnaryOpKind::invert && !operand.is_int())) {
        return std::nullopt;
    }
    if (operand.is_float()) {
        if (op == UnaryOpKind::positive)
            return operand; // +x is x itself: math.nan stays the shared object
        return make_float(-std::get<double>(operand.value));
    }
    const auto& i = std::get<BigInt>(operand.value);
    return ConstValue{op == UnaryOpKind::negative ? -i : op == UnaryOpKind::invert ? ~i : i};
}

bool is_constant_expr(const Expr& e) {
    return e.kind == ExprKind::constant || (e.kind == ExprKind::tuple && e.as<Sequence>().elts.empty());
}

ConstValue constant_of(const Expr& e) {
    if (e.kind == ExprKind::constant) {
        return e.as<Constant>().value;
    }
    return ConstValue{ConstTuple{}};
}

std::optional<ConstValue> math_constant(std::string_view attr) {
    if (attr == "pi") {
        return ConstValue{std::numbers::pi};
    }
    if (attr == "e") {
        return ConstValue{std::numbers::e};
    }
    if (attr == "tau") {
        return ConstValue{2 * std::numbers::pi};
    }
    if (attr == "inf") {
        return ConstValue{HUGE_VAL};
    }
    if (attr == "nan") {
        return ConstValue{shared_math_nan()};
    }
    return std::nullopt;
}

double shared_math_nan() {
    return std::bit_cast<double>(k_shared_nan_bits);
}

bool is_shared_math_nan(double value) {
    return std::bit_cast<std::uint64_t>(value) == k_shared_nan_bits;
}

bool ConstValue::truthiness() const {
    return std::visit(
        [](const auto& v) -> bool {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, NoneValue>) {
                return false;
            } else if constexpr (std::is_same_v<T, bool>) {
                return v;
            } else if constexpr (std::is_same_v<T, EllipsisValue>) {
                return true;
            } else if constexpr (std::is_same_v<T, BigInt>) {
                return !v.is_zero();
            } else if constexpr (std::is_same_v<T, double>) {
                return v != 0.0;
            } else if constexpr (std::is_same_v<T, ImagValue>) {
                return v.imag != 0.0;
            } else if constexpr (std::is_same_v<T, ConstTuple>) {
                return !v.empty();
            } else {
                return !v.bytes.empty();
            }
        },
        value);
}

bool is_host_big_int(const ConstValue& value) {
    const auto* i = std::get_if<BigInt>(&value.value);
    if (i == nullptr)
        return false;
    const auto v = i->to_int64();
    return !v.has_value() || !fits_small_int(*v, 63);
}

} // namespace mpyship::compiler
