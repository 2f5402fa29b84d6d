// A one-line progress bar on stderr, shown only when stderr is a terminal (never in logs or pipes).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace mpyship::cli {

class ProgressBar {
  public:
    explicit ProgressBar(std::string label, bool enabled = true)
        : m_label(std::move(label)), m_enabled(enabled && ::isatty(STDERR_FILENO)) {}
    ~ProgressBar() { finish(); }

    // `suffix` follows the counts, e.g. a rate: " 10.2 KB/s".
    void update(std::size_t done, std::size_t total, const std::string& suffix = {}) {
        if (!m_enabled || total == 0)
            return;
        constexpr std::size_t width = 30;
        std::size_t percent = done * 100 / total;
        if (m_shown && percent == m_percent && done != total)
            return; // redraw only when the number changes: thousands of files must not mean thousands of
                    // writes
        m_percent = percent;
        std::size_t filled = done * width / total;
        std::fprintf(stderr, "\r%s [%s%s] %zu/%zu%s", m_label.c_str(), std::string(filled, '#').c_str(),
                     std::string(width - filled, ' ').c_str(), done, total, suffix.c_str());
        std::fflush(stderr);
        m_shown = true;
    }

    void finish() {
        if (m_shown)
            std::fprintf(stderr, "\r\033[K");
        m_shown = false;
    }

  private:
    std::string m_label;
    bool m_enabled;
    bool m_shown = false;
    std::size_t m_percent = 0;
};

} // namespace mpyship::cli
