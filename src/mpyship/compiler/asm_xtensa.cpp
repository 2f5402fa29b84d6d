// @micropython.asm_xtensa: Xtensa core instructions as the Xtensa ISA reference encodes them (24-bit
// RRR/RRI8/BRI12/CALL formats, 16-bit narrow forms), with the operand rules, texts and choices of
// mpy-cross v1.28.0, found by probing it:
// - operands: registers a0..a15 ("'OP' expects a register"), integers ("expects an integer", then
//   "'OP' integer N isn't within range LO..HI", then "N is not a multiple of M"), labels ("expects a
//   label"); an instruction with another operand count is unsupported;
// - movi always loads a 32-bit literal with l32r; the literals sit in a pool at the start of the code,
//   jumped over, before the entry sequence;
// - a conditional branch to a label defined earlier and in range is one instruction; otherwise (forward,
//   or too far) it is the inverted branch over a `j`. bbci/bbsi have no long form;
// - out-of-range or misaligned call0/l32r/bbci/bbsi targets are RuntimeErrors without a traceback,
//   call0's offset field holds the byte distance as mpy-cross writes it, and j wraps silently; call0 and
//   l32r take an undefined label as a misaligned target;
// - errors found in the size pass are reported at the function's `def` line.
#include "mpyship/compiler/asm_xtensa.h"

#include "mpyship/compiler/asm_operands.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/xtensa_encoding.h"

#include <cstdio>

