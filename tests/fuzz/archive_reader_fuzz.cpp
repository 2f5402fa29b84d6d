// libFuzzer target for the release archive reader (what `verify` and `deploy` read): any bytes, written to a
// file as a user's archive would be, are either refused with a message naming the problem or read member by
// member; an accepted member's name is a safe relative path and appears once, and reading its bytes with a
// limit either fails with a message or stays within the limit.
#include "mpyship/project/manifest.h"
#include "mpyship/release/archive.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

namespace {

std::string g_path; // this process's input file, removed at exit

void remove_input() {
    std::remove(g_path.c_str());
}

const std::string& input_path() {
    g_path = "/tmp/mpyship_archive_fuzz_" + std::to_string(::getpid()) + ".bin";
    std::atexit(remove_input);
    return g_path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = input_path();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    }
    std::set<std::string> names;
    constexpr std::size_t k_limit = 4096;
    auto r = mpyship::release::read_archive(
        path, [&](const mpyship::release::ArchiveMember& m, mpyship::release::MemberData& bytes) -> mpyship::Result<void> {
            if (!m.is_directory && !mpyship::project::is_safe_relative_path(m.name))
                std::abort();
            if (!names.insert(m.name).second)
                std::abort();
            auto content = mpyship::release::read_member(m, bytes, k_limit);
            if (content && content->size() > k_limit)
                std::abort();
            if (!content && content.error().message.empty())
                std::abort();
            return {};
        });
    if (!r && r.error().message.empty())
        std::abort();
    return 0;
}
