#include "mpyship/mpy/reader.h"

#include "mpyship/mpy/byte_reader.h"
#include "mpyship/mpy/opcodes.h"
#include "mpyship/mpy/static_qstrs.h"

#include <string>

namespace mpyship::mpy {
namespace {

// Nesting limits keep recursion bounded on crafted input; real files are far below them.
constexpr int k_max_tuple_depth = 256;
constexpr int k_max_code_depth = 512;
// Continuation bytes allowed in the prelude's bit-interleaved encodings (enough for 32-bit fields).
constexpr int k_max_sig_continuations = 14;
constexpr int k_max_size_continuations = 5;

std::string hex2(std::uint8_t b) {
    const char* d = "0123456789abcdef";
    return std::string("0x") + d[b >> 4] + d[b & 15];
}

class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> data) : m_in(data) {}

    Module read() {
        Module m;
        m.header = read_header();
        std::uint64_t n_qstr = m_in.count("qstr count");
        std::uint64_t n_obj = m_in.count("constant count");
        m.qstrs.reserve(n_qstr);
        for (std::uint64_t i = 0; i < n_qstr; ++i)
            m.qstrs.push_back(read_qstr());
        m.constants.reserve(n_obj);
        for (std::uint64_t i = 0; i < n_obj; ++i)
            m.constants.push_back(read_constant(0));
        m_n_qstr = m.qstrs.size();
        m_n_obj = m.constants.size();
        m.root = read_raw_code(0);
        if (!m_in.at_end())
            m_in.error(std::to_string(m_in.remaining()) +
                       " unexpected trailing bytes after the module's code");
        return m;
    }

  private:
    Header read_header() {
        Header h;
        h.magic = m_in.byte("magic byte 'M' or 'C'");
        if (h.magic != k_magic_micropython && h.magic != k_magic_circuitpython)
            m_in.error_at(0, "not a .mpy file: magic byte is " + hex2(h.magic) + ", expected 'M' or 'C'");
        h.version = m_in.byte("version byte");
        if (h.version != k_version)
            m_in.error_at(1, "unsupported .mpy version " + std::to_string(h.version) + ", expected 6");
        std::uint8_t features = m_in.byte("feature flags byte");
        if (features & k_feature_reserved)
            m_in.error_at(2, "reserved feature bit 7 is set");
        h.sub_version = features & k_feature_sub_version_mask;
        h.arch = NativeArch((features >> k_feature_arch_shift) & k_feature_arch_mask);
        if (std::uint8_t(h.arch) > std::uint8_t(NativeArch::rv64imc))
            m_in.error_at(2, "unknown native architecture " + std::to_string(int(h.arch)));
        h.has_arch_flags = features & k_feature_arch_flags;
        h.small_int_bits = m_in.byte("small-int bits byte");
        if (h.has_arch_flags)
            h.arch_flags = m_in.vuint("architecture flags");
        return h;
    }

    Qstr read_qstr() {
        std::size_t at = m_in.offset();
        std::uint64_t v = m_in.vuint("qstr length");
        Qstr q;
        if (v & 1) {
            auto text = v >> 1 <= 0xffffffffu ? static_qstr_text(std::uint32_t(v >> 1)) : std::nullopt;
            if (!text)
                m_in.error_at(at, "static qstr index " + std::to_string(v >> 1) + " is out of range (1.." +
                                      std::to_string(static_qstr_count()) + ")");
            q.is_static = true;
            q.static_index = std::uint32_t(v >> 1);
            q.text = std::string(*text);
            return q;
        }
        auto data = m_in.bytes(v >> 1, "qstr text");
        q.text.assign(data.begin(), data.end());
        expect_nul("qstr");
        return q;
    }

    void expect_nul(const char* what) {
        std::size_t at = m_in.offset();
        if (m_in.byte(std::string("NUL terminator of ") + what) != 0)
            m_in.error_at(at, std::string("expected NUL terminator after ") + what);
    }

