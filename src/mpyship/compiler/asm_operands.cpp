#include "mpyship/compiler/asm_operands.h"

#include <charconv>
#include <cstdio>

namespace mpyship::compiler::inline_asm {

std::optional<std::uint32_t> int_operand(const Expr* e) {
    if (!e || e->kind != ExprKind::constant)
        return std::nullopt;
    const auto* big = std::get_if<BigInt>(&e->as<Constant>().value.value);
    if (!big)
        return std::nullopt;
    const std::uint32_t low = big->magnitude().size() == 0 ? 0 : big->magnitude()[0];
    return big->is_negative() ? std::uint32_t(0) - low : low;
}

bool is_name(const Expr* e) {
    return e && e->kind == ExprKind::name;
}

bool is_name(const Expr* e, std::string_view text) {
    return is_name(e) && e->as<Name>().id == text;
}

bool is_address(const Expr* e) {
    return e && e->kind == ExprKind::list && e->as<Sequence>().elts.size() == 2;
}

std::optional<std::uint32_t> register_index(const Expr* e, std::string_view prefix, std::uint32_t count) {
    if (!is_name(e))
        return std::nullopt;
    std::string_view id = e->as<Name>().id;
    if (!id.starts_with(prefix) || id.size() == prefix.size())
        return std::nullopt;
    id.remove_prefix(prefix.size());
    if (id.size() > 1 && id[0] == '0')
        return std::nullopt;
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    if (ec != std::errc() || end != id.data() + id.size() || n >= count)
        return std::nullopt;
    return n;
}

std::uint32_t core_register(const Site& site, const Expr* e, std::uint32_t max) {
    std::optional<std::uint32_t> reg = register_index(e, "r", 16);
    if (!reg && is_name(e)) {
        const std::string& id = e->as<Name>().id;
        reg = id == "sp" ? 13u : id == "lr" ? 14u : id == "pc" ? 15u : std::optional<std::uint32_t>{};
    }
    if (!reg)
        site.fail_op("expects a register");
    if (*reg > max)
        site.fail_op("expects at most r" + std::to_string(max));
    return *reg;
}

std::uint32_t integer(const Site& site, const Expr* e) {
    const auto v = int_operand(e);
    if (!v)
        site.fail_op("expects an integer");
    return *v;
}

std::uint32_t masked_integer(const Site& site, const Expr* e, std::uint32_t mask) {
    const std::uint32_t v = integer(site, e);
    if (v & ~mask) {
        char text[80];
        std::snprintf(text, sizeof text, "integer 0x%x doesn't fit in mask 0x%x", v, mask);
        site.fail_op(text);
    }
    return v;
}

std::string label_name(const Site& site, const Expr* e) {
    if (!is_name(e))
        site.fail_op("expects a label");
    return e->as<Name>().id;
}

const Sequence& address(const Site& site, const Expr* e) {
    if (!is_address(e))
        site.fail_op("expects an address of the form [a, b]");
    return e->as<Sequence>();
}

} // namespace mpyship::compiler::inline_asm
