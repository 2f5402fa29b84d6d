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

// The probe after a fold: the reference's next steps need a few blocks (less and it reports MemoryError).
bool room_after(ReferenceHeap& heap, HeapAtFold at) {
    auto probe = heap.allocate(at.blocks_after * ReferenceHeap::k_block_bytes - 1);
    if (probe)
        heap.release(*probe);
    return probe.has_value();
}

class PowerModel {
  public:
    PowerModel(HeapAtFold at, std::uint64_t base) : m_heap(at.free_blocks), m_at(at), m_base(base) {}

    // base ** exponent: the result object, x = base and n = exponent copied, dest = 1, then square-and-multiply
    // with the copies a product into its own operand makes. The heap after it, when it all fits.
    std::optional<HugeValue> run(std::uint64_t exponent) {
        if (!m_heap.allocate(k_object_bytes))
            return std::nullopt;
        Mpz dest;
        Mpz x{}, n{};
        if (!clone(Mpz{{}, {}, k_host_int_digits, digits_for_bits(bits_of_power(1))}, x) ||
            !clone(Mpz{{}, {}, k_host_int_digits, 1}, n) || !need(dest, 1))
            return std::nullopt;
        dest.used = 1;
        std::uint64_t dest_power = 0, x_power = 1;
        for (std::uint64_t e = exponent; e != 0;) {
            if (e & 1) {
                if (!multiply_into(dest, x.used))
                    return std::nullopt;
                dest_power += x_power;
                dest.used = digits_for_bits(bits_of_power(dest_power));
            }
            e >>= 1;
            if (e == 0)
                break;
            if (!multiply_into(x, x.used))
                return std::nullopt;
            x_power *= 2;
            x.used = digits_for_bits(bits_of_power(x_power));
        }
        release(x);
        release(n);
        if (!room_after(m_heap, m_at))
            return std::nullopt;
        return HugeValue{m_heap, dest.used};
    }

  private:
    // Bits of base ** power (base >= 2).
    std::uint64_t bits_of_power(std::uint64_t power) const {
        if (power == 0)
            return 1;
        if ((m_base & (m_base - 1)) == 0)
            return power * std::uint64_t(std::bit_width(m_base) - 1) + 1;
        return std::uint64_t(std::floor(static_cast<long double>(power) *
                                        std::log2l(static_cast<long double>(m_base)))) +
               1;
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
    HeapAtFold m_at;
    std::uint64_t m_base;
};

HeapAtFold heap_of(Target target) {
    return target == Target::circuitpython ? k_circuitpython_heap : k_micropython_heap;
}

// A new int of `digits` beside the ones the heap holds (an operation on a huge value: the operand stays).
std::optional<HugeValue> new_int(HugeValue v, std::uint64_t digits, Target target) {
    if (!v.heap.allocate(k_object_bytes) || !v.heap.allocate(digits * k_digit_bytes) ||
        !room_after(v.heap, heap_of(target)))
        return std::nullopt;
    v.digits = digits;
    return v;
}

std::optional<std::uint64_t> magnitude_of(const BigInt& value) {
    auto v = value.to_int64();
    if (!v)
        return std::nullopt;
    return *v < 0 ? 0 - std::uint64_t(*v) : std::uint64_t(*v);
}

const BigInt* int_constant(const Expr& e) {
    if (e.kind != ExprKind::constant)
        return nullptr;
    return std::get_if<BigInt>(&e.as<Constant>().value.value);
}

} // namespace

std::optional<HugeValue> reference_huge_fold(BinOpKind op, const BigInt& a, const BigInt& b, Target target) {
    const HeapAtFold at = heap_of(target);
    if (op != BinOpKind::pow && op != BinOpKind::lshift)
        return std::nullopt;
    auto base = magnitude_of(a);
    auto rhs = b.to_int64();
    if (!base || !rhs || *rhs < 0 || *base == 0)
        return std::nullopt;
    const std::uint64_t count = std::uint64_t(*rhs);
    if (op == BinOpKind::lshift) {
        const std::uint64_t bits = std::uint64_t(std::bit_width(*base));
        if (bits + count <= k_max_folded_int_bits)
            return std::nullopt;
        return new_int(HugeValue{ReferenceHeap(at.free_blocks), 0},
                       digits_for_bits(bits) + (count + k_digit_bits - 1) / k_digit_bits, target);
    }
    if (*base == 1)
        return std::nullopt; // folded already
    const long double bits = static_cast<long double>(count) * std::log2l(static_cast<long double>(*base));
    if (bits < static_cast<long double>(k_max_folded_int_bits))
        return std::nullopt;
    return PowerModel(at, *base).run(count);
}