    Constant read_constant(int depth) {
        if (depth > k_max_tuple_depth)
            m_in.error("constant tuples nested deeper than " + std::to_string(k_max_tuple_depth));
        std::size_t at = m_in.offset();
        std::uint8_t kind = m_in.byte("constant kind");
        if (kind > k_obj_kind_last)
            m_in.error_at(at, "unknown constant kind " + std::to_string(kind) + ", expected 0.." +
                                  std::to_string(k_obj_kind_last));
        Constant c;
        c.kind = ObjKind(kind);
        switch (c.kind) {
        case ObjKind::str:
        case ObjKind::bytes: {
            auto data = m_in.bytes(m_in.vuint("string length"), "string data");
            c.data.assign(data.begin(), data.end());
            expect_nul(c.kind == ObjKind::str ? "str constant" : "bytes constant");
            break;
        }
        case ObjKind::int_:
        case ObjKind::float_:
        case ObjKind::complex: {
            auto data = m_in.bytes(m_in.vuint("number text length"), "number text");
            c.data.assign(data.begin(), data.end());
            check_number_text(c, at);
            break;
        }
        case ObjKind::tuple: {
            std::uint64_t n = m_in.count("tuple length");
            c.items.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i)
                c.items.push_back(read_constant(depth + 1));
            break;
        }
        default:
            break;
        }
        return c;
    }

    void check_number_text(const Constant& c, std::size_t at) {
        if (c.data.empty())
            m_in.error_at(at, std::string("empty ") + obj_kind_name(c.kind) + " constant");
        for (char ch : c.data) {
            bool ok = (ch >= '0' && ch <= '9') || ch == '-' || ch == '+';
            if (c.kind != ObjKind::int_)
                ok = ok || ch == '.' || ch == 'e' || ch == 'j' || ch == '(' || ch == ')' || ch == 'i' ||
                     ch == 'n' || ch == 'f' || ch == 'a';
            if (!ok)
                m_in.error_at(at, std::string("malformed ") + obj_kind_name(c.kind) + " constant text '" +
                                      c.data + "'");
        }
    }

    RawCode read_raw_code(int depth) {
        if (depth > k_max_code_depth)
            m_in.error("raw code nested deeper than " + std::to_string(k_max_code_depth));
        std::size_t at = m_in.offset();
        std::uint64_t kind_len = m_in.vuint("raw code header");
        RawCode rc;
        rc.kind = CodeKind(kind_len & k_raw_code_kind_mask);
        bool has_children = kind_len & k_raw_code_has_children;
        std::uint64_t len = kind_len >> k_raw_code_len_shift;
        if (len > m_in.remaining())
            m_in.error_at(at, "raw code length " + std::to_string(len) + " exceeds the " +
                                  std::to_string(m_in.remaining()) + " bytes left in the file");
        std::size_t code_at = m_in.offset();
        auto code = m_in.bytes(len, "raw code");
        std::size_t opcodes_at = 0;
        if (rc.kind == CodeKind::bytecode)
            opcodes_at = read_bytecode_function(code, code_at, rc);
        else
            read_native_extras(code, rc);
        if (has_children) {
            std::size_t count_at = m_in.offset();
            std::uint64_t n = m_in.count("child count");
            if (n == 0)
                m_in.error_at(count_at, "child count is 0 although the raw code says it has children");
            rc.children.reserve(n);
            for (std::uint64_t i = 0; i < n; ++i)
                rc.children.push_back(read_raw_code(depth + 1));
        }
        if (rc.kind == CodeKind::native_viper && (rc.native.scope_flags & k_scope_viper_reloc))
            read_relocations(rc.native);
        if (rc.kind == CodeKind::bytecode)
            validate_bytecode(rc, opcodes_at);
        return rc;
    }

    void read_native_extras(std::span<const std::uint8_t> code, RawCode& rc) {
        NativeCode& n = rc.native;
        n.code.assign(code.begin(), code.end());
        if (rc.kind == CodeKind::native_py) {
            std::size_t at = m_in.offset();
            n.prelude_offset = m_in.vuint("native prelude offset");
            if (n.prelude_offset > n.code.size())
                m_in.error_at(at, "native prelude offset is past the end of the code");
            return;
        }
        n.scope_flags = m_in.vuint("native scope flags");
        if (rc.kind == CodeKind::native_asm) {
            n.asm_n_pos_args = m_in.vuint("asm argument count");
            n.asm_type_sig = m_in.vuint("asm type signature");
        }
        if (rc.kind == CodeKind::native_viper) {
            if (n.scope_flags & k_scope_viper_rodata)
                n.rodata_size = m_in.count("viper rodata size");
            if (n.scope_flags & k_scope_viper_bss)
                n.bss_size = m_in.vuint("viper bss size");
            if (n.scope_flags & k_scope_viper_rodata) {
                auto ro = m_in.bytes(n.rodata_size, "viper rodata");
                n.rodata.assign(ro.begin(), ro.end());
            }
        }
    }

    void read_relocations(NativeCode& n) {
        std::size_t start = m_in.position();
        for (;;) {
            std::uint8_t opb = m_in.byte("viper relocation");
            if (opb == k_viper_reloc_end)
                break;
            if (opb & 1)
                m_in.vuint("viper relocation address");
            unsigned o = opb >> 1;
            if (o <= 5 && (o & 1))
                m_in.vuint("viper relocation count");
        }
        auto stream = m_in.consumed_since(start);
        n.relocations.assign(stream.begin(), stream.end());
    }

    // Returns the absolute offset of the function's opcodes.
    std::size_t read_bytecode_function(std::span<const std::uint8_t> fun, std::size_t fun_at, RawCode& rc) {
        ByteReader in(fun, fun_at);
        Prelude& p = rc.prelude;
        read_signature(in, p);
        std::uint64_t n_info = 0, n_cell = 0;
        read_size(in, n_info, n_cell);
        if (n_info > in.remaining())
            in.error("prelude info size " + std::to_string(n_info) + " exceeds the function's remaining " +
                     std::to_string(in.remaining()) + " bytes");
        std::size_t info_at = in.offset();
        ByteReader info(in.bytes(n_info, "prelude info"), info_at);
        p.simple_name = qstr_index(info, "function name qstr");
        std::uint64_t n_args = std::uint64_t(p.n_pos_args) + p.n_kwonly_args;
        if (n_args > info.remaining())
            info.error("argument name count " + std::to_string(n_args) + " exceeds the prelude info size");
        for (std::uint64_t i = 0; i < n_args; ++i)
            p.arg_names.push_back(qstr_index(info, "argument name qstr"));
        auto lines = info.bytes(info.remaining(), "line info");
        p.line_info.assign(lines.begin(), lines.end());
        std::size_t bad = 0;
        decode_line_info(p.line_info, &bad);
        if (bad != SIZE_MAX)
            info.error_at(info_at + (n_info - p.line_info.size()) + bad, "truncated line-number entry");
        auto cells = in.bytes(n_cell, "closure cell list");
        p.cells.assign(cells.begin(), cells.end());
        std::size_t opcodes_at = in.offset();
        auto body = in.bytes(in.remaining(), "bytecode");
        rc.bytecode.assign(body.begin(), body.end());
        return opcodes_at;
    }

    void read_signature(ByteReader& in, Prelude& p) {
        std::uint8_t z = in.byte("prelude signature");
        std::uint64_t S = (z >> 3) & 0xf, E = (z >> 2) & 1, F = 0, A = z & 3, K = 0, D = 0;
        for (int n = 0; z & 0x80; ++n) {
            if (n >= k_max_sig_continuations)
                in.error("prelude signature is too long");
            z = in.byte("prelude signature");
            S |= std::uint64_t((z >> 4) & 3) << (4 + 2 * n);
            E |= std::uint64_t((z >> 1) & 1) << (1 + n);
            F |= std::uint64_t((z >> 6) & 1) << n;
            A |= std::uint64_t((z >> 2) & 1) << (2 + n);
            K |= std::uint64_t((z >> 3) & 1) << n;
            D |= std::uint64_t(z & 1) << n;
        }
        p.n_state = std::uint32_t(S + 1);
        p.n_exc_stack = std::uint32_t(E);
        p.scope_flags = std::uint32_t(F);
        p.n_pos_args = std::uint32_t(A);
        p.n_kwonly_args = std::uint32_t(K);
        p.n_def_pos_args = std::uint32_t(D);
        if (p.n_def_pos_args > p.n_pos_args)
            in.error("prelude has more default arguments than positional arguments");
    }

    void read_size(ByteReader& in, std::uint64_t& n_info, std::uint64_t& n_cell) {
        n_info = 0;
        n_cell = 0;
        for (int n = 0;; ++n) {
            if (n > k_max_size_continuations)
                in.error("prelude size is too long");
            std::uint8_t z = in.byte("prelude size");
            n_cell |= std::uint64_t(z & 1) << n;
            n_info |= std::uint64_t((z >> 1) & 0x3f) << (6 * n);
            if (!(z & 0x80))
                break;
        }
    }

    std::uint32_t qstr_index(ByteReader& in, const char* what) {
        std::size_t at = in.offset();
        std::uint64_t i = in.vuint(what);
        if (i >= m_n_qstr)
            in.error_at(at, std::string(what) + " index " + std::to_string(i) + " is out of range (" +
                                std::to_string(m_n_qstr) + " qstrs)");
        return std::uint32_t(i);
    }

    // Walks every instruction: each must decode and each index must name an existing table entry.
    void validate_bytecode(const RawCode& rc, std::size_t base) {
        std::span<const std::uint8_t> code = rc.bytecode;
        for (std::size_t pos = 0; pos < code.size();) {
            DecodeError err{};
            auto ins = decode_instruction(code, pos, &err);
            if (!ins)
                m_in.error_at(base + err.offset, err.what);
            check_operand(*ins, rc, base);
            pos += ins->size;
        }
        for (std::uint8_t cell : rc.prelude.cells)
            if (cell >= rc.prelude.n_state)
                m_in.error_at(base, "closure cell " + std::to_string(cell) + " is not a local (n_state " +
                                        std::to_string(rc.prelude.n_state) + ")");
    }

    void check_operand(const Instruction& ins, const RawCode& rc, std::size_t base) {
        auto bad = [&](const std::string& what, std::size_t limit) {
            m_in.error_at(base + ins.offset, std::string(ins.info.name) + " " + what + " " +
                                                 std::to_string(ins.arg) + " is out of range (" +
                                                 std::to_string(limit) + ")");
        };
        switch (ins.info.arg) {
        case ArgKind::qstr:
            if (std::uint64_t(ins.arg) >= m_n_qstr)
                bad("qstr index", m_n_qstr);
            break;
        case ArgKind::const_obj:
            if (std::uint64_t(ins.arg) >= m_n_obj)
                bad("constant index", m_n_obj);
            break;
        case ArgKind::child:
            if (std::uint64_t(ins.arg) >= rc.children.size())
                bad("child index", rc.children.size());
            break;
        case ArgKind::jump_signed:
        case ArgKind::jump_unsigned:
            if (ins.target < 0 || std::uint64_t(ins.target) > rc.bytecode.size())
                m_in.error_at(base + ins.offset, std::string(ins.info.name) + " jumps to " +
                                                     std::to_string(ins.target) + ", outside the code (0.." +
                                                     std::to_string(rc.bytecode.size()) + ")");
            break;
        default:
            break;
        }
    }

    ByteReader m_in;
    std::size_t m_n_qstr = 0;
    std::size_t m_n_obj = 0;
};

} // namespace

std::vector<LineEntry> decode_line_info(std::span<const std::uint8_t> li, std::size_t* bad_offset) {
    std::vector<LineEntry> out;
    if (bad_offset)
        *bad_offset = SIZE_MAX;
    for (std::size_t i = 0; i < li.size();) {
        std::uint8_t c = li[i];
        if (!(c & 0x80)) {
            out.push_back({std::uint32_t(c & 0x1f), std::uint32_t(c >> 5)});
            i += 1;
        } else {
            if (i + 1 >= li.size()) {
                if (bad_offset)
                    *bad_offset = i;
                break;
            }
            out.push_back({std::uint32_t(c & 0xf), std::uint32_t(((c << 4) & 0x700) | li[i + 1])});
            i += 2;
        }
    }
    return out;
}

std::expected<Module, ReadError> read_module(std::span<const std::uint8_t> data) {
    try {
        return Reader(data).read();
    } catch (const FormatError& e) {
        return std::unexpected(ReadError{e.offset, e.what});
    }
}

} // namespace mpyship::mpy
