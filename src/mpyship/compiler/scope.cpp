#include "mpyship/compiler/scope.h"

#include <algorithm>

namespace mpyship::compiler {

namespace {
constexpr std::size_t k_initial_ids = 8; // most scopes hold a few names; spares the first regrowths
} // namespace

IdInfo* ScopeInfo::find(const std::string& name) {
    // Cheap rejections first: most names differ in length or first character.
    const std::size_t size = name.size();
    const char first = name[0]; // '\0' for the comprehension argument ""
    for (IdInfo& id : ids)
        if (id.name.size() == size && id.name[0] == first && id.name == name)
            return &id;
    return nullptr;
}

IdInfo& ScopeInfo::find_or_add(const std::string& name, IdKind initial) {
    if (IdInfo* id = find(name))
        return *id;
    if (ids.empty())
        ids.reserve(k_initial_ids);
    ids.push_back(IdInfo{name, initial, 0, 0});
    return ids.back();
}

void declare_load(ScopeInfo& scope, const std::string& name) { scope.find_or_add(name, IdKind::global_implicit); }

IdInfo& declare_modification(ScopeInfo& scope, const std::string& name) {
    IdInfo& id = scope.find_or_add(name, IdKind::global_implicit);
    if (id.kind == IdKind::global_implicit)
        id.kind = is_func_like(scope.kind) ? IdKind::local : IdKind::global_implicit_assigned;
    return id;
}

void close_over_in_parents(ScopeInfo& scope, const std::string& name) {
    for (ScopeInfo* s = scope.parent; s != nullptr && s->parent != nullptr; s = s->parent) {
        IdInfo& id = s->find_or_add(name, IdKind::undecided);
        if (id.kind == IdKind::undecided) {
            id.kind = IdKind::free;
            continue;
        }
        if (id.kind == IdKind::local)
            id.kind = IdKind::cell;
        return;
    }
}

void check_to_close_over(ScopeInfo& scope, IdInfo& id) {
    const std::string name = id.name; // `id` may move when parents grow; keep the name
    for (ScopeInfo* s = scope.parent; s != nullptr && s->parent != nullptr; s = s->parent) {
        IdInfo* outer = s->find(name);
        if (outer == nullptr)
            continue;
        if (outer->kind == IdKind::local || outer->kind == IdKind::cell || outer->kind == IdKind::free) {
            id.kind = IdKind::free;
            close_over_in_parents(scope, name);
        }
        return;
    }
}

namespace {

// The *args parameter is numbered after the other positional and keyword-only parameters.
void move_star_param_last(ScopeInfo& scope) {
    IdInfo* last_plain = nullptr;
    for (auto it = scope.ids.rbegin(); it != scope.ids.rend(); ++it) {
        if (it->flags & k_id_star_param) {
            if (last_plain != nullptr)
                std::swap(*last_plain, *it);
            return;
        }
        if (last_plain == nullptr && it->flags == k_id_param)
            last_plain = &*it;
    }
}

void number_frees(ScopeInfo& scope) {
    std::uint32_t n_free = 0;
    for (const IdInfo& outer : scope.parent->ids) {
        if (outer.kind != IdKind::cell && outer.kind != IdKind::free)
            continue;
        for (IdInfo& id : scope.ids)
            if (id.kind == IdKind::free && id.name == outer.name)
                id.local_num = n_free++;
    }
    if (n_free == 0)
        return;
    for (IdInfo& id : scope.ids)
        if (id.kind != IdKind::free || (id.flags & k_id_param))
            id.local_num += n_free;
    scope.n_pos_args += n_free;
    scope.n_locals += n_free;
}

} // namespace

void number_locals(ScopeInfo& scope) {
    if (scope.scope_flags & 0x04) // varargs
        move_star_param_last(scope);
    scope.n_locals = 0;
    for (IdInfo& id : scope.ids) {
        if (scope.kind == ScopeKind::class_ && id.name == "__class__")
            continue;
        if (is_func_like(scope.kind) && id.kind == IdKind::global_implicit)
            id.kind = IdKind::global_explicit;
        if (id.kind == IdKind::local || (id.flags & k_id_param))
            id.local_num = scope.n_locals++;
    }
    for (IdInfo& id : scope.ids)
        if (id.kind == IdKind::cell && !(id.flags & k_id_param))
            id.local_num = scope.n_locals++;
    if (scope.parent != nullptr)
        number_frees(scope);
}

} // namespace mpyship::compiler