bool reference_folds_huge(BinOpKind op, const BigInt& a, const BigInt& b, Target target) {
    return reference_huge_fold(op, a, b, target).has_value();
}

std::optional<HugeValue> reference_huge_unary(UnaryOpKind op, HugeValue v, Target target) {
    switch (op) {
    case UnaryOpKind::positive:
        return v; // the same object
    case UnaryOpKind::negative:
        return new_int(v, v.digits, target);
    case UnaryOpKind::invert: // -(v + 1)
        return new_int(v, v.digits + 1, target);
    case UnaryOpKind::not_:
        return std::nullopt; // a bool: the parser folds it as for any constant
    }
    return std::nullopt;
}

std::optional<HugeValue> reference_huge_with_int(BinOpKind op, HugeValue v, const BigInt& other, bool huge_on_left,
                                                 Target target) {
    auto magnitude = magnitude_of(other);
    if (!magnitude || *magnitude == 0)
        return std::nullopt; // a product of 0 is 0: a value we would have to hold
    const std::uint64_t other_digits = digits_for_bits(std::uint64_t(std::bit_width(*magnitude)));
    switch (op) {
    case BinOpKind::add:
    case BinOpKind::sub:
        return new_int(v, std::max(v.digits, other_digits) + 1, target);
    case BinOpKind::mul:
        return new_int(v, v.digits + other_digits, target);
    case BinOpKind::bit_or:
    case BinOpKind::bit_xor:
        if (other.is_negative())
            return std::nullopt;
        return new_int(v, v.digits, target);
    case BinOpKind::lshift:
        if (!huge_on_left || other.is_negative())
            return std::nullopt;
        return new_int(v, v.digits + (*magnitude + k_digit_bits - 1) / k_digit_bits, target);
    default:
        return std::nullopt; // >>, &, //, %, /, **: results we would have to compute
    }
}

bool is_reference_folded(const Expr& e) {
    return (e.kind == ExprKind::bin_op && e.as<BinOp>().reference_folded) ||
           (e.kind == ExprKind::unary_op && e.as<UnaryOp>().reference_folded);
}

std::optional<HugeValue> reference_huge_value(const Expr& e, Target target) {
    if (e.kind == ExprKind::unary_op && e.as<UnaryOp>().reference_folded) {
        const UnaryOp& u = e.as<UnaryOp>();
        auto operand = reference_huge_value(*u.operand, target);
        return operand ? reference_huge_unary(u.op, std::move(*operand), target) : std::nullopt;
    }
    if (e.kind != ExprKind::bin_op || !e.as<BinOp>().reference_folded)
        return std::nullopt;
    const BinOp& b = e.as<BinOp>();
    const BigInt* left = int_constant(*b.left);
    const BigInt* right = int_constant(*b.right);
    if (left && right)
        return reference_huge_fold(b.op, *left, *right, target);
    const bool huge_on_left = right != nullptr;
    auto huge = reference_huge_value(huge_on_left ? *b.left : *b.right, target);
    if (!huge || !(left || right))
        return std::nullopt;
    return reference_huge_with_int(b.op, std::move(*huge), huge_on_left ? *right : *left, huge_on_left, target);
}

int reference_huge_sign(const Expr& e) {
    if (e.kind == ExprKind::unary_op) {
        const UnaryOp& u = e.as<UnaryOp>();
        const int s = reference_huge_sign(*u.operand);
        return u.op == UnaryOpKind::positive ? s : -s; // -x, and ~x = -x - 1 with |x| huge
    }
    const BinOp& b = e.as<BinOp>();
    const BigInt* left = int_constant(*b.left);
    const BigInt* right = int_constant(*b.right);
    if (left && right) { // a ** n or a << n
        if (b.op == BinOpKind::pow)
            return left->is_negative() && !right->magnitude().empty() && (right->magnitude()[0] & 1) ? -1 : 1;
        return left->is_negative() ? -1 : 1;
    }
    return huge_step_sign(b.op, reference_huge_sign(left ? *b.right : *b.left), left != nullptr,
                          left ? *left : *right);
}

int huge_step_sign(BinOpKind op, int huge_sign, bool huge_on_right, const BigInt& other) {
    switch (op) {
    case BinOpKind::sub:
        return huge_on_right ? -huge_sign : huge_sign; // n - x, x - n
    case BinOpKind::mul:
        return other.is_negative() ? -huge_sign : huge_sign;
    default:
        return huge_sign; // x + n, x | n, x ^ n (n >= 0), x << n
    }
}

} // namespace mpyship::compiler
