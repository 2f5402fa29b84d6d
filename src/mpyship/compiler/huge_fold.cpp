#include "mpyship/compiler/huge_fold.h"

#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/reference_heap.h"

#include <bit>
#include <cmath>

namespace mpyship::compiler {
namespace {

// The reference's heap at a fold in a small module: free 32-byte blocks, and the blocks its next steps need
// after the fold (less than this and it reports MemoryError, which we do not imitate). From the measured
// boundaries above: for MicroPython the only values that fit all of them; CircuitPython's mpy-cross folds
// `255 ** 784567` (MicroPython's stops at 784562), which these values predicted from its other boundaries.
struct HeapAtFold {
    std::uint32_t free_blocks;
    std::uint64_t blocks_after;
};
constexpr HeapAtFold k_micropython_heap{64954, 5};
constexpr HeapAtFold k_circuitpython_heap{64955, 6};
constexpr std::uint64_t k_digit_bits = 32;
constexpr std::uint64_t k_digit_bytes = 4;
constexpr std::uint64_t k_object_bytes = 32;   // an int object, or an mpz header: one block
constexpr std::uint64_t k_host_int_digits = 2; // digits of a fixed-size mpz made from a host int

std::uint64_t digits_for_bits(std::uint64_t bits) {
    return (bits + k_digit_bits - 1) / k_digit_bits;
}

// A multi-precision value in the model: its blocks, digits allocated and digits used.
struct Mpz {
    std::optional<ReferenceHeap::Handle> header, digits;
    std::uint64_t allocated = 0, used = 0;
};

class PowerModel {
  public:
    PowerModel(HeapAtFold at, std::uint64_t base) : m_heap(at.free_blocks), m_after(at.blocks_after), m_base(base) {}

    // Whether base ** exponent fits: the result object, x = base and n = exponent copied, dest = 1, then
    // square-and-multiply with the copies a product into its own operand makes.
    bool fits(std::uint64_t exponent) {
        if (!m_heap.allocate(k_object_bytes))
            return false;
        Mpz dest;
        Mpz x{}, n{};
        if (!clone(Mpz{{}, {}, k_host_int_digits, digits_for_bits(bits_of_power(1))}, x) ||
            !clone(Mpz{{}, {}, k_host_int_digits, 1}, n) || !need(dest, 1))
            return false;
        dest.used = 1;
        std::uint64_t dest_power = 0, x_power = 1;
        for (std::uint64_t e = exponent; e != 0;) {
            if (e & 1) {
                if (!multiply_into(dest, x.used))
                    return false;
                dest_power += x_power;
                dest.used = digits_for_bits(bits_of_power(dest_power));
            }
            e >>= 1;
            if (e == 0)
                break;
            if (!multiply_into(x, x.used))
                return false;
            x_power *= 2;
            x.used = digits_for_bits(bits_of_power(x_power));
        }
        release(x);
        release(n);
        return bool(m_heap.allocate(m_after * ReferenceHeap::k_block_bytes - 1));
    }

  private:
    // Bits of base ** power (base >= 2).
    std::uint64_t bits_of_power(std::uint64_t power) const {
        if (power == 0)
            return 1;
        if ((m_base & (m_base - 1)) == 0)
            return power * std::uint64_t(std::bit_width(m_base) - 1) + 1;
        return std::uint64_t(std::floor(static_cast<long double>(power) * std::log2l(static_cast<long double>(m_base)))) + 1;
    }

    bool clone(const Mpz& source, Mpz& out) {
        out.header = m_heap.allocate(k_object_bytes);
        out.digits = out.header ? m_heap.allocate(source.allocated * k_digit_bytes) : std::nullopt;
        out.allocated = source.allocated;
        out.used = source.used;
        return out.digits.has_value();
    }

    void release(const Mpz& z) {
        if (z.digits)
            m_heap.release(*z.digits);
        if (z.header)
            m_heap.release(*z.header);
    }

    bool need(Mpz& z, std::uint64_t digits) {
        digits = std::max<std::uint64_t>(digits, 2);
        if (z.digits && z.allocated >= digits)
            return true;
        z.digits = z.digits ? m_heap.reallocate(*z.digits, digits * k_digit_bytes)
                            : m_heap.allocate(digits * k_digit_bytes);
        z.allocated = digits;
        return z.digits.has_value();
    }

    // z = z * other, where z is one of the operands: z is copied first, then grown to both lengths' sum.
    bool multiply_into(Mpz& z, std::uint64_t other_used) {
        Mpz copy;
        if (!clone(z, copy))
            return false;
        const bool grown = need(z, z.used + other_used);
        release(copy);
        return grown;
    }

    ReferenceHeap m_heap;
    std::uint64_t m_after;
    std::uint64_t m_base;
};

bool shift_fits(HeapAtFold at, std::uint64_t value_bits, std::uint64_t count) {
    ReferenceHeap heap(at.free_blocks);
    const std::uint64_t digits = digits_for_bits(value_bits) + (count + k_digit_bits - 1) / k_digit_bits;
    return heap.allocate(k_object_bytes) && heap.allocate(digits * k_digit_bytes) &&
           heap.allocate(at.blocks_after * ReferenceHeap::k_block_bytes - 1);
}

} // namespace

bool reference_folds_huge(BinOpKind op, const BigInt& a, const BigInt& b, Target target) {
    const HeapAtFold at = target == Target::circuitpython ? k_circuitpython_heap : k_micropython_heap;
    if (op != BinOpKind::pow && op != BinOpKind::lshift)
        return false;
    auto lhs = a.to_int64();
    auto rhs = b.to_int64();
    if (!lhs || !rhs || *rhs < 0 || *lhs == 0)
        return false;
    const std::uint64_t magnitude = *lhs < 0 ? 0 - std::uint64_t(*lhs) : std::uint64_t(*lhs);
    const std::uint64_t count = std::uint64_t(*rhs);
    if (op == BinOpKind::lshift) {
        const std::uint64_t bits = std::uint64_t(std::bit_width(magnitude));
        return bits + count > k_max_folded_int_bits && shift_fits(at, bits, count);
    }
    if (magnitude == 1)
        return false; // folded already
    const long double bits = static_cast<long double>(count) * std::log2l(static_cast<long double>(magnitude));
    return bits >= static_cast<long double>(k_max_folded_int_bits) && PowerModel(at, magnitude).fits(count);
}

} // namespace mpyship::compiler
