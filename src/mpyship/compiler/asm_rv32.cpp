// @micropython.asm_rv32: RV32IMC as the RISC-V Unprivileged ISA manual encodes it (base, M, C, Zicsr,
// Zba), with the operand rules and texts of mpy-cross v1.28.0: "opcode 'OP' argument N: expecting
// register" / "unknown register" (a register the compressed form cannot name) / "expecting integer" /
// "out of range" / "must not be zero" / "expecting label" / "undefined label 'L'" / "expecting offset".
// Memory operands are written `offset(register)`; that counts as two arguments in the messages.
// The function returns with c.jr ra and has no prologue.
#include "mpyship/compiler/asm_rv32.h"

#include "mpyship/compiler/asm_operands.h"
#include "mpyship/compiler/rv32_encoding.h"

#include <array>

namespace mpyship::compiler::inline_asm {
namespace {

using namespace rv32; // the instruction formats

constexpr std::array<std::string_view, 32> k_abi_names = {
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",  "a1",  "a2", "a3", "a4", "a5",
    "a6",   "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

// The operand forms; each instruction is one of them.
enum class Form : std::uint8_t {
    none,       // ecall
    r3,         // rd, rs1, rs2
    i_imm,      // rd, rs1, imm12
    i_shift,    // rd, rs1, shamt
    load,       // rd, imm(rs1)
    store,      // rs2, imm(rs1)
    branch,     // rs1, rs2, label
    jal,        // rd, label
    jalr,       // rd, rs1, imm12
    upper,      // rd, imm20
    csr,        // rd, rs1, csr
    csr_imm,    // rd, csr, uimm5
    li,         // rd, imm32
    la,         // rd, label
    mv,         // rd, rs
    c_none,     // c.nop, c.ebreak
    c_rd_imm,   // c.addi, c.li, c.lui, c.andi, c.slli, c.srli, c.srai, c.lwsp, c.swsp, c.addi4spn
    c_rr,       // c.mv, c.add, c.sub, c.and, c.or, c.xor
    c_r,        // c.jr, c.jalr
    c_j,        // c.j, c.jal
    c_branch,   // c.beqz, c.bnez
    c_mem,      // c.lw, c.sw
};

struct Op {
    std::string_view name;
    Form form;
    std::uint32_t bits; // the encoding with every operand field zero
    bool zba = false;
};

constexpr Op k_ops[] = {
    {"add", Form::r3, 0x00000033},     {"sub", Form::r3, 0x40000033},     {"sll", Form::r3, 0x00001033},
    {"slt", Form::r3, 0x00002033},     {"sltu", Form::r3, 0x00003033},    {"xor", Form::r3, 0x00004033},
    {"srl", Form::r3, 0x00005033},     {"sra", Form::r3, 0x40005033},     {"or_", Form::r3, 0x00006033},
    {"and_", Form::r3, 0x00007033},    {"mul", Form::r3, 0x02000033},     {"mulh", Form::r3, 0x02001033},
    {"mulhsu", Form::r3, 0x02002033},  {"mulhu", Form::r3, 0x02003033},   {"div", Form::r3, 0x02004033},
    {"divu", Form::r3, 0x02005033},    {"rem", Form::r3, 0x02006033},     {"remu", Form::r3, 0x02007033},
    {"sh1add", Form::r3, 0x20002033, true}, {"sh2add", Form::r3, 0x20004033, true},
    {"sh3add", Form::r3, 0x20006033, true},
    {"addi", Form::i_imm, 0x00000013}, {"slti", Form::i_imm, 0x00002013}, {"sltiu", Form::i_imm, 0x00003013},
    {"xori", Form::i_imm, 0x00004013}, {"ori", Form::i_imm, 0x00006013},  {"andi", Form::i_imm, 0x00007013},
    {"slli", Form::i_shift, 0x00001013}, {"srli", Form::i_shift, 0x00005013}, {"srai", Form::i_shift, 0x40005013},
    {"lb", Form::load, 0x00000003},    {"lh", Form::load, 0x00001003},    {"lw", Form::load, 0x00002003},
    {"lbu", Form::load, 0x00004003},   {"lhu", Form::load, 0x00005003},
    {"sb", Form::store, 0x00000023},   {"sh", Form::store, 0x00001023},   {"sw", Form::store, 0x00002023},
    {"beq", Form::branch, 0x00000063}, {"bne", Form::branch, 0x00001063}, {"blt", Form::branch, 0x00004063},
    {"bge", Form::branch, 0x00005063}, {"bltu", Form::branch, 0x00006063}, {"bgeu", Form::branch, 0x00007063},
    {"jal", Form::jal, 0x0000006f},    {"jalr", Form::jalr, 0x00000067},
    {"lui", Form::upper, 0x00000037},  {"auipc", Form::upper, 0x00000017},
    {"csrrw", Form::csr, 0x00001073},  {"csrrs", Form::csr, 0x00002073},  {"csrrc", Form::csr, 0x00003073},
    {"csrrwi", Form::csr_imm, 0x00005073}, {"csrrsi", Form::csr_imm, 0x00006073},
    {"csrrci", Form::csr_imm, 0x00007073},
    {"ecall", Form::none, 0x00000073}, {"ebreak", Form::none, 0x00100073},
    {"li", Form::li, 0},               {"la", Form::la, 0},               {"mv", Form::mv, 0},
    {"c_nop", Form::c_none, 0x0001},   {"c_ebreak", Form::c_none, 0x9002},
    {"c_addi", Form::c_rd_imm, 0x0001}, {"c_li", Form::c_rd_imm, 0x4001}, {"c_lui", Form::c_rd_imm, 0x6001},
    {"c_andi", Form::c_rd_imm, 0x8801}, {"c_slli", Form::c_rd_imm, 0x0002}, {"c_srli", Form::c_rd_imm, 0x8001},
    {"c_srai", Form::c_rd_imm, 0x8401}, {"c_lwsp", Form::c_rd_imm, 0x4002}, {"c_swsp", Form::c_rd_imm, 0xc002},
    {"c_addi4spn", Form::c_rd_imm, 0x0000},
    {"c_mv", Form::c_rr, 0x8002},      {"c_add", Form::c_rr, 0x9002},     {"c_sub", Form::c_rr, 0x8c01},
    {"c_xor", Form::c_rr, 0x8c21},     {"c_or", Form::c_rr, 0x8c41},      {"c_and", Form::c_rr, 0x8c61},
    {"c_jr", Form::c_r, 0x8002},       {"c_jalr", Form::c_r, 0x9002},
    {"c_j", Form::c_j, 0xa001},        {"c_jal", Form::c_j, 0x2001},
    {"c_beqz", Form::c_branch, 0xc001}, {"c_bnez", Form::c_branch, 0xe001},
    {"c_lw", Form::c_mem, 0x4000},     {"c_sw", Form::c_mem, 0xc000},
};

std::size_t operand_count(Form form) {
    switch (form) {
    case Form::none:
    case Form::c_none:
        return 0;
    case Form::c_r:
    case Form::c_j:
        return 1;
    case Form::r3:
    case Form::i_imm:
    case Form::i_shift:
    case Form::branch:
    case Form::jalr:
    case Form::csr:
    case Form::csr_imm:
        return 3;
    default:
        return 2;
    }
}

// Operand readers: `n` is the argument's number in messages (1-based).
class Operands {
  public:
    Operands(const Instruction& ins, const Site& site) : m_ins(ins), m_site(site) {}

    [[noreturn]] void fail(std::size_t n, const std::string& what) const {
        m_site.fail("opcode '" + m_ins.op + "' argument " + std::to_string(n) + ": " + what);
    }

    static std::optional<std::uint32_t> register_of(const Expr* e) {
        if (auto x = register_index(e, "x", 32))
            return x;
        if (!is_name(e))
            return std::nullopt;
        const std::string& id = e->as<Name>().id;
        for (std::uint32_t i = 0; i < k_abi_names.size(); ++i)
            if (id == k_abi_names[i])
                return i;
        return std::nullopt;
    }

    std::uint32_t reg(std::size_t n, const Expr* e) const {
        const auto r = register_of(e);
        if (!r)
            fail(n, "expecting register");
        return *r;
    }
    std::uint32_t reg(std::size_t n) const { return reg(n, m_ins.args[n - 1]); }

    // A register other than x0 (and `also_not`, when given).
    std::uint32_t nonzero_reg(std::size_t n, std::uint32_t also_not = 0) const {
        const std::uint32_t r = reg(n);
        if (r == 0 || r == also_not)
            fail(n, "unknown register");
        return r;
    }

    // x8..x15, as the 3-bit field of the compressed forms.
    std::uint32_t compressed_reg(std::size_t n, const Expr* e) const {
        const std::uint32_t r = reg(n, e);
        if (r < 8 || r > 15)
            fail(n, "unknown register");
        return r - 8;
    }
    std::uint32_t compressed_reg(std::size_t n) const { return compressed_reg(n, m_ins.args[n - 1]); }

    std::int32_t integer(std::size_t n, const Expr* e) const {
        const auto v = int_operand(e);
        if (!v)
            fail(n, "expecting integer");
        return std::int32_t(*v);
    }
    std::int32_t integer(std::size_t n) const { return integer(n, m_ins.args[n - 1]); }

    // A signed integer within [lo, hi], a multiple of `step`, optionally not zero.
    std::int32_t ranged(std::size_t n, std::int32_t lo, std::int32_t hi, std::int32_t step = 1,
                        bool nonzero = false) const {
        return check_range(n, integer(n), lo, hi, step, nonzero);
    }

    std::int32_t check_range(std::size_t n, std::int32_t v, std::int32_t lo, std::int32_t hi, std::int32_t step,
                             bool nonzero) const {
        if (nonzero && v == 0)
            fail(n, "must not be zero");
        if (v < lo || v > hi || v % step != 0)
            fail(n, "out of range");
        return v;
    }

    // Argument n is `imm(reg)`: the offset (argument n in messages, checked against [lo, hi] and
    // `step`) and the register (argument n + 1), read by `read_reg`.
    template <typename ReadReg>
    std::pair<std::int32_t, std::uint32_t> offset(std::size_t n, std::int32_t lo, std::int32_t hi,
                                                  std::int32_t step, ReadReg read_reg) const {
        const Expr* e = m_ins.args[n - 1];
        bool negate = false;
        if (e && e->kind == ExprKind::unary_op) {
            const auto& u = e->as<UnaryOp>();
            if (u.op != UnaryOpKind::positive && u.op != UnaryOpKind::negative)
                fail(n, "expecting offset");
            negate = u.op == UnaryOpKind::negative;
            e = u.operand.get();
        }
        if (!e || e->kind != ExprKind::call)
            fail(n, "expecting offset");
        const Call& call = e->as<Call>();
        // The integer is the atom the call's trailers start from (`4` in `4(a0)`, `x` in `x.y(a0)`).
        const Expr* atom = call.func.get();
        while (atom->kind == ExprKind::call || atom->kind == ExprKind::attribute ||
               atom->kind == ExprKind::subscript)
            atom = first_child(*atom);
        std::int32_t v = integer(n, atom);
        if (negate)
            v = std::int32_t(0u - std::uint32_t(v));
        check_range(n, v, lo, hi, step, false);
        if (atom != call.func.get() || call.args.size() != 1 || call.args[0].kind != Argument::Kind::positional)
            fail(n + 1, "expecting register");
        return {v, read_reg(n + 1, call.args[0].value.get())};
    }

    std::string label(std::size_t n) const {
        const Expr* e = m_ins.args[n - 1];
        if (!is_name(e))
            fail(n, "expecting label");
        return e->as<Name>().id;
    }

    // The label's offset from this instruction; 0 in the size pass. With `lo` < `hi`, the emit pass
    // checks it against [lo, hi] and to be even.
    std::int32_t label_offset(std::size_t n, const AsmContext& cx, std::int32_t lo = 0, std::int32_t hi = 0) const {
        const std::string name = label(n);
        if (cx.pass() == Pass::size)
            return 0;
        const auto at = cx.find_label(name);
        if (!at)
            fail(n, "undefined label '" + name + "'");
        const std::int64_t off = std::int64_t(*at) - std::int64_t(cx.offset());
        if (lo < hi && (off < lo || off > hi || (off & 1)))
            fail(n, "out of range");
        return std::int32_t(off);
    }

  private:
    static const Expr* first_child(const Expr& e) {
        if (e.kind == ExprKind::call)
            return e.as<Call>().func.get();
        if (e.kind == ExprKind::attribute)
            return e.as<Attribute>().value.get();
        return e.as<Subscript>().value.get();
    }

    const Instruction& m_ins;
    const Site& m_site;
};

const Op* find_op(std::string_view name, bool zba) {
    for (const Op& op : k_ops)
        if (op.name == name && (zba || !op.zba))
            return &op;
    return nullptr;
}

class Rv32Backend final : public AsmBackend {
  public:
    explicit Rv32Backend(std::uint32_t flags) : m_zba(flags & k_rv32_flag_zba) {}

    std::string_view name() const override { return "RV32"; }
    std::uint32_t max_params() const override { return 4; }
    std::string param_name(std::uint32_t i) const override { return "a" + std::to_string(i); }
    std::string params_error() const override { return "parameters must be registers in sequence a0 to a3"; }
    std::string too_many_params_error() const override { return "can only have up to 4 parameters for RV32 assembly"; }
    std::string unsupported_error(const Instruction& ins) const override {
        return "invalid RV32 instruction '" + ins.op + "'";
    }
    void prologue(CodeBuffer&, std::span<const Instruction>) const override {}
    void epilogue(CodeBuffer& out) const override { out.u16(0x8082); } // c.jr ra

    bool encode(const Instruction& ins, const Site& site, AsmContext& cx) const override {
        const Op* op = find_op(ins.op, m_zba);
        if (!op)
            return false;
        const std::size_t n = operand_count(op->form);
        if (ins.args.size() != n)
            site.fail("opcode '" + ins.op + "': expecting " + std::to_string(n) + " arguments");
        const Operands a(ins, site);
        if (op->form >= Form::c_none)
            compressed(*op, a, cx);
        else
            full(*op, a, cx);
        return true;
    }

  private:
    bool m_zba;

    static void full(const Op& op, const Operands& a, AsmContext& cx) {
        CodeBuffer& out = cx.out();
        switch (op.form) {
        case Form::none:
            return out.u32(op.bits);
        case Form::r3: {
            const std::uint32_t rd = a.reg(1), rs1 = a.reg(2), rs2 = a.reg(3);
            return out.u32(op.bits | rs2 << 20 | rs1 << 15 | rd << 7);
        }
        case Form::i_imm:
        case Form::jalr: {
            const std::uint32_t rd = a.reg(1), rs1 = a.reg(2);
            return out.u32(i_type(op.bits, rd, rs1, a.ranged(3, -2048, 2047)));
        }
        case Form::i_shift: {
            const std::uint32_t rd = a.reg(1), rs1 = a.reg(2);
            return out.u32(op.bits | std::uint32_t(a.ranged(3, 0, 31)) << 20 | rs1 << 15 | rd << 7);
        }
        case Form::load: {
            const std::uint32_t rd = a.reg(1);
            const auto [imm, rs1] = a.offset(2, -2048, 2047, 1, [&](std::size_t n, const Expr* e) { return a.reg(n, e); });
            return out.u32(i_type(op.bits, rd, rs1, imm));
        }
        case Form::store: {
            const std::uint32_t rs2 = a.reg(1);
            const auto [imm, rs1] = a.offset(2, -2048, 2047, 1, [&](std::size_t n, const Expr* e) { return a.reg(n, e); });
            return out.u32(s_type(op.bits, rs2, rs1, imm));
        }
        case Form::branch: {
            const std::uint32_t rs1 = a.reg(1), rs2 = a.reg(2);
            return out.u32(b_type(op.bits, rs1, rs2, a.label_offset(3, cx, -4096, 4094)));
        }
        case Form::jal: {
            const std::uint32_t rd = a.reg(1);
            return out.u32(j_type(op.bits, rd, a.label_offset(2, cx, -(1 << 20), (1 << 20) - 2)));
        }
        case Form::upper: {
            const std::uint32_t rd = a.reg(1);
            return out.u32(op.bits | (std::uint32_t(a.integer(2)) & 0xfffff) << 12 | rd << 7);
        }
        case Form::csr: {
            const std::uint32_t rd = a.reg(1), rs1 = a.reg(2);
            return out.u32(op.bits | std::uint32_t(a.ranged(3, 0, 0xfff)) << 20 | rs1 << 15 | rd << 7);
        }
        case Form::csr_imm: {
            const std::uint32_t rd = a.reg(1);
            const auto csr = std::uint32_t(a.ranged(2, 0, 0xfff));
            return out.u32(op.bits | csr << 20 | std::uint32_t(a.ranged(3, 0, 31)) << 15 | rd << 7);
        }
        case Form::li:
            return load_immediate(out, a.reg(1), a.integer(2));
        case Form::la: {
            const std::uint32_t rd = a.reg(1);
            const std::int32_t off = a.label_offset(2, cx);
            const auto [upper, lower] = split_hi_lo(off);
            out.u32(u_type(k_auipc, rd, upper));
            return out.u32(i_type(k_addi, rd, rd, lower));
        }
        case Form::mv: {
            const std::uint32_t rd = a.reg(1), rs = a.reg(2);
            return out.u16(0x8002 | rd << 7 | rs << 2); // c.mv, whatever the registers
        }
        default:
            return;
        }
    }

    // li: c.li for 6-bit values, addi for 12-bit ones, otherwise (c.)lui and an addi when the low
    // part is not zero; c.lui only for upper parts within [-16, 15], as mpy-cross chooses.
    static void load_immediate(CodeBuffer& out, std::uint32_t rd, std::int32_t v) {
        if (fits_signed(v, 6))
            return out.u16(c_li(rd, v));
        if (fits_signed(v, 12))
            return out.u32(i_type(k_addi, rd, 0, v));
        const auto [upper, lower] = split_hi_lo(v);
        if (fits_signed(upper, 5))
            out.u16(c_lui(rd, upper));
        else
            out.u32(u_type(k_lui, rd, upper));
        if (lower != 0)
            out.u32(i_type(k_addi, rd, rd, lower));
    }

    static void compressed(const Op& op, const Operands& a, AsmContext& cx) {
        CodeBuffer& out = cx.out();
        switch (op.form) {
        case Form::c_none:
            return out.u16(op.bits);
        case Form::c_rd_imm:
            return out.u16(register_immediate(op, a));
        case Form::c_rr: {
            if (op.bits & 1) { // c.sub, c.xor, c.or, c.and: x8..x15
                // mpy-cross writes only the low two bits of each register field (x12..x15 come out
                // as x8..x11); matched as it is.
                const std::uint32_t rd = a.compressed_reg(1), rs = a.compressed_reg(2);
                return out.u16(op.bits | (rd & 3) << 7 | (rs & 3) << 2);
            }
            const std::uint32_t rd = a.nonzero_reg(1), rs = a.nonzero_reg(2);
            return out.u16(op.bits | rd << 7 | rs << 2);
        }
        case Form::c_r:
            return out.u16(op.bits | a.nonzero_reg(1) << 7);
        case Form::c_j:
            return out.u16(op.bits | cj_offset(a.label_offset(1, cx, -2048, 2046)));
        case Form::c_branch: {
            const std::uint32_t rs = a.compressed_reg(1);
            return out.u16(op.bits | rs << 7 | cb_offset(a.label_offset(2, cx, -256, 254)));
        }
        case Form::c_mem: {
            const std::uint32_t r = a.compressed_reg(1);
            const auto [imm, base] =
                a.offset(2, -64, 60, 4, [&](std::size_t n, const Expr* e) { return a.compressed_reg(n, e); });
            const auto u = std::uint32_t(imm);
            return out.u16(op.bits | field(u, 5, 3, 10) | base << 7 | field(u, 2, 2, 6) | field(u, 6, 6, 5) | r << 2);
        }
        default:
            return;
        }
    }

    static std::uint32_t register_immediate(const Op& op, const Operands& a) {
        const std::string_view name = op.name;
        if (name == "c_addi") {
            const std::uint32_t rd = a.nonzero_reg(1);
            return op.bits | rd << 7 | ci_imm(a.ranged(2, -32, 31, 1, true));
        }
        if (name == "c_li") {
            const std::uint32_t rd = a.nonzero_reg(1);
            return op.bits | rd << 7 | ci_imm(a.ranged(2, -32, 31));
        }
        if (name == "c_lui") {
            const std::uint32_t rd = a.nonzero_reg(1, 2);
            return op.bits | rd << 7 | ci_imm(a.ranged(2, 1, 31, 1, true));
        }
        if (name == "c_slli") {
            const std::uint32_t rd = a.nonzero_reg(1);
            return op.bits | rd << 7 | ci_imm(a.ranged(2, 0, 31));
        }
        if (name == "c_andi" || name == "c_srli" || name == "c_srai") {
            const std::uint32_t rd = a.compressed_reg(1);
            const bool shift = name != "c_andi";
            return op.bits | rd << 7 | ci_imm(shift ? a.ranged(2, 0, 31) : a.ranged(2, -32, 31));
        }
        if (name == "c_lwsp") {
            const std::uint32_t rd = a.nonzero_reg(1);
            const auto u = std::uint32_t(a.ranged(2, -128, 124, 4));
            return op.bits | field(u, 5, 5, 12) | rd << 7 | field(u, 4, 2, 4) | field(u, 7, 6, 2);
        }
        if (name == "c_swsp") {
            const std::uint32_t rs = a.reg(1);
            const auto u = std::uint32_t(a.ranged(2, -128, 124, 4));
            return op.bits | field(u, 5, 2, 9) | field(u, 7, 6, 7) | rs << 2;
        }
        // c_addi4spn
        const std::uint32_t rd = a.compressed_reg(1);
        const auto u = std::uint32_t(a.ranged(2, 4, 1020, 4, true));
        return op.bits | field(u, 5, 4, 11) | field(u, 9, 6, 7) | field(u, 2, 2, 6) | field(u, 3, 3, 5) | rd << 2;
    }
};

} // namespace

std::unique_ptr<AsmBackend> rv32_backend(mpy::NativeArch arch, std::uint32_t arch_flags) {
    if (arch != mpy::NativeArch::rv32imc)
        return nullptr;
    return std::make_unique<Rv32Backend>(arch_flags);
}

} // namespace mpyship::compiler::inline_asm
