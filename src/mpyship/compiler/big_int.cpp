// BigInt arithmetic: magnitude helpers (add, subtract, multiply, divide) and the signed operations
// built on them. Simple schoolbook algorithms; inputs are source literals and folded constants.
#include "mpyship/compiler/big_int.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <iterator>
#include <vector>

namespace mpyship::compiler {
namespace {

using Mag = LimbVector;

void trim_mag(Mag& m) {
    while (!m.empty() && m.back() == 0) {
        m.pop_back();
    }
}

int compare_mag(const Mag& a, const Mag& b) {
    if (a.size() != b.size()) {
        return a.size() < b.size() ? -1 : 1;
    }
    for (std::size_t i = a.size(); i-- > 0;) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

Mag add_mag(const Mag& a, const Mag& b) {
    Mag r(std::max(a.size(), b.size()) + 1, 0);
    std::uint64_t carry = 0;
    for (std::size_t i = 0; i + 1 < r.size(); ++i) {
        std::uint64_t s = carry + (i < a.size() ? a[i] : 0) + (i < b.size() ? b[i] : 0);
        r[i] = static_cast<std::uint32_t>(s);
        carry = s >> 32;
    }
    r.back() = static_cast<std::uint32_t>(carry);
    trim_mag(r);
    return r;
}

Mag sub_mag(const Mag& a, const Mag& b) { // requires a >= b
    Mag r(a.size(), 0);
    std::int64_t borrow = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::int64_t d = static_cast<std::int64_t>(a[i]) - (i < b.size() ? b[i] : 0) - borrow;
        borrow = d < 0 ? 1 : 0;
        r[i] = static_cast<std::uint32_t>(d + (borrow << 32));
    }
    trim_mag(r);
    return r;
}

Mag shl_mag(const Mag& m, std::uint64_t bits);

Mag mul_schoolbook(const Mag& a, const Mag& b) {
    if (a.empty() || b.empty()) {
        return {};
    }
    Mag r(a.size() + b.size(), 0);
    const std::uint32_t* pa = a.data();
    const std::uint32_t* pb = b.data();
    std::uint32_t* pr = r.data();
    for (std::size_t i = 0; i < a.size(); ++i) {
        std::uint64_t carry = 0;
        for (std::size_t j = 0; j < b.size(); ++j) {
            std::uint64_t t = static_cast<std::uint64_t>(pa[i]) * pb[j] + pr[i + j] + carry;
            pr[i + j] = static_cast<std::uint32_t>(t);
            carry = t >> 32;
        }
        pr[i + b.size()] = static_cast<std::uint32_t>(carry);
    }
    trim_mag(r);
    return r;
}

// Limbs [from, to) of m (clamped), trimmed.
Mag slice_mag(const Mag& m, std::size_t from, std::size_t to) {
    to = std::min(to, m.size());
    Mag r;
    if (from < to) {
        r.resize(to - from, 0);
        std::copy(m.data() + from, m.data() + to, r.data());
    }
    trim_mag(r);
    return r;
}

// Below this many limbs in the shorter factor, the schoolbook product is faster than splitting.
constexpr std::size_t k_karatsuba_limbs = 40;

// Karatsuba: with a = a1·B + a0 and b = b1·B + b0 (B = 2^(32·half)), a·b = z2·B² + z1·B + z0 where
// z0 = a0·b0, z2 = a1·b1, z1 = (a0 + a1)(b0 + b1) − z0 − z2. Folding `x ** n` squares numbers of
// thousands of limbs, where this is several times faster than the schoolbook product.
Mag mul_mag(const Mag& a, const Mag& b) {
    if (std::min(a.size(), b.size()) < k_karatsuba_limbs) {
        return mul_schoolbook(a, b);
    }
    const std::size_t half = std::max(a.size(), b.size()) / 2;
    Mag a0 = slice_mag(a, 0, half), a1 = slice_mag(a, half, a.size());
    Mag b0 = slice_mag(b, 0, half), b1 = slice_mag(b, half, b.size());
    Mag z0 = mul_mag(a0, b0);
    Mag z2 = mul_mag(a1, b1);
    Mag z1 = sub_mag(sub_mag(mul_mag(add_mag(a0, a1), add_mag(b0, b1)), z0), z2);
    return add_mag(add_mag(z0, shl_mag(z1, 32 * half)), shl_mag(z2, 64 * half));
}

// Multiplies by a small factor and adds a small term, in place.
void mul_add_small(Mag& m, std::uint32_t factor, std::uint32_t term) {
    std::uint64_t carry = term;
    for (auto& limb : m) {
        std::uint64_t t = static_cast<std::uint64_t>(limb) * factor + carry;
        limb = static_cast<std::uint32_t>(t);
        carry = t >> 32;
    }
    if (carry != 0) {
        m.push_back(static_cast<std::uint32_t>(carry));
    }
}

std::uint32_t div_small(Mag& m, std::uint32_t divisor) { // in place, returns the remainder
    std::uint64_t rem = 0;
    for (std::size_t i = m.size(); i-- > 0;) {
        std::uint64_t cur = (rem << 32) | m[i];
        m[i] = static_cast<std::uint32_t>(cur / divisor);
        rem = cur % divisor;
    }
    trim_mag(m);
    return static_cast<std::uint32_t>(rem);
}

// div_small by 10^9 with the divisor known to the compiler, which turns each step into multiplications: the
// decimal text of a 1,000,000-bit folded constant takes a fraction of a second instead of seconds.
Mag shl_mag(const Mag& m, std::uint64_t bits) {
    if (m.empty()) {
        return {};
    }
    std::size_t limbs = bits / 32;
    unsigned rest = bits % 32;
    Mag r(m.size() + limbs + 1, 0);
    for (std::size_t i = 0; i < m.size(); ++i) {
        std::uint64_t v = static_cast<std::uint64_t>(m[i]) << rest;
        r[i + limbs] |= static_cast<std::uint32_t>(v);
        r[i + limbs + 1] |= static_cast<std::uint32_t>(v >> 32);
    }
    trim_mag(r);
    return r;
}

Mag shr_mag(const Mag& m, std::uint64_t bits) {
    std::size_t limbs = bits / 32;
    if (limbs >= m.size()) {
        return {};
    }
    unsigned rest = bits % 32;
    Mag r(m.size() - limbs, 0);
    for (std::size_t i = 0; i < r.size(); ++i) {
        std::uint64_t v = m[i + limbs];
        if (i + limbs + 1 < m.size()) {
            v |= static_cast<std::uint64_t>(m[i + limbs + 1]) << 32;
        }
        r[i] = static_cast<std::uint32_t>(v >> rest);
    }
    trim_mag(r);
    return r;
}

bool low_bits_nonzero(const Mag& m, std::uint64_t bits) {
    for (std::size_t i = 0; i < m.size() && i * 32 < bits; ++i) {
        std::uint64_t take = std::min<std::uint64_t>(32, bits - i * 32);
        std::uint32_t mask = take == 32 ? 0xffffffffu : ((1u << take) - 1);
        if ((m[i] & mask) != 0) {
            return true;
        }
    }
    return false;
}

// The value of a digit in bases up to 36; 99 for anything else.
int digit_value(char c) {
    const int lower = c | 0x20;
    return (c >= '0' && c <= '9') ? c - '0' : (lower >= 'a' && lower <= 'z') ? lower - 'a' + 10 : 99;
}

// How many digits in `base` always fit 64 bits: the largest n with base^n <= 2^64 - 1 (base 2..36).
constexpr std::size_t safe_digits_of(std::uint64_t base) {
    std::size_t n = 0;
    for (std::uint64_t p = 1; p <= UINT64_MAX / base; p *= base)
        ++n;
    return n;
}
constexpr auto k_safe_digits = [] {
    std::array<std::uint8_t, 37> table{};
    for (unsigned base = 2; base <= 36; ++base)
        table[base] = static_cast<std::uint8_t>(safe_digits_of(base));
    return table;
}();
static_assert(k_safe_digits[10] == 19 && k_safe_digits[16] == 15 && k_safe_digits[2] == 63);

std::size_t safe_digits(int base) {
    return k_safe_digits[static_cast<std::size_t>(base)];
}

std::uint64_t bit_length_mag(const Mag& m) {
    if (m.empty()) {
        return 0;
    }
    return (m.size() - 1) * 32 + (32 - static_cast<unsigned>(__builtin_clz(m.back())));
}

// One step of algorithm D: the quotient limb for u[j .. j+n] / v, subtracted from u in place.
std::uint32_t divide_step(Mag& u, const Mag& v, std::size_t j) {
    constexpr std::uint64_t k_base = std::uint64_t(1) << 32;
    const std::size_t n = v.size();
    const std::uint64_t top = (std::uint64_t(u[j + n]) << 32) | u[j + n - 1];
    std::uint64_t qhat = top / v[n - 1];
    std::uint64_t rhat = top % v[n - 1];
    while (qhat >= k_base || qhat * v[n - 2] > ((rhat << 32) | u[j + n - 2])) {
        --qhat;
        rhat += v[n - 1];
        if (rhat >= k_base)
            break;
    }
    std::uint64_t carry = 0;
    std::int64_t borrow = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t p = qhat * v[i] + carry;
        carry = p >> 32;
        const std::int64_t t = std::int64_t(u[i + j]) - borrow - std::int64_t(p & 0xffffffffu);
        u[i + j] = static_cast<std::uint32_t>(t);
        borrow = t < 0 ? 1 : 0;
    }
    const std::int64_t t = std::int64_t(u[j + n]) - borrow - std::int64_t(carry);
    u[j + n] = static_cast<std::uint32_t>(t);
    if (t < 0) { // qhat was one too large: add v back
        --qhat;
        std::uint64_t c = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t s = std::uint64_t(u[i + j]) + v[i] + c;
            u[i + j] = static_cast<std::uint32_t>(s);
            c = s >> 32;
        }
        u[j + n] = static_cast<std::uint32_t>(u[j + n] + c);
    }
    return static_cast<std::uint32_t>(qhat);
}

