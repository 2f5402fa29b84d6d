// Scope analysis state: one ScopeInfo per module/class/function/lambda/comprehension, holding its
// identifiers in first-mention order with their kinds (global, local, cell, free), and the numbering of
// locals that follows the reference (free variables first, then parameters and locals, then cells).
#pragma once

#include "mpyship/compiler/qstr_pool.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mpyship::compiler {

// Ordered as the reference orders them: everything from `lambda` on behaves like a function.
enum class ScopeKind : std::uint8_t {
    module,
    class_,
    lambda,
    list_comp,
    dict_comp,
    set_comp,
    gen_expr,
    function
};

inline bool is_func_like(ScopeKind k) {
    return k >= ScopeKind::lambda;
}
inline bool is_comp_like(ScopeKind k) {
    return k >= ScopeKind::list_comp && k <= ScopeKind::gen_expr;
}

enum class IdKind : std::uint8_t {
    undecided,
    global_implicit,
    global_implicit_assigned,
    global_explicit,
    local,
    cell,
    free,
};

inline constexpr std::uint8_t k_id_param = 0x01;
inline constexpr std::uint8_t k_id_star_param = 0x02;
inline constexpr std::uint8_t k_id_dbl_star_param = 0x04;

struct IdInfo {
    std::string name;
    IdKind kind = IdKind::undecided;
    std::uint8_t flags = 0;
    std::uint32_t local_num = 0;
    std::uint32_t qstr = QstrPool::k_none; // the name's id in the module's qstr pool once the code pass used it
};

struct ScopeInfo {
    ScopeKind kind = ScopeKind::module;
    ScopeInfo* parent = nullptr;
    std::string simple_name;
    std::vector<IdInfo> ids;
    std::uint32_t scope_flags = 0;
    std::uint32_t n_pos_args = 0;
    std::uint32_t n_kwonly_args = 0;
    std::uint32_t n_def_pos_args = 0;
    std::uint32_t n_locals = 0;
    const void* node = nullptr; // the AST node that opened the scope (null for the module)
    // Open-addressing hash index over `ids` (slot = position + 1, 0 = empty), built once a scope has
    // more names than a linear scan handles well; module scopes often have hundreds.
    std::vector<std::uint32_t> id_index;

    IdInfo* find(const std::string& name);
    IdInfo& find_or_add(const std::string& name, IdKind initial);
    void reindex(); // after `ids` was reordered
};

// A name loaded in this scope: recorded as an implicit global until proven otherwise.
void declare_load(ScopeInfo& scope, const std::string& name);
// A name stored or deleted in this scope: local in function-like scopes.
IdInfo& declare_modification(ScopeInfo& scope, const std::string& name);
// Marks `name` free in every scope between `scope` and the one that binds it (which gets a cell).
void close_over_in_parents(ScopeInfo& scope, const std::string& name);
// If an enclosing function-like scope binds the name of `id`, `id` becomes free.
void check_to_close_over(ScopeInfo& scope, IdInfo& id);
// After the scope pass: implicit globals of functions become explicit, locals and cells are numbered.
void number_locals(ScopeInfo& scope);

} // namespace mpyship::compiler
