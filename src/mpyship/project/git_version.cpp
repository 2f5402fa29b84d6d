#include "mpyship/project/git_version.h"

#include "mpyship/util/dir_list.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"

#include <cstdlib>
#include <sys/stat.h>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_answer_prefix = "=> ";

// "<name> <size> <mtime_ns> <inode>", or "<name> -" for a missing file: a rewrite (git writes a lock file
// and renames it into place) changes the inode and the mtime.
std::string stamp(const fs::path& path, const std::string& name) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return name + " -\n";
    return name + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino) + "\n";
}

// Every folder under refs/tags: a new or moved tag changes the mtime of the folder that holds it.
void stamp_tag_dirs(const fs::path& dir, const std::string& name, std::string& key) {
    key += stamp(dir, name);
    auto entries = list_directory(dir);
    if (!entries)
        return;
    for (const auto& e : *entries)
        if (e.type == EntryType::directory)
            stamp_tag_dirs(dir / e.name, name + "/" + e.name, key);
}

std::string describe_key(const fs::path& git_dir, std::int64_t newest_edit_ns) {
    auto head = read_text_file(git_dir / "HEAD");
    std::string head_text = head ? *head : std::string("-\n");
    std::string key = "HEAD " + head_text + (head_text.ends_with('\n') ? "" : "\n");
    key += stamp(git_dir / "HEAD", "HEAD-file");
    if (head_text.starts_with("ref: ")) {
        std::string ref = head_text.substr(5);
        while (!ref.empty() && (ref.back() == '\n' || ref.back() == '\r'))
            ref.pop_back();
        key += stamp(git_dir / ref, ref);
    }
    key += stamp(git_dir / "packed-refs", "packed-refs");
    key += stamp(git_dir / "index", "index");
    stamp_tag_dirs(git_dir / "refs" / "tags", "refs/tags", key);
    return key + "edits " + std::to_string(newest_edit_ns) + "\n";
}

std::optional<std::string> run_git_describe(const fs::path& root) {
    auto git = run_process({"git", "-C", root.string(), "describe", "--tags", "--always", "--dirty"});
    if (!git || git->exit_code != 0)
        return std::nullopt;
    std::string v = git->out;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r'))
        v.pop_back();
    return v.empty() ? std::nullopt : std::optional(v);
}

std::optional<std::string> cached_answer(const fs::path& cache_file, const std::string& key) {
    auto text = read_text_file(cache_file);
    if (!text || !text->starts_with(key))
        return std::nullopt;
    std::string_view rest = std::string_view(*text).substr(key.size());
    if (!rest.starts_with(k_answer_prefix) || !rest.ends_with('\n'))
        return std::nullopt;
    rest = rest.substr(k_answer_prefix.size(), rest.size() - k_answer_prefix.size() - 1);
    if (rest.empty() || rest.find('\n') != rest.npos)
        return std::nullopt;
    return std::string(rest);
}

} // namespace

fs::path find_git_dir(const fs::path& dir) {
    std::error_code ec;
    fs::path at = fs::absolute(dir, ec).lexically_normal();
    for (;;) {
        fs::path candidate = at / ".git";
        if (fs::exists(candidate, ec))
            return candidate;
        if (!at.has_relative_path())
            return {};
        at = at.parent_path();
    }
}

std::optional<std::string> git_describe(const fs::path& root, const fs::path& cache_file,
                                        std::int64_t newest_edit_ns) {
    // GIT_DIR and friends point git elsewhere than the folder search would: always ask git then.
    bool env_override =
        std::getenv("GIT_DIR") || std::getenv("GIT_WORK_TREE") || std::getenv("GIT_CEILING_DIRECTORIES");
    fs::path git_dir = env_override ? fs::path() : find_git_dir(root);
    if (!env_override && git_dir.empty())
        return std::nullopt; // not a repository: git would only say so
    std::error_code ec;
    bool cacheable = !env_override && newest_edit_ns >= 0 && fs::is_directory(git_dir, ec);
    if (!cacheable)
        return run_git_describe(root);
    std::string key = describe_key(git_dir, newest_edit_ns);
    if (auto hit = cached_answer(cache_file, key))
        return hit;
    auto answer = run_git_describe(root);
    if (answer) {
        fs::create_directories(cache_file.parent_path(), ec);
        (void)write_file_replace(cache_file, key + std::string(k_answer_prefix) + *answer + "\n");
    }
    return answer;
}

} // namespace mpyship::project