// Truncating division of magnitudes, b of two or more limbs and a >= b: Knuth's algorithm D (The Art of
// Computer Programming, vol. 2, 4.3.1) on 32-bit limbs. Both are shifted so that b's top bit is set, which
// keeps each estimated quotient limb at most 2 too large; the estimate is corrected against b's second limb
// and, rarely, by adding b back once.
std::pair<Mag, Mag> divmod_knuth(const Mag& a, const Mag& b) {
    const auto shift = static_cast<unsigned>(__builtin_clz(b.back()));
    const Mag v = shl_mag(b, shift);
    Mag u = shl_mag(a, shift);
    u.resize(a.size() + 1, 0); // one limb above a's top, zero when the shift did not carry into it
    const std::size_t n = v.size();
    const std::size_t m = a.size() - n + 1;
    Mag q(m, 0);
    for (std::size_t j = m; j-- > 0;)
        q[j] = divide_step(u, v, j);
    u.resize(n, 0);
    trim_mag(u);
    trim_mag(q);
    return {q, shr_mag(u, shift)};
}

// Truncating division of magnitudes.
std::pair<Mag, Mag> divmod_mag(const Mag& a, const Mag& b) {
    if (b.size() == 1) {
        Mag q = a;
        std::uint32_t r = div_small(q, b[0]);
        return {q, r == 0 ? Mag{} : Mag{r}};
    }
    if (compare_mag(a, b) < 0) {
        return {{}, a};
    }
    return divmod_knuth(a, b);
}