namespace mpyship::compiler::inline_asm {
namespace {

using namespace xtensa;

enum class Form : std::uint8_t {
    none,       // nop, ret
    rrr,        // ar, as, at
    rr_st,      // ar, at (abs_, neg, sra, srl)
    rr_rs,      // ar, as (sll)
    rr_ts,      // at, as (nsa, nsau)
    narrow_mov, // at, as (mov, mov_n)
    s,          // as (ssl, ssr, ssa8b, ssa8l, jx, callx0)
    ssai,       // sa
    add_n,      // ar, as, at
    addi,       // at, as, imm8
    addmi,      // at, as, imm8 * 256
    addi_n,     // ar, as, -1..15
    slli,       // ar, as, 1..31
    shift_imm,  // ar, at, sa (srai, srli)
    load_store, // at, as, offset (l8ui .. s32i)
    narrow_ls,  // at, as, offset (l32i_n, s32i_n)
    movi,       // at, imm32 (literal pool)
    movi_n,     // as, -32..95
    bri12,      // as, label (beqz, bnez, bltz, bgez)
    rri8_b,     // as, at, label (beq, bne, ball, bbc, ...)
    bit_b,      // as, bit, label (bbci, bbsi)
    jump,       // label
    call0,      // label
    l32r,       // at, label
};

struct Op {
    std::string_view name;
    Form form;
    std::uint32_t bits; // the encoding with operand fields zero
    std::uint32_t scale = 0; // load/store: offset shift; ranges come from the form
};

constexpr Op k_ops[] = {
    {"nop", Form::none, 0x0020f0},     {"nop_n", Form::none, 0xf03d},     {"ret", Form::none, k_ret_n},
    {"ret_n", Form::none, k_ret_n},
    {"add", Form::rrr, k_add},      {"addx2", Form::rrr, 0x900000},    {"addx4", Form::rrr, 0xa00000},
    {"addx8", Form::rrr, 0xb00000},    {"sub", Form::rrr, k_sub},      {"subx2", Form::rrr, 0xd00000},
    {"subx4", Form::rrr, 0xe00000},    {"subx8", Form::rrr, 0xf00000},    {"and_", Form::rrr, 0x100000},
    {"or_", Form::rrr, 0x200000},      {"xor", Form::rrr, 0x300000},      {"mull", Form::rrr, 0x820000},
    {"src", Form::rrr, 0x810000},
    {"abs_", Form::rr_st, 0x600100},   {"neg", Form::rr_st, 0x600000},    {"sra", Form::rr_st, 0xb10000},
    {"srl", Form::rr_st, 0x910000},    {"sll", Form::rr_rs, 0xa10000},
    {"nsa", Form::rr_ts, 0x40e000},    {"nsau", Form::rr_ts, 0x40f000},
    {"mov", Form::narrow_mov, k_mov_n}, {"mov_n", Form::narrow_mov, k_mov_n},
    {"ssr", Form::s, 0x400000},        {"ssl", Form::s, 0x401000},        {"ssa8l", Form::s, 0x402000},
    {"ssa8b", Form::s, 0x403000},      {"jx", Form::s, k_jx},         {"callx0", Form::s, k_callx0},
    {"ssai", Form::ssai, 0x404000},
    {"add_n", Form::add_n, k_add_n},    {"addi", Form::addi, k_addi},    {"addmi", Form::addmi, 0x00d002},
    {"addi_n", Form::addi_n, 0x000b},  {"slli", Form::slli, 0x010000},
    {"srai", Form::shift_imm, 0x210000}, {"srli", Form::shift_imm, 0x410000},
    {"l8ui", Form::load_store, k_l8ui, 0},  {"l16ui", Form::load_store, k_l16ui, 1},
    {"l16si", Form::load_store, 0x009002, 1}, {"l32i", Form::load_store, k_l32i, 2},
    {"s8i", Form::load_store, 0x004002, 0},   {"s16i", Form::load_store, 0x005002, 1},
    {"s32i", Form::load_store, k_s32i, 2},
    {"l32i_n", Form::narrow_ls, k_l32i_n, 2},   {"s32i_n", Form::narrow_ls, k_s32i_n, 2},
    {"movi", Form::movi, 0x000001},    {"movi_n", Form::movi_n, k_movi_n},
    {"beqz", Form::bri12, k_beqz},   {"beqz_n", Form::bri12, k_beqz}, {"bnez", Form::bri12, k_bnez},
    {"bnez_n", Form::bri12, k_bnez}, {"bltz", Form::bri12, 0x000096},   {"bgez", Form::bri12, 0x0000d6},
    {"bnone", Form::rri8_b, 0x000007}, {"beq", Form::rri8_b, 0x001007},   {"blt", Form::rri8_b, 0x002007},
    {"bltu", Form::rri8_b, 0x003007},  {"ball", Form::rri8_b, 0x004007},  {"bbc", Form::rri8_b, 0x005007},
    {"bany", Form::rri8_b, 0x008007},  {"bne", Form::rri8_b, 0x009007},   {"bge", Form::rri8_b, 0x00a007},
    {"bgeu", Form::rri8_b, 0x00b007},  {"bnall", Form::rri8_b, 0x00c007}, {"bbs", Form::rri8_b, 0x00d007},
    {"bbci", Form::bit_b, 0x006007},   {"bbsi", Form::bit_b, 0x00e007},
    {"j", Form::jump, 0x000006},       {"call0", Form::call0, 0x000005},  {"l32r", Form::l32r, 0x000001},
};

std::size_t operand_count(Form form) {
    switch (form) {
    case Form::none:
        return 0;
    case Form::s:
    case Form::ssai:
    case Form::jump:
    case Form::call0:
        return 1;
    case Form::rr_st:
    case Form::rr_rs:
    case Form::rr_ts:
    case Form::narrow_mov:
    case Form::movi:
    case Form::movi_n:
    case Form::bri12:
    case Form::l32r:
        return 2;
    default:
        return 3;
    }
}

const Op* find_op(std::string_view name) {
    for (const Op& op : k_ops)
        if (op.name == name)
            return &op;
    return nullptr;
}

[[noreturn]] void runtime_error(const std::string& message) {
    throw CompileError{"RuntimeError", "ERROR: " + message, SourcePos{}, "", false, false};
}

bool fits(std::int64_t v, std::int64_t lo, std::int64_t hi) {
    return v >= lo && v <= hi;
}

// Operand readers; `i` is the 0-based operand index.
class Operands {
  public:
    Operands(const Instruction& ins, const Site& site) : m_ins(ins), m_site(site) {}

    std::uint32_t reg(std::size_t i) const {
        const auto r = register_index(m_ins.args[i], "a", 16);
        if (!r)
            m_site.fail_op("expects a register");
        return *r;
    }

    std::int32_t integer(std::size_t i) const { return std::int32_t(inline_asm::integer(m_site, m_ins.args[i])); }

