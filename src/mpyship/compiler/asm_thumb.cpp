// @micropython.asm_thumb: the Thumb instruction subset of MicroPython's inline assembler
// (docs/reference/asm_thumb2_*.rst), encoded as the ARMv7-M Architecture Reference Manual gives it and
// as mpy-cross v1.28.0 chooses among encodings. armv6m (and armv6, which gets an ARM-mode entry stub)
// has only the 16-bit instructions and bl; armv7emsp/armv7emdp add the single-precision FPU ones.
#include "mpyship/compiler/asm_thumb.h"

#include "mpyship/compiler/asm_operands.h"
#include "mpyship/compiler/thumb_encoding.h"

#include <array>
#include <span>

namespace mpyship::compiler::inline_asm {
namespace {

constexpr std::array<std::string_view, 14> k_conditions = {"eq", "ne", "cs", "cc", "mi", "pl", "vs",
                                                           "vc", "hi", "ls", "ge", "lt", "gt", "le"};

// The 16 two-register data-processing instructions, numbered by their opcode field.
constexpr std::array<std::string_view, 16> k_alu_ops = {"and_", "eor", "lsl", "lsr", "asr", "adc",
                                                        "sbc",  "ror", "tst", "neg", "cmp", "cmn",
                                                        "orr",  "mul", "bic", "mvn"};

// Loads and stores with [Rn, imm]: opcode, offset mask, offset shift.
struct LoadStore {
    std::string_view op;
    std::uint32_t opcode;
    std::uint32_t mask;
    unsigned shift;
};
constexpr std::array<LoadStore, 6> k_load_stores = {{{"str", 0x6000, 0x7c, 2},
                                                     {"ldr", 0x6800, 0x7c, 2},
                                                     {"strb", 0x7000, 0x1f, 0},
                                                     {"ldrb", 0x7800, 0x1f, 0},
                                                     {"strh", 0x8000, 0x3e, 1},
                                                     {"ldrh", 0x8800, 0x3e, 1}}};

// Single-precision FPU instructions: both halfwords of the encoding with register fields zero.
struct FpuOp {
    std::string_view op;
    std::uint32_t hi;
    std::uint32_t lo;
};
constexpr std::array<FpuOp, 5> k_fpu_unary = {{{"vneg", 0xeeb1, 0x0a40},
                                               {"vsqrt", 0xeeb1, 0x0ac0},
                                               {"vcmp", 0xeeb4, 0x0ac0},
                                               {"vcvt_f32_s32", 0xeeb8, 0x0ac0},
                                               {"vcvt_s32_f32", 0xeebd, 0x0ac0}}};
constexpr std::array<FpuOp, 4> k_fpu_binary = {
    {{"vadd", 0xee30, 0x0a00}, {"vsub", 0xee30, 0x0a40}, {"vmul", 0xee20, 0x0a00}, {"vdiv", 0xee80, 0x0a00}}};

template <typename Table> const auto* find_op(const Table& table, std::string_view op) {
    for (const auto& entry : table)
        if (entry.op == op)
            return &entry;
    return static_cast<decltype(&table[0])>(nullptr);
}

int index_of(std::span<const std::string_view> names, std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return int(i);
    return -1;
}

// s0..s31: "s" and decimal digits (leading zeros allowed); a larger number "expects at most r31".
std::uint32_t fpu_register(const Site& site, const Expr* e) {
    if (is_name(e)) {
        const std::string& id = e->as<Name>().id;
        bool digits = id.size() > 1 && id[0] == 's';
        std::uint64_t n = 0;
        for (std::size_t i = 1; digits && i < id.size(); ++i) {
            digits = id[i] >= '0' && id[i] <= '9';
            n = std::min<std::uint64_t>(n * 10 + std::uint64_t(id[i] - '0'), 1000);
        }
        if (digits && n > 31)
            site.fail_op("expects at most r31");
        if (digits)
            return std::uint32_t(n);
    }
    site.fail_op("expects an FPU register");
}

bool is_core_register(const Expr* e) {
    return register_index(e, "r", 16) || is_name(e, "sp") || is_name(e, "lr") || is_name(e, "pc");
}

void u32_halfwords(CodeBuffer& out, std::uint32_t hi, std::uint32_t lo) {
    out.u16(hi);
    out.u16(lo);
}

void u32_word(CodeBuffer& out, std::uint32_t halfwords) { // thumb_encoding.h's layout: first halfword high
    u32_halfwords(out, halfwords >> 16, halfwords & 0xffff);
}

class ThumbBackend final : public AsmBackend {
  public:
    ThumbBackend(bool thumb2, bool fpu, bool arm_entry) : m_thumb2(thumb2), m_fpu(fpu), m_arm_entry(arm_entry) {}