// Decimal digits of m, zero-padded to `width` digits when width > 0 (m < 10^width then), by repeated
// division by 10^9: quadratic, for the small parts of the divide-and-conquer conversion below.
// Below this many limbs a magnitude is converted by repeated division by 10^9 (append_decimal), with its
// limbs and digits in stack buffers.
constexpr std::size_t k_small_limbs = 64;

void append_decimal_small(const Mag& m, std::size_t width, std::string& out) {
    std::uint32_t small_limbs[k_small_limbs];
    std::vector<std::uint32_t> big_limbs; // only for a larger magnitude (not reached from decimal_string)
    std::size_t n = m.size();
    std::uint32_t* limbs = small_limbs;
    if (n > k_small_limbs) {
        big_limbs.resize(n);
        limbs = big_limbs.data();
    }
    std::copy(m.begin(), m.end(), limbs);
    // Least significant digit first; a limb is below 10^10, so the number has at most 10 * n digits, and the
    // last chunk of 9 may add 8 leading zeros.
    const std::size_t max_digits = 10 * n + 9;
    char small_digits[10 * k_small_limbs + 9];
    std::string big_digits;
    char* digits = small_digits;
    if (max_digits > sizeof small_digits) {
        big_digits.resize(max_digits);
        digits = big_digits.data();
    }
    std::size_t count = 0;
    constexpr std::uint64_t k_billion = 1000000000u;
    while (n > 0) {
        std::uint64_t rem = 0;
        for (std::size_t i = n; i-- > 0;) {
            const std::uint64_t cur = (rem << 32) | limbs[i];
            limbs[i] = static_cast<std::uint32_t>(cur / k_billion);
            rem = cur % k_billion;
        }
        while (n > 0 && limbs[n - 1] == 0)
            --n;
        auto chunk = static_cast<std::uint32_t>(rem);
        for (int i = 0; i < 9; ++i) {
            digits[count++] = static_cast<char>('0' + chunk % 10);
            chunk /= 10;
        }
    }
    while (count > 0 && digits[count - 1] == '0')
        --count;
    out.reserve(out.size() + std::max(width, count));
    if (width > count)
        out.append(width - count, '0');
    for (std::size_t i = count; i-- > 0;)
        out.push_back(digits[i]);
}