    // An integer within [lo, hi] and a multiple of `step`.
    std::int32_t ranged(std::size_t i, std::int32_t lo, std::int32_t hi, std::int32_t step = 1) const {
        const std::int32_t v = integer(i);
        char text[96];
        if (v < lo || v > hi) {
            std::snprintf(text, sizeof text, "integer %d isn't within range %d..%d", v, lo, hi);
            m_site.fail_op(text);
        }
        if (v % step != 0) {
            std::snprintf(text, sizeof text, "%d is not a multiple of %d", v, step);
            m_site.fail(text);
        }
        return v;
    }

    std::string label(std::size_t i) const { return label_name(m_site, m_ins.args[i]); }

  private:
    const Instruction& m_ins;
    const Site& m_site;
};

// A branch target: the label's offset when the emitter knows it at this point (an earlier label, or
// any label in the emit pass), with "label 'x' not defined" in the emit pass.
struct Target {
    std::optional<std::size_t> dest;
    std::int64_t from(std::size_t pc) const { return dest ? std::int64_t(*dest) - std::int64_t(pc) : 0; }
};

Target target_of(const std::string& name, const Site& site, const AsmContext& cx) {
    auto dest = cx.find_label(name);
    if (!dest && cx.pass() == Pass::emit)
        site.fail("label '" + name + "' not defined");
    return {dest};
}

void u24(CodeBuffer& out, std::uint32_t v) {
    out.little_endian(v, 3);
}

class XtensaBackend final : public AsmBackend {
  public:
    explicit XtensaBackend(bool windowed) : m_windowed(windowed) {}

    std::string_view name() const override { return "Xtensa"; }
    std::uint32_t max_params() const override { return 4; }
    std::string param_name(std::uint32_t i) const override { return "a" + std::to_string(i + 2); }
    std::string params_error() const override { return "parameters must be registers in sequence a2 to a5"; }
    std::string too_many_params_error() const override {
        return "can only have up to 4 parameters to Xtensa assembly";
    }
    std::string unsupported_error(const Instruction& ins) const override {
        return "unsupported Xtensa instruction '" + ins.op + "' with " + std::to_string(ins.args.size()) +
               " arguments";
    }
    bool size_pass_errors_at_def() const override { return true; }

    void prologue(CodeBuffer& out, std::span<const Instruction> body) const override {
        literal_pool(out, body);
        if (m_windowed) {
            u24(out, entry(1, 48));
            out.u16(narrow_load_store(k_s32i_n, 0, 1, 0));
            return;
        }
        u24(out, rri8(k_addi, 1, 1, std::uint32_t(-32))); // addi a1, a1, -32
        for (std::uint32_t r : {0u, 12u, 13u, 14u, 15u})
            out.u16(narrow_load_store(k_s32i_n, r, 1, 4 * (r == 0 ? 0 : r - 11)));
    }

    void epilogue(CodeBuffer& out) const override {
        if (m_windowed) {
            out.u16(narrow_load_store(k_l32i_n, 0, 1, 0));
            out.u16(k_retw_n);
            return;
        }
        for (std::uint32_t r : {15u, 14u, 13u, 12u, 0u})
            out.u16(narrow_load_store(k_l32i_n, r, 1, 4 * (r == 0 ? 0 : r - 11)));
        u24(out, rri8(k_addi, 1, 1, 32));
        out.u16(k_ret_n);
    }

    bool encode(const Instruction& ins, const Site& site, AsmContext& cx) const override {
        const Op* op = find_op(ins.op);
        if (!op || ins.args.size() != operand_count(op->form))
            return false;
        const Operands a(ins, site);
        if (op->form >= Form::bri12)
            control(*op, a, site, cx);
        else
            data_op(*op, a, cx);
        return true;
    }

  private:
    bool m_windowed;

    // movi's literals, jumped over: j, one byte of padding, then one word per movi in program order.
    static void literal_pool(CodeBuffer& out, std::span<const Instruction> body) {
        std::vector<std::uint32_t> literals;
        for (const Instruction& ins : body)
            if (ins.op == "movi" && ins.args.size() == 2)
                literals.push_back(int_operand(ins.args[1]).value_or(0));
        if (literals.empty())
            return;
        u24(out, j(std::int64_t(4 * literals.size())));
        out.u8(0);
        for (std::uint32_t v : literals)
            out.u32(v);
    }

