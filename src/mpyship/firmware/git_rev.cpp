#include "mpyship/firmware/git_rev.h"

#include "mpyship/util/process.h"
#include "mpyship/util/text_lines.h"

#include <array>
#include <cctype>

namespace mpyship::firmware {

bool is_full_commit(std::string_view rev) {
    if (rev.size() != 40)
        return false;
    for (char c : rev)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return false;
    return true;
}

std::optional<std::string> pick_ref(std::string_view out, const std::string& rev) {
    // Most specific first: an annotated tag's peeled commit, the tag, a branch, then a full ref name or HEAD.
    const std::array<std::string, 4> wanted{"refs/tags/" + rev + "^{}", "refs/tags/" + rev,
                                            "refs/heads/" + rev, rev};
    std::array<std::optional<std::string>, 4> found;
    for (std::string_view line : split_lines(out)) {
        std::size_t tab = line.find('\t');
        if (tab == line.npos || !is_full_commit(line.substr(0, tab)))
            continue;
        for (std::size_t i = 0; i < wanted.size(); ++i)
            if (line.substr(tab + 1) == wanted[i] && !found[i])
                found[i] = std::string(line.substr(0, tab));
    }
    for (const auto& f : found)
        if (f)
            return f;
    return std::nullopt;
}

Result<std::optional<std::string>> resolve_remote_rev(const std::string& url, const std::string& rev) {
    if (is_full_commit(rev))
        return std::optional<std::string>(rev);
    if (url.starts_with("-") || rev.starts_with("-"))
        return fail("git source '" + url + "' rev '" + rev + "': neither may start with '-'");
    auto r = run_process({"git", "ls-remote", url, rev, rev + "^{}"});
    if (!r)
        return std::unexpected(r.error());
    if (r->exit_code != 0)
        return fail("cannot ask " + url + " what '" + rev +
                    "' points to: " + r->err.substr(0, r->err.find('\n')));
    return pick_ref(r->out, rev);
}

} // namespace mpyship::firmware