// Divide and conquer: with pows[k] = 10^(9 * 2^k), m = q * pows[k] + r, where r takes exactly 9 * 2^k
// digits. Each level costs one division of schoolbook size, so a folded constant of a million bits
// converts in well under a second (repeated division by 10^9 took seconds).
void append_decimal(const Mag& m, const std::vector<Mag>& pows, std::size_t level, std::size_t width,
                    std::string& out) {
    if (level == 0 || m.size() < k_small_limbs) {
        append_decimal_small(m, width, out);
        return;
    }
    const Mag& p = pows[level - 1];
    const std::size_t low_digits = std::size_t(9) << (level - 1);
    if (width == 0 && compare_mag(m, p) < 0) {
        append_decimal(m, pows, level - 1, 0, out);
        return;
    }
    auto [q, r] = divmod_mag(m, p);
    append_decimal(q, pows, level - 1, width == 0 ? 0 : width - low_digits, out);
    append_decimal(r, pows, level - 1, low_digits, out);
}

std::string decimal_string(const Mag& m) {
    std::string out;
    if (m.size() < k_small_limbs) { // what append_decimal does at once for such a magnitude: no powers needed
        append_decimal_small(m, 0, out);
        return out;
    }
    std::vector<Mag> pows{Mag{1000000000u}};
    while (pows.back().size() * 2 - 1 <= m.size()) // until pows.back()^2 > m: every quotient q < its divisor
        pows.push_back(mul_mag(pows.back(), pows.back()));
    append_decimal(m, pows, pows.size(), 0, out);
    return out;
}


} // namespace

BigInt::BigInt(std::int64_t value) {
    std::uint64_t mag = value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    m_neg = value < 0;
    m_mag = {static_cast<std::uint32_t>(mag), static_cast<std::uint32_t>(mag >> 32)};
    trim();
}

void BigInt::trim() {
    trim_mag(m_mag);
    if (m_mag.empty()) {
        m_neg = false;
    }
}

