#include "mpyship/mpy/disassembler.h"

#include "mpyship/mpy/reader.h"

#include <cstdio>

namespace mpyship::mpy {
namespace {

std::string quote(const std::string& s, char q, bool is_bytes) {
    std::string out(1, q);
    for (unsigned char ch : s) {
        switch (ch) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (ch == static_cast<unsigned char>(q)) {
                out += '\\';
                out += char(ch);
            } else if (ch < 0x20 || ch == 0x7f || (is_bytes && ch >= 0x80)) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", ch);
                out += buf;
            } else {
                out += char(ch);
            }
        }
    }
    out += q;
    return out;
}

std::string hex4(std::size_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04zx", v);
    return buf;
}

class TextWriter {
  public:
    explicit TextWriter(const Module& m) : m_mod(m) {}

    std::string run() {
        header();
        tables();
        raw_code(m_mod.root, 0, "");
        return m_out;
    }

  private:
    void line(int indent, const std::string& text) {
        m_out.append(std::size_t(indent) * 2, ' ');
        m_out += text;
        m_out += '\n';
    }

    void header() {
        const Header& h = m_mod.header;
        std::string magic = h.magic == k_magic_circuitpython ? "'C' (CircuitPython)" : "'M' (MicroPython)";
        line(0, "mpy " + magic + " version " + std::to_string(h.version) + "." +
                    std::to_string(h.sub_version) + ", arch " + native_arch_name(h.arch) +
                    (h.has_arch_flags ? ", arch flags " + std::to_string(h.arch_flags) : "") +
                    ", small-int bits " + std::to_string(h.small_int_bits));
    }

    void tables() {
        line(0, "qstrs (" + std::to_string(m_mod.qstrs.size()) + "):");
        for (std::size_t i = 0; i < m_mod.qstrs.size(); ++i) {
            const Qstr& q = m_mod.qstrs[i];
            line(1, std::to_string(i) + ": " + quote(q.text, '\'', false) +
                        (q.is_static ? " (static " + std::to_string(q.static_index) + ")" : ""));
        }
        line(0, "constants (" + std::to_string(m_mod.constants.size()) + "):");
        for (std::size_t i = 0; i < m_mod.constants.size(); ++i)
            line(1, std::to_string(i) + ": " + obj_kind_name(m_mod.constants[i].kind) + " " +
                        constant_repr(m_mod.constants[i]));
    }

    void raw_code(const RawCode& rc, int indent, const std::string& label) {
        if (rc.kind != CodeKind::bytecode) {
            native(rc, indent, label);
        } else {
            bytecode(rc, indent, label);
        }
        for (std::size_t i = 0; i < rc.children.size(); ++i)
            raw_code(rc.children[i], indent + 1, "child " + std::to_string(i) + ": ");
    }

    // Native code is shown as its fields and a hex dump of the machine code (16 bytes a line).
    void native(const RawCode& rc, int indent, const std::string& label) {
        const NativeCode& n = rc.native;
        std::string head = label + code_kind_name(rc.kind) + " code, " + std::to_string(n.code.size()) + " bytes";
        if (rc.kind == CodeKind::native_py)
            head += ", prelude at " + std::to_string(n.prelude_offset);
        else
            head += ", scope flags " + hex_text(n.scope_flags);
        if (rc.kind == CodeKind::native_asm)
            head += ", " + std::to_string(n.asm_n_pos_args) + " args, type sig " + hex_text(n.asm_type_sig);
        if (rc.kind == CodeKind::native_viper)
            head += ", rodata " + std::to_string(n.rodata.size()) + ", bss " + std::to_string(n.bss_size) +
                    ", relocations " + std::to_string(n.relocations.size()) + " bytes";
        line(indent, head);
        for (std::size_t at = 0; at < n.code.size(); at += 16) {
            std::string row = offset_text(at);
            for (std::size_t i = at; i < std::min(at + 16, n.code.size()); ++i)
                row += (i % 2 == 0 ? " " : "") + byte_hex(n.code[i]);
            line(indent + 1, row);
        }
    }

