#include "mpyship/compiler/scope.h"

#include <algorithm>

namespace mpyship::compiler {

namespace {

constexpr std::size_t k_initial_ids = 8; // most scopes hold a few names; spares the first regrowths
constexpr std::size_t k_linear_ids = 16; // up to this many names a scan beats hashing

std::size_t name_hash(const std::string& name) {
    std::uint32_t h = 2166136261u; // FNV-1a
    for (const char c : name)
        h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h ^ (h >> 15);
}

void index_insert(std::vector<std::uint32_t>& index, std::size_t hash, std::uint32_t slot) {
    const std::size_t mask = index.size() - 1;
    std::size_t i = hash & mask;
    while (index[i] != 0)
        i = (i + 1) & mask;
    index[i] = slot;
}

} // namespace

IdInfo* ScopeInfo::find(const std::string& name) {
    if (!id_index.empty()) {
        const std::size_t mask = id_index.size() - 1;
        for (std::size_t i = name_hash(name) & mask; id_index[i] != 0; i = (i + 1) & mask) {
            IdInfo& id = ids[id_index[i] - 1];
            if (id.name == name)
                return &id;
        }
        return nullptr;
    }
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
    if (ids.size() > k_linear_ids) {
        if (ids.size() * 2 > id_index.size())
            reindex();
        else
            index_insert(id_index, name_hash(name), std::uint32_t(ids.size()));
    }
    return ids.back();
}

void ScopeInfo::reindex() {
    if (ids.size() <= k_linear_ids)
        return;
    std::size_t size = 64;
    while (size < ids.size() * 4)
        size *= 2;
    id_index.assign(size, 0);
    for (std::size_t k = 0; k < ids.size(); ++k)
        index_insert(id_index, name_hash(ids[k].name), std::uint32_t(k + 1));
}

void declare_load(ScopeInfo& scope, const std::string& name) {
    scope.find_or_add(name, IdKind::global_implicit);
}

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
            if (last_plain != nullptr) {
                std::swap(*last_plain, *it);
                scope.reindex();
            }
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
