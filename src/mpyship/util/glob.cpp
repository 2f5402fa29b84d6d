#include "mpyship/util/glob.h"

#include <optional>
#include <string>

namespace mpyship {
namespace {

// Matches a character class at pattern[pi] ('[' ... ']') against c; advances pi past it.
bool match_class(std::string_view p, std::size_t& pi, char c, bool& valid) {
    std::size_t i = pi + 1;
    bool negate = i < p.size() && (p[i] == '!' || p[i] == '^');
    if (negate)
        ++i;
    bool matched = false;
    bool first = true;
    for (; i < p.size() && (first || p[i] != ']'); first = false) {
        char lo = p[i], hi = p[i];
        if (i + 2 < p.size() && p[i + 1] == '-' && p[i + 2] != ']') {
            hi = p[i + 2];
            i += 3;
        } else {
            ++i;
        }
        matched = matched || (lo <= c && c <= hi);
    }
    valid = i < p.size();
    pi = i + 1;
    return matched != negate;
}

bool match_from(std::string_view p, std::size_t pi, std::string_view s, std::size_t si) {
    while (pi < p.size()) {
        if (p.compare(pi, 2, "**") == 0) {
            std::size_t rest = pi + 2;
            if (rest < p.size() && p[rest] == '/')
                ++rest; // "**/" also matches zero directories
            for (std::size_t k = si; k <= s.size(); ++k)
                if (match_from(p, rest, s, k))
                    return true;
            return false;
        }
        if (p[pi] == '*') {
            for (std::size_t k = si; k <= s.size(); ++k) {
                if (match_from(p, pi + 1, s, k))
                    return true;
                if (k < s.size() && s[k] == '/')
                    return false;
            }
            return false;
        }
        if (si >= s.size())
            return false;
        if (p[pi] == '?') {
            if (s[si] == '/')
                return false;
            ++pi;
            ++si;
            continue;
        }
        if (p[pi] == '[') {
            bool valid = true;
            std::size_t next = pi;
            bool ok = match_class(p, next, s[si], valid);
            if (valid) {
                if (!ok || s[si] == '/')
                    return false;
                pi = next;
                ++si;
                continue;
            }
        }
        if (p[pi] != s[si])
            return false;
        ++pi;
        ++si;
    }
    return si == s.size();
}

// Most patterns are a literal, "*suffix" or "prefix*" ("*.pem", ".env.*", "__pycache__"): matched against one
// path component without the general matcher, which a no-op build would otherwise run for every pattern
// against every file name. Returns nullopt for any other pattern.
std::optional<bool> match_simple(std::string_view p, std::string_view s) {
    constexpr std::string_view k_special = "*?[";
    const std::size_t first = p.find_first_of(k_special);
    if (first == std::string_view::npos)
        return p == s;
    if (p.find_first_of(k_special, first + 1) != std::string_view::npos)
        return std::nullopt;
    if (first == 0 && p[0] == '*') // "*" alone matches any component, as the general matcher does
        return s.ends_with(p.substr(1));
    if (first == p.size() - 1 && p[first] == '*')
        return s.starts_with(p.substr(0, first));
    return std::nullopt;
}

} // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
    if (pattern.find('/') == std::string_view::npos) {
        // Like .gitignore: a bare name matches any component, so a matched directory covers its contents.
        for (std::size_t start = 0; start <= path.size();) {
            std::size_t end = path.find('/', start);
            std::string_view part =
                path.substr(start, end == std::string_view::npos ? path.npos : end - start);
            const std::optional<bool> simple = match_simple(pattern, part);
            if (simple ? *simple : match_from(pattern, 0, part, 0))
                return true;
            if (end == std::string_view::npos)
                break;
            start = end + 1;
        }
        return false;
    }
    if (pattern.starts_with("/"))
        pattern.remove_prefix(1);
    if (pattern.ends_with("/")) // "dir/" means everything below dir
        return path.starts_with(pattern) || match_from(std::string(pattern) + "**", 0, path, 0);
    return match_from(pattern, 0, path, 0);
}

} // namespace mpyship