    std::string_view name() const override { return "Thumb"; }
    std::uint32_t max_params() const override { return 4; }
    std::string param_name(std::uint32_t i) const override { return "r" + std::to_string(i); }
    std::string params_error() const override { return "parameters must be registers in sequence r0 to r3"; }
    std::string too_many_params_error() const override { return "can only have up to 4 parameters to Thumb assembly"; }
    std::string unsupported_error(const Instruction& ins) const override {
        return "unsupported Thumb instruction '" + ins.op + "' with " + std::to_string(ins.args.size()) + " arguments";
    }

    void prologue(CodeBuffer& out, std::span<const Instruction>) const override {
        if (m_arm_entry) {
            // ARM mode: push {r4, lr}; add lr, pc, #9; blx lr (into the Thumb code after this stub);
            // pop {r4, lr}; bx lr.
            for (std::uint32_t word : {0xe92d4010u, 0xe28fe009u, 0xe12fff3eu, 0xe8bd4010u, 0xe12fff1eu})
                out.u32(word);
        }
        out.u16(0xb5f2); // push {r1, r4-r7, lr}
    }
    void epilogue(CodeBuffer& out) const override {
        out.u16(0xbdf2); // pop {r1, r4-r7, pc}
    }

    bool encode(const Instruction& ins, const Site& site, AsmContext& cx) const override {
        const auto& a = ins.args;
        if (ins.op.starts_with("v"))
            return m_fpu && encode_fpu(ins, site, cx);
        switch (a.size()) {
        case 0:
            return encode0(ins.op, cx.out());
        case 1:
            return encode1(ins.op, a[0], site, cx);
        case 2:
            return encode2(ins.op, a[0], a[1], site, cx.out());
        case 3:
            return encode3(ins.op, a[0], a[1], a[2], site, cx.out());
        default:
            return false;
        }
    }

  private:
    bool m_thumb2;
    bool m_fpu;
    bool m_arm_entry;

    static bool encode0(std::string_view op, CodeBuffer& out) {
        if (op == "nop")
            out.u16(0xbf00);
        else if (op == "wfi")
            out.u16(0xbf30);
        else
            return false;
        return true;
    }

    bool encode1(std::string_view op, const Expr* arg, const Site& site, AsmContext& cx) const {
        if (op == "b")
            return branch(site, cx, label_name(site, arg), -1, false);
        if (op == "bl")
            return branch_link(site, cx, label_name(site, arg));
        if (op == "bx") {
            cx.out().u16(0x4700 | core_register(site, arg) << 3);
            return true;
        }
        if (op == "push" || op == "pop")
            return push_pop(op == "push", register_list(site, arg), cx.out());
        if (op == "cpsid" || op == "cpsie") {
            cx.out().u16(op == "cpsid" ? 0xb672 : 0xb662);
            return true;
        }
        if (op.starts_with("it"))
            return m_thumb2 && if_then(op, arg, cx.out());
        if (op.size() >= 3 && op[0] == 'b')
            return conditional_branch(op, arg, site, cx);
        return false;
    }

    bool conditional_branch(std::string_view op, const Expr* arg, const Site& site, AsmContext& cx) const {
        const int cond = index_of(k_conditions, op.substr(1, 2));
        const std::string_view suffix = op.substr(3);
        if (cond < 0 || !(suffix.empty() || suffix == "_n" || suffix == "_w"))
            return false;
        const bool wide = suffix == "_w";
        if (wide && !m_thumb2)
            return false;
        return branch(site, cx, label_name(site, arg), cond, wide);
    }