BigInt BigInt::from_magnitude(LimbVector mag, bool neg) {
    BigInt r;
    r.m_mag = std::move(mag);
    r.m_neg = neg;
    r.trim();
    return r;
}

std::optional<BigInt> BigInt::from_digits(std::string_view digits, int base) {
    if (digits.empty()) {
        return std::nullopt;
    }
    // Fast path: accumulate in 64 bits the leading digits that cannot overflow them (19 decimal digits,
    // 15 hex, 21 octal, 63 binary), with no overflow test per digit.
    const std::size_t safe = std::min(digits.size(), safe_digits(base));
    std::uint64_t small = 0;
    std::size_t used = 0;
    for (; used < safe; ++used) {
        const int v = digit_value(digits[used]);
        if (v >= base) {
            return std::nullopt;
        }
        small = small * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(v);
    }
    Mag m{static_cast<std::uint32_t>(small), static_cast<std::uint32_t>(small >> 32)};
    trim_mag(m);
    for (char c : digits.substr(used)) {
        const int v = digit_value(c);
        if (v >= base) {
            return std::nullopt;
        }
        mul_add_small(m, static_cast<std::uint32_t>(base), static_cast<std::uint32_t>(v));
    }
    return from_magnitude(std::move(m), false);
}

std::optional<std::int64_t> BigInt::to_int64() const {
    if (!fits_bits(64)) {
        return std::nullopt;
    }
    std::uint64_t mag = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;) {
        mag = (mag << 32) | m_mag[i];
    }
    return m_neg ? static_cast<std::int64_t>(0 - mag) : static_cast<std::int64_t>(mag);
}

bool BigInt::fits_bits(unsigned bits) const {
    std::uint64_t len = bit_length_mag(m_mag);
    if (len < bits) {
        return true;
    }
    // -2**(bits-1) is the one value whose magnitude has `bits` bits and still fits.
    return m_neg && len == bits && !low_bits_nonzero(m_mag, bits - 1);
}

std::uint64_t BigInt::bit_length() const {
    return bit_length_mag(m_mag);
}

double BigInt::to_double() const {
    double r = 0;
    for (std::size_t i = m_mag.size(); i-- > 0;) {
        r = r * 4294967296.0 + m_mag[i];
    }
    return m_neg ? -r : r;
}

std::string BigInt::to_string() const {
    if (m_mag.empty()) {
        return "0";
    }
    if (m_mag.size() <= 2) { // the common case: a magnitude that fits 64 bits, formatted directly
        std::uint64_t mag = m_mag.size() == 2 ? (std::uint64_t(m_mag[1]) << 32 | m_mag[0]) : m_mag[0];
        char buffer[24];
        char* at = buffer;
        if (m_neg) {
            *at++ = '-';
        }
        at = std::to_chars(at, std::end(buffer), mag).ptr;
        return std::string(buffer, at);
    }
    std::string digits = decimal_string(m_mag);
    return m_neg ? "-" + digits : digits;
}

BigInt BigInt::operator-() const {
    return from_magnitude(m_mag, !m_neg);
}

BigInt operator+(const BigInt& a, const BigInt& b) {
    if (a.m_neg == b.m_neg) {
        return BigInt::from_magnitude(add_mag(a.m_mag, b.m_mag), a.m_neg);
    }
    if (compare_mag(a.m_mag, b.m_mag) >= 0) {
        return BigInt::from_magnitude(sub_mag(a.m_mag, b.m_mag), a.m_neg);
    }
    return BigInt::from_magnitude(sub_mag(b.m_mag, a.m_mag), b.m_neg);
}

BigInt operator-(const BigInt& a, const BigInt& b) {
    return a + (-b);
}

BigInt operator*(const BigInt& a, const BigInt& b) {
    return BigInt::from_magnitude(mul_mag(a.m_mag, b.m_mag), a.m_neg != b.m_neg);
}