    static std::string hex_text(std::uint64_t v) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%02llx", static_cast<unsigned long long>(v));
        return buf;
    }
    static std::string byte_hex(std::uint8_t b) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", b);
        return buf;
    }
    static std::string offset_text(std::size_t at) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%04zx", at);
        return buf;
    }

    void bytecode(const RawCode& rc, int indent, const std::string& label) {
        const Prelude& p = rc.prelude;
        line(indent, label + "function " + qstr_name(m_mod, p.simple_name) + " (bytecode, " +
                         std::to_string(rc.bytecode.size()) + " bytes of code)");
        line(indent + 1, "n_state " + std::to_string(p.n_state) + ", n_exc_stack " +
                             std::to_string(p.n_exc_stack) + ", flags " + scope_flags_text(p.scope_flags));
        line(indent + 1, "args: " + std::to_string(p.n_pos_args) + " positional (" +
                             std::to_string(p.n_def_pos_args) + " with defaults), " +
                             std::to_string(p.n_kwonly_args) + " keyword-only" + arg_list(p));
        if (!p.cells.empty()) {
            std::string cells = "cells:";
            for (auto c : p.cells)
                cells += " " + std::to_string(c);
            line(indent + 1, cells);
        }
        instructions(rc, indent + 1);
    }

    std::string arg_list(const Prelude& p) {
        if (p.arg_names.empty())
            return "";
        std::string s = ":";
        for (auto a : p.arg_names)
            s += " " + qstr_name(m_mod, a);
        return s;
    }

    void instructions(const RawCode& rc, int indent) {
        auto marks = line_marks(rc.prelude);
        std::size_t next_mark = 0;
        for (std::size_t pos = 0; pos < rc.bytecode.size();) {
            while (next_mark < marks.size() && marks[next_mark].offset <= pos) {
                if (next_mark + 1 == marks.size() || marks[next_mark + 1].offset > pos)
                    line(indent, "line " + std::to_string(marks[next_mark].line));
                ++next_mark;
            }
            auto ins = decode_instruction(rc.bytecode, pos, nullptr);
            if (!ins) {
                line(indent + 1, hex4(pos) + " <undecodable>");
                return;
            }
            std::string operand = describe_operand(m_mod, rc, *ins);
            line(indent + 1,
                 hex4(pos) + " " + std::string(ins->info.name) + (operand.empty() ? "" : " " + operand));
            pos += ins->size;
        }
    }

    const Module& m_mod;
    std::string m_out;
};

} // namespace

std::string constant_repr(const Constant& c) {
    switch (c.kind) {
    case ObjKind::str:
        return quote(c.data, '\'', false);
    case ObjKind::bytes:
        return "b" + quote(c.data, '\'', true);
    case ObjKind::none:
        return "None";
    case ObjKind::false_:
        return "False";
    case ObjKind::true_:
        return "True";
    case ObjKind::ellipsis:
        return "Ellipsis";
    case ObjKind::fun_table:
        return "<native function table>";
    case ObjKind::tuple: {
        std::string s = "(";
        for (std::size_t i = 0; i < c.items.size(); ++i)
            s += (i ? ", " : "") + constant_repr(c.items[i]);
        return s + (c.items.size() == 1 ? ",)" : ")");
    }
    default:
        return c.data;
    }
}

std::string qstr_name(const Module& m, std::uint64_t index) {
    if (index >= m.qstrs.size())
        return "<qstr " + std::to_string(index) + "?>";
    return m.qstrs[index].text;
}

std::string describe_operand(const Module& m, const RawCode& rc, const Instruction& ins) {
    switch (ins.info.arg) {
    case ArgKind::none:
        return "";
    case ArgKind::qstr:
        return qstr_name(m, std::uint64_t(ins.arg));
    case ArgKind::const_obj:
        return std::uint64_t(ins.arg) < m.constants.size() ? constant_repr(m.constants[std::size_t(ins.arg)])
                                                           : "<const " + std::to_string(ins.arg) + "?>";
    case ArgKind::child: {
        std::string s = "child " + std::to_string(ins.arg);
        if (std::uint64_t(ins.arg) < rc.children.size() &&
            rc.children[std::size_t(ins.arg)].kind == CodeKind::bytecode)
            s += " (" + qstr_name(m, rc.children[std::size_t(ins.arg)].prelude.simple_name) + ")";
        if (ins.extra >= 0)
            s += ", " + std::to_string(ins.extra) + " closed over";
        return s;
    }
    case ArgKind::jump_signed:
    case ArgKind::jump_unsigned: {
        std::string s = "-> " + hex4(std::size_t(ins.target));
        if (ins.extra >= 0)
            s += ", unwind " + std::to_string(ins.extra);
        return s;
    }
    case ArgKind::multi:
        if (ins.opcode >= op::BINARY_OP_MULTI)
            return std::string(binary_op_name(int(ins.arg)));
        if (ins.opcode >= op::UNARY_OP_MULTI)
            return std::string(unary_op_name(int(ins.arg)));
        return std::to_string(ins.arg);
    default:
        return std::to_string(ins.arg);
    }
}

std::vector<LineMark> line_marks(const Prelude& p) {
    std::vector<LineMark> marks;
    std::size_t offset = 0;
    std::uint32_t line = 1;
    marks.push_back({0, 1});
    for (const auto& e : decode_line_info(p.line_info, nullptr)) {
        offset += e.bytecode_delta;
        line += e.line_delta;
        if (marks.back().offset == offset)
            marks.back().line = line;
        else
            marks.push_back({offset, line});
    }
    return marks;
}

std::string scope_flags_text(std::uint32_t flags) {
    std::string s = "0x" + hex4(flags).substr(2);
    const std::pair<std::uint32_t, const char*> names[] = {{k_scope_generator, "generator"},
                                                           {k_scope_varkeywords, "**kwargs"},
                                                           {k_scope_varargs, "*args"},
                                                           {k_scope_defkwargs, "kw-defaults"}};
    for (auto [bit, name] : names)
        if (flags & bit)
            s += std::string(" ") + name;
    return s;
}

std::string disassemble(const Module& module) {
    return TextWriter(module).run();
}

} // namespace mpyship::mpy