    // b (cond < 0) and b<cond>; narrow unless `wide`. The offset is from this instruction + 4.
    static bool branch(const Site& site, AsmContext& cx, const std::string& label, int cond, bool wide) {
        const std::int64_t here = std::int64_t(cx.offset());
        const std::int64_t off = std::int64_t(cx.label_offset(site, label)) - (here + 4);
        const std::int64_t limit = cond < 0 ? 2048 : wide ? (1 << 20) : 256;
        if (cx.pass() == Pass::emit && (off < -limit || off > limit - 2))
            site.fail("branch not in range");
        if (cond < 0)
            cx.out().u16(thumb::b_narrow(off));
        else if (!wide)
            cx.out().u16(thumb::b_cond_narrow(std::uint32_t(cond), off));
        else
            u32_word(cx.out(), thumb::b_cond_wide(std::uint32_t(cond), off));
        return true;
    }

    static bool branch_link(const Site& site, AsmContext& cx, const std::string& label) {
        const std::int64_t here = std::int64_t(cx.offset());
        const std::int64_t off = std::int64_t(cx.label_offset(site, label)) - (here + 4);
        if (cx.pass() == Pass::emit && (off < -(1 << 24) || off > (1 << 24) - 2))
            site.fail("branch not in range");
        u32_word(cx.out(), thumb::b_wide(off, true));
        return true;
    }

    static std::uint32_t register_list(const Site& site, const Expr* arg) {
        if (!arg || arg->kind != ExprKind::set || arg->as<Sequence>().elts.empty())
            site.fail_op("expects {r0, r1, ...}");
        std::uint32_t mask = 0;
        for (const ExprPtr& e : arg->as<Sequence>().elts)
            mask |= 1u << core_register(site, e.get());
        return mask;
    }

    bool push_pop(bool push, std::uint32_t mask, CodeBuffer& out) const {
        const std::uint32_t extra = push ? 1u << 14 : 1u << 15; // lr for push, pc for pop
        if ((mask & ~(0xffu | extra)) == 0) {
            out.u16((push ? 0xb400 : 0xbc00) | ((mask & extra) ? 0x100 : 0) | (mask & 0xff));
            return true;
        }
        if (!m_thumb2)
            return false;
        u32_halfwords(out, push ? 0xe92d : 0xe8bd, mask);
        return true;
    }

    // it, ite, itt, ..., itttt: the condition and up to three then/else letters.
    static bool if_then(std::string_view op, const Expr* arg, CodeBuffer& out) {
        const std::string_view letters = op.substr(2);
        const int cond = is_name(arg) ? index_of(k_conditions, arg->as<Name>().id) : -1;
        if (letters.size() > 3 || cond < 0)
            return false;
        std::uint32_t mask = 0;
        unsigned bit = 3;
        for (char c : letters) {
            if (c != 't' && c != 'e')
                return false;
            const std::uint32_t first = std::uint32_t(cond) & 1;
            mask |= (c == 't' ? first : first ^ 1) << bit;
            --bit;
        }
        mask |= 1u << bit;
        out.u16(0xbf00 | std::uint32_t(cond) << 4 | mask);
        return true;
    }

    bool encode2(std::string_view op, const Expr* a0, const Expr* a1, const Site& site, CodeBuffer& out) const {
        if (is_name(a1))
            return two_registers(op, a0, a1, site, out);
        if (is_address(a1))
            return load_store(op, a0, a1->as<Sequence>(), site, out);
        return register_immediate(op, a0, a1, site, out);
    }

    bool two_registers(std::string_view op, const Expr* a0, const Expr* a1, const Site& site,
                       CodeBuffer& out) const {
        if (op == "mov") {
            const std::uint32_t d = core_register(site, a0);
            const std::uint32_t m = core_register(site, a1);
            out.u16(0x4600 | (d & 8) << 4 | m << 3 | (d & 7));
            return true;
        }
        if (const int alu = index_of(k_alu_ops, op); alu >= 0) {
            const std::uint32_t d = core_register(site, a0, 7);
            const std::uint32_t m = core_register(site, a1, 7);
            out.u16(0x4000 | std::uint32_t(alu) << 6 | m << 3 | d);
            return true;
        }
        if (!m_thumb2)
            return false;
        if (op == "clz" || op == "rbit") {
            const std::uint32_t d = core_register(site, a0);
            const std::uint32_t m = core_register(site, a1);
            u32_halfwords(out, (op == "clz" ? 0xfab0 : 0xfa90) | m, (op == "clz" ? 0xf080 : 0xf0a0) | d << 8 | m);
            return true;
        }
        if (op == "mrs") {
            const std::uint32_t d = core_register(site, a0);
            const std::string& special = a1->as<Name>().id;
            if (special != "IPSR" && special != "BASEPRI")
                site.fail_op("expects a special register");
            u32_halfwords(out, 0xf3ef, 0x8000 | d << 8 | (special == "IPSR" ? 5 : 17));
            return true;
        }
        return false;
    }