std::strong_ordering operator<=>(const BigInt& a, const BigInt& b) {
    if (a.m_neg != b.m_neg) {
        return a.m_neg ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    int c = compare_mag(a.m_mag, b.m_mag);
    if (a.m_neg) {
        c = -c;
    }
    return c < 0   ? std::strong_ordering::less
           : c > 0 ? std::strong_ordering::greater
                   : std::strong_ordering::equal;
}

std::optional<std::pair<BigInt, BigInt>> BigInt::floor_divmod(const BigInt& a, const BigInt& b) {
    if (b.is_zero()) {
        return std::nullopt;
    }
    auto [qm, rm] = divmod_mag(a.m_mag, b.m_mag);
    BigInt q = from_magnitude(std::move(qm), a.m_neg != b.m_neg);
    BigInt r = from_magnitude(std::move(rm), a.m_neg);
    if (!r.is_zero() && r.m_neg != b.m_neg) {
        q = q - BigInt(1);
        r = r + b;
    }
    return std::pair{q, r};
}

BigInt BigInt::shifted_left(std::uint64_t bits) const {
    return from_magnitude(shl_mag(m_mag, bits), m_neg);
}

BigInt BigInt::shifted_right(std::uint64_t bits) const {
    BigInt r = from_magnitude(shr_mag(m_mag, bits), m_neg);
    if (m_neg && low_bits_nonzero(m_mag, bits)) {
        r = r - BigInt(1);
    }
    return r;
}

std::optional<BigInt> BigInt::power(const BigInt& base, std::uint64_t exponent, std::uint64_t max_bits) {
    std::uint64_t base_bits = base.bit_length();
    if (base_bits > 1 && exponent > max_bits / (base_bits - 1)) {
        return std::nullopt;
    }
    BigInt result(1);
    BigInt square = base;
    while (exponent != 0) {
        if (exponent & 1) {
            result = result * square;
        }
        exponent >>= 1;
        if (exponent != 0) {
            square = square * square;
        }
    }
    if (result.bit_length() > max_bits) // the check above is a lower bound: (base_bits - 1) * exponent
        return std::nullopt;
    return result;
}

LimbVector BigInt::twos_complement(std::size_t limbs) const {
    Mag w = m_mag;
    w.resize(limbs, 0);
    if (m_neg) {
        std::uint64_t carry = 1;
        for (auto& limb : w) {
            std::uint64_t t = static_cast<std::uint64_t>(~limb) + carry;
            limb = static_cast<std::uint32_t>(t);
            carry = t >> 32;
        }
    }
    return w;
}

BigInt BigInt::from_twos_complement(LimbVector words) {
    bool neg = !words.empty() && (words.back() & 0x80000000u) != 0;
    if (neg) {
        std::uint64_t carry = 1;
        for (auto& limb : words) {
            std::uint64_t t = static_cast<std::uint64_t>(~limb) + carry;
            limb = static_cast<std::uint32_t>(t);
            carry = t >> 32;
        }
    }
    return from_magnitude(std::move(words), neg);
}

template <typename Op> BigInt BigInt::bitwise(const BigInt& a, const BigInt& b, Op op) {
    std::size_t limbs = std::max(a.m_mag.size(), b.m_mag.size()) + 1;
    Mag x = a.twos_complement(limbs);
    Mag y = b.twos_complement(limbs);
    for (std::size_t i = 0; i < limbs; ++i) {
        x[i] = op(x[i], y[i]);
    }
    return from_twos_complement(std::move(x));
}

BigInt operator&(const BigInt& a, const BigInt& b) {
    return BigInt::bitwise(a, b, [](std::uint32_t x, std::uint32_t y) { return x & y; });
}
BigInt operator|(const BigInt& a, const BigInt& b) {
    return BigInt::bitwise(a, b, [](std::uint32_t x, std::uint32_t y) { return x | y; });
}
BigInt operator^(const BigInt& a, const BigInt& b) {
    return BigInt::bitwise(a, b, [](std::uint32_t x, std::uint32_t y) { return x ^ y; });
}

} // namespace mpyship::compiler
