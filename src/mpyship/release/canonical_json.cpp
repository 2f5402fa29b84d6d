#include "mpyship/release/canonical_json.h"

#include "mpyship/util/text_checks.h"

#include <cstdio>

namespace mpyship::release {
namespace {

bool valid_utf8(std::string_view s) { return invalid_utf8_at(s) == std::string_view::npos; }

void write_string(std::string_view s, std::string& out) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    out += '"';
}

Result<void> write(const nlohmann::json& v, std::string& out) {
    switch (v.type()) {
    case nlohmann::json::value_t::null:
        out += "null";
        return {};
    case nlohmann::json::value_t::boolean:
        out += v.get<bool>() ? "true" : "false";
        return {};
    case nlohmann::json::value_t::number_integer:
        out += std::to_string(v.get<std::int64_t>());
        return {};
    case nlohmann::json::value_t::number_unsigned:
        out += std::to_string(v.get<std::uint64_t>());
        return {};
    case nlohmann::json::value_t::string: {
        const auto& s = v.get_ref<const std::string&>();
        if (!valid_utf8(s))
            return fail("canonical JSON: a string is not valid UTF-8");
        write_string(s, out);
        return {};
    }
    case nlohmann::json::value_t::array: {
        out += '[';
        bool first = true;
        for (const auto& item : v) {
            if (!std::exchange(first, false))
                out += ',';
            if (auto r = write(item, out); !r)
                return r;
        }
        out += ']';
        return {};
    }
    case nlohmann::json::value_t::object: {
        out += '{';
        bool first = true;
        for (const auto& [key, item] : v.items()) { // nlohmann::json keeps object keys sorted by their bytes
            if (!std::exchange(first, false))
                out += ',';
            if (!valid_utf8(key))
                return fail("canonical JSON: a key is not valid UTF-8");
            write_string(key, out);
            out += ':';
            if (auto r = write(item, out); !r)
                return r;
        }
        out += '}';
        return {};
    }
    default:
        return fail("canonical JSON has no floats or binary values");
    }
}

} // namespace

Result<std::string> canonical_json(const nlohmann::json& value) {
    std::string out;
    if (auto r = write(value, out); !r)
        return std::unexpected(r.error());
    return out;
}

} // namespace mpyship::release
