#include "mpyship/util/process_stream.h"

#include "mpyship/util/spawn.h"

#include <cerrno>
#include <unistd.h>

namespace mpyship {
namespace {

void pump_lines(int fd, const std::function<void(std::string_view)>& on_line) {
    std::string pending;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buf, std::size_t(n));
        std::size_t start = 0, nl;
        while ((nl = pending.find('\n', start)) != std::string::npos) {
            on_line(std::string_view(pending).substr(start, nl - start));
            start = nl + 1;
        }
        pending.erase(0, start);
    }
    if (!pending.empty())
        on_line(pending);
}

} // namespace

Result<int> run_streaming(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::function<void(std::string_view)>& on_line) {
    auto child = spawn({argv, env, {}, false, true});
    if (!child)
        return std::unexpected(child.error());
    pump_lines(child->out, on_line);
    ::close(child->out);
    return wait_exit_code(child->pid);
}

} // namespace mpyship
