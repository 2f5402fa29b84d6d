#include "mpyship/project/toml_fields.h"

namespace mpyship::project {

Result<std::shared_ptr<const ConfigDocument>> parse_config_document(std::string_view text,
                                                                    const std::string& file) {
    try {
        return std::make_shared<const ConfigDocument>(ConfigDocument{file, toml::parse(text, file)});
    } catch (const toml::parse_error& e) {
        const auto& r = e.source();
        return fail(file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) +
                    ": error: " + std::string(e.description()));
    }
}

std::string config_where(const std::string& file, const toml::node& node) {
    const auto& r = node.source();
    return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + ": error: ";
}

TomlFields::TomlFields(const toml::table& table, const std::string& file, std::string label)
    : m_table(table), m_file(file), m_label(std::move(label)) {}

ConfigProblem TomlFields::only_keys(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : m_table) {
        bool ok = false;
        for (auto k : known)
            ok = ok || key.str() == k;
        if (!ok)
            return where(node) + "unknown key '" + std::string(key.str()) + "' in " + m_label;
    }
    return std::nullopt;
}

ConfigProblem TomlFields::text(const char* key, std::optional<std::string>& out) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    auto s = n->value<std::string>();
    if (!s || s->empty())
        return where(*n) + "'" + key + "' must be a non-empty string";
    out = *s;
    return std::nullopt;
}

ConfigProblem TomlFields::text(const char* key, std::string& out) const {
    std::optional<std::string> value;
    if (auto e = text(key, value))
        return e;
    if (value)
        out = *value;
    return std::nullopt;
}

ConfigProblem TomlFields::texts(const char* key, std::vector<std::string>& out) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a)
        return where(*n) + "'" + key + "' must be an array of strings";
    out.clear();
    for (const auto& item : *a) {
        auto s = item.value<std::string>();
        if (!s || s->empty())
            return where(item) + "'" + key + "' must contain only non-empty strings";
        out.push_back(*s);
    }
    return std::nullopt;
}

ConfigProblem TomlFields::flag(const char* key, bool& out) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    auto b = n->value<bool>();
    if (!b)
        return where(*n) + "'" + key + "' must be true or false";
    out = *b;
    return std::nullopt;
}

ConfigProblem TomlFields::integer(const char* key, std::int64_t lo, std::int64_t hi, const char* expected,
                                  std::int64_t& out) const {
    const toml::node* n = get(key);
    if (!n)
        return std::nullopt;
    auto v = n->value<std::int64_t>();
    if (!v || *v < lo || *v > hi)
        return where(*n) + "'" + key + "' must be " + expected;
    out = *v;
    return std::nullopt;
}

} // namespace mpyship::project