    bool load_store(std::string_view op, const Expr* a0, const Sequence& addr, const Site& site,
                    CodeBuffer& out) const {
        if (const auto* ls = find_op(k_load_stores, op)) {
            const std::uint32_t t = core_register(site, a0, 7);
            const std::uint32_t n = core_register(site, addr.elts[0].get(), 7);
            const std::uint32_t imm = masked_integer(site, addr.elts[1].get(), ls->mask);
            out.u16(ls->opcode | (imm >> ls->shift) << 6 | n << 3 | t);
            return true;
        }
        if (op == "ldrex" && m_thumb2) {
            const std::uint32_t t = core_register(site, a0);
            const std::uint32_t n = core_register(site, addr.elts[0].get());
            const std::uint32_t imm = masked_integer(site, addr.elts[1].get(), 0xff);
            u32_halfwords(out, 0xe850 | n, t << 12 | 0x0f00 | imm >> 2);
            return true;
        }
        return false;
    }

    bool register_immediate(std::string_view op, const Expr* a0, const Expr* a1, const Site& site,
                            CodeBuffer& out) const {
        constexpr std::array<std::string_view, 4> k_imm8_ops = {"mov", "cmp", "add", "sub"};
        if (const int i = index_of(k_imm8_ops, op); i >= 0) {
            const std::uint32_t d = core_register(site, a0, 7);
            const std::uint32_t imm = masked_integer(site, a1, 0xff);
            out.u16((0x2000 + 0x0800 * std::uint32_t(i)) | d << 8 | imm);
            return true;
        }
        if (!m_thumb2)
            return false;
        if (op == "movw" || op == "movt") {
            const std::uint32_t d = core_register(site, a0);
            move_wide(out, op == "movt", d, masked_integer(site, a1, 0xffff));
            return true;
        }
        if (op == "movwt") {
            const std::uint32_t d = core_register(site, a0);
            const std::uint32_t imm = integer(site, a1);
            move_wide(out, false, d, imm & 0xffff);
            move_wide(out, true, d, imm >> 16);
            return true;
        }
        return false;
    }

    static void move_wide(CodeBuffer& out, bool top, std::uint32_t d, std::uint32_t imm16) {
        u32_word(out, thumb::move_wide(top, d, imm16));
    }

    bool encode3(std::string_view op, const Expr* a0, const Expr* a1, const Expr* a2, const Site& site,
                 CodeBuffer& out) const {
        if (op == "add" || op == "sub") {
            const std::uint32_t d = core_register(site, a0, 7);
            const std::uint32_t n = core_register(site, a1, 7);
            const std::uint32_t sub = op == "sub" ? 0x0200 : 0;
            if (is_name(a2))
                out.u16((0x1800 | sub) | core_register(site, a2, 7) << 6 | n << 3 | d);
            else
                out.u16((0x1c00 | sub) | masked_integer(site, a2, 0x7) << 6 | n << 3 | d);
            return true;
        }
        constexpr std::array<std::string_view, 3> k_shifts = {"lsl", "lsr", "asr"};
        if (const int i = index_of(k_shifts, op); i >= 0) {
            const std::uint32_t d = core_register(site, a0, 7);
            const std::uint32_t m = core_register(site, a1, 7);
            const std::uint32_t imm = masked_integer(site, a2, 0x1f);
            out.u16(0x0800 * std::uint32_t(i) | imm << 6 | m << 3 | d);
            return true;
        }
        if (!m_thumb2)
            return false;
        if (op == "sdiv" || op == "udiv") {
            const std::uint32_t d = core_register(site, a0);
            const std::uint32_t n = core_register(site, a1);
            const std::uint32_t m = core_register(site, a2);
            u32_halfwords(out, (op == "sdiv" ? 0xfb90 : 0xfbb0) | n, 0xf0f0 | d << 8 | m);
            return true;
        }
        if (op == "strex") {
            const std::uint32_t d = core_register(site, a0);
            const std::uint32_t t = core_register(site, a1);
            const Sequence& addr = address(site, a2);
            const std::uint32_t n = core_register(site, addr.elts[0].get());
            const std::uint32_t imm = masked_integer(site, addr.elts[1].get(), 0xff);
            u32_halfwords(out, 0xe840 | n, t << 12 | d << 8 | imm >> 2);
            return true;
        }
        return false;
    }