    static void data_op(const Op& op, const Operands& a, AsmContext& cx) {
        CodeBuffer& out = cx.out();
        if (op.form == Form::none)
            return op.name == "nop" ? u24(out, op.bits) : out.u16(op.bits); // the others are narrow
        if (op.form == Form::narrow_mov || op.form == Form::add_n || op.form == Form::addi_n ||
            op.form == Form::narrow_ls || op.form == Form::movi_n)
            return out.u16(narrow(op, a) & 0xffff);
        if (op.form == Form::movi)
            return movi(a, cx);
        u24(out, wide(op, a));
    }

    static std::uint32_t narrow(const Op& op, const Operands& a) {
        switch (op.form) {
        case Form::narrow_mov: {
            const std::uint32_t t = a.reg(0), s = a.reg(1);
            return mov_n(t, s);
        }
        case Form::add_n: {
            const std::uint32_t r = a.reg(0), s = a.reg(1), t = a.reg(2);
            return rrr(op.bits, r, s, t);
        }
        case Form::addi_n: {
            // mpy-cross writes 0 as -1 and lets -1's sign bits cover the register fields (both come
            // out as 0xfffb); matched as it is.
            const std::uint32_t r = a.reg(0), s = a.reg(1);
            const std::int32_t v = a.ranged(2, -1, 15);
            return op.bits | r << 12 | s << 8 | std::uint32_t(v == 0 ? -1 : v) << 4;
        }
        case Form::narrow_ls: {
            const std::uint32_t t = a.reg(0), s = a.reg(1);
            return narrow_load_store(op.bits, t, s, std::uint32_t(a.ranged(2, 0, 60, 4)));
        }
        default: { // movi_n
            const std::uint32_t s = a.reg(0);
            return movi_n(s, a.ranged(1, -32, 95));
        }
        }
    }

    static std::uint32_t wide(const Op& op, const Operands& a) {
        switch (op.form) {
        case Form::rrr: {
            const std::uint32_t r = a.reg(0), s = a.reg(1), t = a.reg(2);
            return rrr(op.bits, r, s, t);
        }
        case Form::rr_st: {
            const std::uint32_t r = a.reg(0), t = a.reg(1);
            return rrr(op.bits, r, 0, t);
        }
        case Form::rr_rs: {
            const std::uint32_t r = a.reg(0), s = a.reg(1);
            return rrr(op.bits, r, s, 0);
        }
        case Form::rr_ts: {
            const std::uint32_t t = a.reg(0), s = a.reg(1);
            return rrr(op.bits, 0, s, t);
        }
        case Form::s:
            return rrr(op.bits, 0, a.reg(0), 0);
        case Form::ssai: {
            const auto sa = std::uint32_t(a.ranged(0, 0, 31));
            return op.bits | (sa & 15) << 8 | (sa >> 4) << 4;
        }
        default:
            return wide_immediate(op, a);
        }
    }

    static std::uint32_t wide_immediate(const Op& op, const Operands& a) {
        const std::uint32_t first = a.reg(0), second = a.reg(1);
        switch (op.form) {
        case Form::addi:
            return rri8(op.bits, first, second, std::uint32_t(a.ranged(2, -128, 127)));
        case Form::addmi: {
            const std::int32_t v = a.ranged(2, -32768, 32512, 256);
            return rri8(op.bits, first, second, std::uint32_t(v >> 8));
        }
        case Form::slli: {
            const std::uint32_t sa = 32 - std::uint32_t(a.ranged(2, 1, 31));
            return op.bits | (sa >> 4) << 20 | first << 12 | second << 8 | (sa & 15) << 4;
        }
        case Form::shift_imm: {
            const bool srai = op.bits == 0x210000;
            const auto sa = std::uint32_t(a.ranged(2, 0, srai ? 31 : 15));
            return op.bits | (sa >> 4) << 20 | first << 12 | (sa & 15) << 8 | second << 4;
        }
        default: { // load_store
            const std::int32_t hi = 255 << op.scale;
            return rri8(op.bits, first, second, std::uint32_t(a.ranged(2, 0, hi)) >> op.scale);
        }
        }
    }

    // l32r from this movi's literal: the pool's words start at offset 4.
    static void movi(const Operands& a, AsmContext& cx) {
        const std::uint32_t t = a.reg(0);
        a.integer(1);
        const std::size_t literal = 4 + 4 * std::size_t(cx.next_literal());
        const std::int64_t base = std::int64_t((cx.offset() + 3) & ~std::size_t(3));
        const std::int64_t words = (std::int64_t(literal) - base) >> 2;
        u24(cx.out(), xtensa::l32r(t, words));
    }

