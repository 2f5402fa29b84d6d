// JSON form of the disassembly: same content as the text form, for tools.
#include "mpyship/mpy/disassembler.h"

namespace mpyship::mpy {
namespace {

using Json = nlohmann::ordered_json;

Json constant_json(const Constant& c) {
    Json j;
    j["kind"] = obj_kind_name(c.kind);
    j["repr"] = constant_repr(c);
    if (c.kind == ObjKind::tuple) {
        Json items = Json::array();
        for (const auto& item : c.items)
            items.push_back(constant_json(item));
        j["items"] = items;
    }
    return j;
}

Json instructions_json(const Module& m, const RawCode& rc) {
    Json list = Json::array();
    auto marks = line_marks(rc.prelude);
    std::size_t mark = 0;
    for (std::size_t pos = 0; pos < rc.bytecode.size();) {
        auto ins = decode_instruction(rc.bytecode, pos, nullptr);
        if (!ins)
            break;
        while (mark + 1 < marks.size() && marks[mark + 1].offset <= pos)
            ++mark;
        Json j;
        j["offset"] = pos;
        j["line"] = marks[mark].line;
        j["opcode"] = ins->info.name;
        if (ins->info.arg != ArgKind::none)
            j["arg"] = ins->arg;
        if (ins->info.arg == ArgKind::jump_signed || ins->info.arg == ArgKind::jump_unsigned)
            j["target"] = ins->target;
        if (ins->extra >= 0)
            j["extra"] = ins->extra;
        std::string operand = describe_operand(m, rc, *ins);
        if (!operand.empty())
            j["text"] = operand;
        list.push_back(j);
        pos += ins->size;
    }
    return list;
}

std::string hex_bytes(const Bytes& bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out += k_digits[b >> 4];
        out += k_digits[b & 15];
    }
    return out;
}

Json raw_code_json(const Module& m, const RawCode& rc) {
    Json j;
    j["kind"] = code_kind_name(rc.kind);
    if (rc.kind == CodeKind::bytecode) {
        const Prelude& p = rc.prelude;
        j["name"] = qstr_name(m, p.simple_name);
        j["n_state"] = p.n_state;
        j["n_exc_stack"] = p.n_exc_stack;
        j["scope_flags"] = p.scope_flags;
        j["n_pos_args"] = p.n_pos_args;
        j["n_kwonly_args"] = p.n_kwonly_args;
        j["n_def_pos_args"] = p.n_def_pos_args;
        Json args = Json::array();
        for (auto a : p.arg_names)
            args.push_back(qstr_name(m, a));
        j["arg_names"] = args;
        j["cells"] = p.cells;
        Json lines = Json::array();
        for (const auto& mk : line_marks(p))
            lines.push_back(Json{{"offset", mk.offset}, {"line", mk.line}});
        j["lines"] = lines;
        j["code_size"] = rc.bytecode.size();
        j["instructions"] = instructions_json(m, rc);
    } else {
        const NativeCode& n = rc.native;
        j["code_size"] = n.code.size();
        j["code_hex"] = hex_bytes(n.code);
        if (rc.kind == CodeKind::native_py)
            j["prelude_offset"] = n.prelude_offset;
        else
            j["scope_flags"] = n.scope_flags;
        if (rc.kind == CodeKind::native_asm) {
            j["n_pos_args"] = n.asm_n_pos_args;
            j["type_sig"] = n.asm_type_sig;
        }
        if (rc.kind == CodeKind::native_viper) {
            j["rodata_hex"] = hex_bytes(n.rodata);
            j["bss_size"] = n.bss_size;
            j["relocations_hex"] = hex_bytes(n.relocations);
        }
    }
    Json children = Json::array();
    for (const auto& c : rc.children)
        children.push_back(raw_code_json(m, c));
    j["children"] = children;
    return j;
}

} // namespace

Json disassemble_json(const Module& m) {
    Json j;
    const Header& h = m.header;
    j["header"] = Json{{"magic", std::string(1, char(h.magic))},
                       {"version", h.version},
                       {"sub_version", h.sub_version},
                       {"arch", native_arch_name(h.arch)},
                       {"small_int_bits", h.small_int_bits}};
    if (h.has_arch_flags)
        j["header"]["arch_flags"] = h.arch_flags;
    Json qstrs = Json::array();
    for (const auto& q : m.qstrs) {
        Json e{{"text", q.text}};
        if (q.is_static)
            e["static_index"] = q.static_index;
        qstrs.push_back(e);
    }
    j["qstrs"] = qstrs;
    Json consts = Json::array();
    for (const auto& c : m.constants)
        consts.push_back(constant_json(c));
    j["constants"] = consts;
    j["code"] = raw_code_json(m, m.root);
    return j;
}

} // namespace mpyship::mpy
