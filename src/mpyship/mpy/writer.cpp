#include "mpyship/mpy/writer.h"

namespace mpyship::mpy {
namespace {

void put_bytes(Bytes& out, const std::string& s) {
    out.insert(out.end(), s.begin(), s.end());
}
void put_bytes(Bytes& out, const Bytes& b) {
    out.insert(out.end(), b.begin(), b.end());
}

void put_header(Bytes& out, const Header& h) {
    std::uint8_t features =
        std::uint8_t((std::uint8_t(h.arch) & k_feature_arch_mask) << k_feature_arch_shift) |
        (h.sub_version & k_feature_sub_version_mask) | (h.has_arch_flags ? k_feature_arch_flags : 0);
    for (std::uint8_t b : {h.magic, h.version, features, h.small_int_bits})
        out.push_back(b);
    if (h.has_arch_flags)
        put_vuint(out, h.arch_flags);
}

void put_qstr(Bytes& out, const Qstr& q) {
    if (q.is_static) {
        put_vuint(out, std::uint64_t(q.static_index) << 1 | 1);
        return;
    }
    put_vuint(out, std::uint64_t(q.text.size()) << 1);
    put_bytes(out, q.text);
    out.push_back(0);
}

void put_constant(Bytes& out, const Constant& c) {
    out.push_back(std::uint8_t(c.kind));
    switch (c.kind) {
    case ObjKind::str:
    case ObjKind::bytes:
        put_vuint(out, c.data.size());
        put_bytes(out, c.data);
        out.push_back(0);
        break;
    case ObjKind::int_:
    case ObjKind::float_:
    case ObjKind::complex:
        put_vuint(out, c.data.size());
        put_bytes(out, c.data);
        break;
    case ObjKind::tuple:
        put_vuint(out, c.items.size());
        for (const auto& item : c.items)
            put_constant(out, item);
        break;
    default:
        break;
    }
}

void put_native_extras(Bytes& out, const RawCode& rc) {
    const NativeCode& n = rc.native;
    if (rc.kind == CodeKind::native_py) {
        put_vuint(out, n.prelude_offset);
        return;
    }
    put_vuint(out, n.scope_flags);
    if (rc.kind == CodeKind::native_asm) {
        put_vuint(out, n.asm_n_pos_args);
        put_vuint(out, n.asm_type_sig);
    }
    if (rc.kind == CodeKind::native_viper) {
        if (n.scope_flags & k_scope_viper_rodata)
            put_vuint(out, n.rodata_size);
        if (n.scope_flags & k_scope_viper_bss)
            put_vuint(out, n.bss_size);
        if (n.scope_flags & k_scope_viper_rodata)
            put_bytes(out, n.rodata);
    }
}

void put_raw_code(Bytes& out, const RawCode& rc) {
    const Bytes fun = rc.kind == CodeKind::bytecode ? encode_function_data(rc) : rc.native.code;
    put_vuint(out, std::uint64_t(fun.size()) << k_raw_code_len_shift |
                       (rc.children.empty() ? 0 : k_raw_code_has_children) | std::uint64_t(rc.kind));
    put_bytes(out, fun);
    if (rc.kind != CodeKind::bytecode)
        put_native_extras(out, rc);
    if (!rc.children.empty()) {
        put_vuint(out, rc.children.size());
        for (const auto& child : rc.children)
            put_raw_code(out, child);
    }
    if (rc.kind == CodeKind::native_viper && (rc.native.scope_flags & k_scope_viper_reloc))
        put_bytes(out, rc.native.relocations);
}

} // namespace

void put_vuint(Bytes& out, std::uint64_t value) {
    std::uint8_t buf[10];
    int n = 0;
    do {
        buf[n++] = value & 0x7f;
        value >>= 7;
    } while (value);
    while (n > 1)
        out.push_back(buf[--n] | 0x80);
    out.push_back(buf[0]);
}

void put_prelude_signature(Bytes& out, const Prelude& p) {
    std::uint64_t S = p.n_state - 1, E = p.n_exc_stack, F = p.scope_flags, A = p.n_pos_args,
                  K = p.n_kwonly_args, D = p.n_def_pos_args;
    // First byte xSSSSEAA, then xFSSKAED while any bits remain.
    std::uint8_t z = std::uint8_t((S & 0xf) << 3 | (E & 1) << 2 | (A & 3));
    S >>= 4;
    E >>= 1;
    A >>= 2;
    while (S | E | F | A | K | D) {
        out.push_back(0x80 | z);
        z = std::uint8_t((F & 1) << 6 | (S & 3) << 4 | (K & 1) << 3 | (A & 1) << 2 | (E & 1) << 1 | (D & 1));
        S >>= 2;
        E >>= 1;
        F >>= 1;
        A >>= 1;
        K >>= 1;
        D >>= 1;
    }
    out.push_back(z);
}

void put_prelude_size(Bytes& out, std::uint64_t n_info, std::uint64_t n_cell) {
    // xIIIIIIC repeated while any bits remain.
    do {
        std::uint8_t z = std::uint8_t((n_info & 0x3f) << 1 | (n_cell & 1));
        n_cell >>= 1;
        n_info >>= 6;
        if (n_cell | n_info)
            z |= 0x80;
        out.push_back(z);
    } while (n_cell | n_info);
}

Bytes encode_function_data(const RawCode& rc) {
    const Prelude& p = rc.prelude;
    Bytes info;
    put_vuint(info, p.simple_name);
    for (auto name : p.arg_names)
        put_vuint(info, name);
    put_bytes(info, p.line_info);
    Bytes out;
    put_prelude_signature(out, p);
    put_prelude_size(out, info.size(), p.cells.size());
    put_bytes(out, info);
    put_bytes(out, p.cells);
    put_bytes(out, rc.bytecode);
    return out;
}

Bytes write_module(const Module& m) {
    Bytes out;
    put_header(out, m.header);
    put_vuint(out, m.qstrs.size());
    put_vuint(out, m.constants.size());
    for (const auto& q : m.qstrs)
        put_qstr(out, q);
    for (const auto& c : m.constants)
        put_constant(out, c);
    put_raw_code(out, m.root);
    return out;
}

} // namespace mpyship::mpy