    static void control(const Op& op, const Operands& a, const Site& site, AsmContext& cx) {
        switch (op.form) {
        case Form::bri12:
        case Form::rri8_b:
            return branch(op, a, site, cx);
        case Form::bit_b:
            return bit_branch(op, a, site, cx);
        case Form::jump: {
            const Target to = target_of(a.label(0), site, cx);
            return u24(cx.out(), j(to.from(cx.offset()) - 4));
        }
        case Form::call0:
            return call0(Target{cx.find_label(a.label(0))}, cx);
        default:
            return l32r(a, cx);
        }
    }

    // Short form for an earlier label in range; otherwise the inverted condition skips a `j`.
    static void branch(const Op& op, const Operands& a, const Site& site, AsmContext& cx) {
        const bool bri12 = op.form == Form::bri12;
        const std::uint32_t s = a.reg(0);
        const std::uint32_t regs = bri12 ? s << 8 : s << 8 | a.reg(1) << 4;
        const Target to = target_of(a.label(bri12 ? 1 : 2), site, cx);
        const std::size_t pc = cx.offset();
        const std::int64_t off = to.from(pc) - 4;
        const bool backward = to.dest && *to.dest <= pc;
        if (bri12 && backward && fits(off, -2048, 2047))
            return u24(cx.out(), xtensa::bri12(op.bits, s, off));
        if (!bri12 && backward && fits(off, -128, 127))
            return u24(cx.out(), op.bits | regs | (std::uint32_t(off) & 0xff) << 16);
        const std::uint32_t inverted = bri12 ? invert_bri12(op.bits) : op.bits ^ 0x8000;
        u24(cx.out(), inverted | regs | (bri12 ? 2u << 12 : 2u << 16));
        u24(cx.out(), j(to.from(pc + 3) - 4));
    }

    static void bit_branch(const Op& op, const Operands& a, const Site& site, AsmContext& cx) {
        const std::uint32_t s = a.reg(0);
        const auto bit = std::uint32_t(a.ranged(1, 0, 31));
        const Target to = target_of(a.label(2), site, cx);
        const std::int64_t off = to.from(cx.offset()) - 4;
        if (cx.pass() == Pass::emit && !fits(off, -128, 127))
            runtime_error("xtensa bit_branch out of range");
        u24(cx.out(), op.bits | (bit >> 4) << 12 | s << 8 | (bit & 15) << 4 | (std::uint32_t(off) & 0xff) << 16);
    }

    static void call0(const Target& to, AsmContext& cx) {
        const std::size_t pc = cx.offset();
        const std::int64_t field = to.from(pc) - 3;
        if (cx.pass() == Pass::emit) {
            if (!to.dest || *to.dest & 3) // mpy-cross takes an undefined label as a misaligned one
                runtime_error("call0 target not word-aligned");
            if ((pc + 3) & 3)
                runtime_error("call0 location not word-aligned");
            if (!fits(field, -131072, 131071))
                runtime_error("xtensa call0 out of range");
        }
        u24(cx.out(), xtensa::call0(field));
    }

    static void l32r(const Operands& a, AsmContext& cx) {
        const std::uint32_t t = a.reg(0);
        const Target to{cx.find_label(a.label(1))};
        const std::size_t pc = cx.offset();
        const std::int64_t words = to.from(pc) >> 2;
        if (cx.pass() == Pass::emit) {
            if (!to.dest || *to.dest & 3)
                runtime_error("l32r target not word-aligned");
            if (pc & 3)
                runtime_error("l32r location not word-aligned");
            if (!fits(words, -32768, -1))
                runtime_error("xtensa l32r out of range");
        }
        u24(cx.out(), xtensa::l32r(t, words));
    }
};

} // namespace

std::unique_ptr<AsmBackend> xtensa_backend(mpy::NativeArch arch) {
    if (arch != mpy::NativeArch::xtensa && arch != mpy::NativeArch::xtensawin)
        return nullptr;
    return std::make_unique<XtensaBackend>(arch == mpy::NativeArch::xtensawin);
}

} // namespace mpyship::compiler::inline_asm