    // --- FPU (armv7emsp, armv7emdp) -------------------------------------------------------------------

    static std::uint32_t fpu_d(std::uint32_t d) { return (d & 1) << 6; }        // D, in the first halfword
    static std::uint32_t fpu_vd(std::uint32_t d) { return (d >> 1) << 12; }     // Vd, in the second
    static std::uint32_t fpu_m(std::uint32_t m) { return (m & 1) << 5 | m >> 1; } // M:Vm, in the second

    static bool encode_fpu(const Instruction& ins, const Site& site, AsmContext& cx) {
        const auto& a = ins.args;
        CodeBuffer& out = cx.out();
        if (a.size() == 3) {
            const auto* op = find_op(k_fpu_binary, ins.op);
            if (!op)
                return false;
            const std::uint32_t d = fpu_register(site, a[0]);
            const std::uint32_t n = fpu_register(site, a[1]);
            const std::uint32_t m = fpu_register(site, a[2]);
            u32_halfwords(out, op->hi | fpu_d(d) | n >> 1, op->lo | fpu_vd(d) | (n & 1) << 7 | fpu_m(m));
            return true;
        }
        if (a.size() != 2)
            return false;
        if (const auto* op = find_op(k_fpu_unary, ins.op)) {
            const std::uint32_t d = fpu_register(site, a[0]);
            const std::uint32_t m = fpu_register(site, a[1]);
            u32_halfwords(out, op->hi | fpu_d(d), op->lo | fpu_vd(d) | fpu_m(m));
            return true;
        }
        if (ins.op == "vmov")
            return fpu_move(a[0], a[1], site, out);
        if (ins.op == "vmrs") {
            if (!is_name(a[1], "FPSCR"))
                return false;
            const std::uint32_t t = is_name(a[0], "APSR_nzcv") ? 15 : core_register(site, a[0]);
            u32_halfwords(out, 0xeef1, t << 12 | 0x0a10);
            return true;
        }
        if (ins.op == "vldr" || ins.op == "vstr") {
            const std::uint32_t d = fpu_register(site, a[0]);
            const Sequence& addr = address(site, a[1]);
            const std::uint32_t n = core_register(site, addr.elts[0].get(), 7);
            const std::uint32_t imm = masked_integer(site, addr.elts[1].get(), 0x3fc);
            u32_halfwords(out, (ins.op == "vldr" ? 0xed90 : 0xed80) | fpu_d(d) | n, fpu_vd(d) | 0x0a00 | imm >> 2);
            return true;
        }
        return false;
    }

    // vmov(Sn, Rt) when the second operand is a core register, else vmov(Rt, Sn).
    static bool fpu_move(const Expr* a0, const Expr* a1, const Site& site, CodeBuffer& out) {
        const bool to_fpu = is_core_register(a1);
        if (to_fpu) {
            const std::uint32_t n = fpu_register(site, a0);
            const std::uint32_t t = core_register(site, a1);
            u32_halfwords(out, 0xee00 | n >> 1, t << 12 | 0x0a10 | (n & 1) << 7);
        } else {
            const std::uint32_t t = core_register(site, a0);
            const std::uint32_t n = fpu_register(site, a1);
            u32_halfwords(out, 0xee10 | n >> 1, t << 12 | 0x0a10 | (n & 1) << 7);
        }
        return true;
    }
};

} // namespace

std::unique_ptr<AsmBackend> thumb_backend(mpy::NativeArch arch) {
    using mpy::NativeArch;
    switch (arch) {
    case NativeArch::armv6:
        return std::make_unique<ThumbBackend>(false, false, true);
    case NativeArch::armv6m:
        return std::make_unique<ThumbBackend>(false, false, false);
    case NativeArch::armv7m:
    case NativeArch::armv7em:
        return std::make_unique<ThumbBackend>(true, false, false);
    case NativeArch::armv7emsp:
    case NativeArch::armv7emdp:
        return std::make_unique<ThumbBackend>(true, true, false);
    default:
        return nullptr;
    }
}

} // namespace mpyship::compiler::inline_asm
