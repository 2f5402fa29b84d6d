// Typed reads of one TOML table's fields, with one error shape for every config file mpyship reads
// (mpyship.toml's sections, mpyship.lock): "FILE:LINE:COL: error: 'key' must be ...". Strings must be
// non-empty wherever they are read, and unknown keys are errors so that typos do not pass silently.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace mpyship::project {

// A problem in a config file, already worded for the user; nullopt when all is well.
using ConfigProblem = std::optional<std::string>;

// A config file parsed once: the project config and the firmware config both read from it.
struct ConfigDocument {
    std::string file; // its path, as messages name it
    toml::table table;
};
Result<std::shared_ptr<const ConfigDocument>> parse_config_document(std::string_view text,
                                                                    const std::string& file);

// "FILE:LINE:COL: error: " for a node of `file`.
std::string config_where(const std::string& file, const toml::node& node);

class TomlFields {
  public:
    // `label` names the table in messages, e.g. "[build]" or "'micropython'".
    TomlFields(const toml::table& table, const std::string& file, std::string label);

    ConfigProblem only_keys(std::initializer_list<std::string_view> known) const;
    ConfigProblem text(const char* key, std::optional<std::string>& out) const;
    ConfigProblem text(const char* key, std::string& out) const;
    ConfigProblem texts(const char* key, std::vector<std::string>& out) const;
    ConfigProblem flag(const char* key, bool& out) const;
    // An integer in [lo, hi]; `expected` completes "'key' must be ...".
    ConfigProblem integer(const char* key, std::int64_t lo, std::int64_t hi, const char* expected,
                          std::int64_t& out) const;

    const toml::node* get(const char* key) const { return m_table.get(key); }
    const toml::table& table() const { return m_table; }
    std::string where(const toml::node& node) const { return config_where(m_file, node); }
    std::string where() const { return where(m_table); }

  private:
    const toml::table& m_table;
    const std::string& m_file;
    std::string m_label;
};

} // namespace mpyship::project
