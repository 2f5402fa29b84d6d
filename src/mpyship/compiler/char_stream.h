// The lexer's input: source bytes with line ends normalised, a three-character look-ahead, the
// line/column of the current character, and text injection. The reference compilers desugar
// f-strings and t-strings by feeding generated source text back into the lexer; injection is how
// we reproduce that (MicroPython inserts in front of the current character; CircuitPython reads a
// separate, growable buffer until it runs dry).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mpyship::compiler {

class CharStream {
  public:
    static constexpr char k_end = '\0'; // returned past the end of input

    // The stream reads its own copy of `source`, followed by k_padding k_end bytes (a NUL in the source
    // becomes an invalid byte), so peek() and take_plain_run() on the source need no bounds checks.
    explicit CharStream(std::string_view source);
    ~CharStream(); // hands its buffer on to the next stream of the thread
    static constexpr std::size_t k_padding = 4; // > the furthest peek() ahead (2)
    CharStream(const CharStream&) = delete; // m_source may point into m_owned
    CharStream& operator=(const CharStream&) = delete;

    char peek(std::size_t ahead = 0) const {
        if (m_plain)
            return m_source.data()[m_pos + ahead]; // m_pos <= size: at worst a padding byte
        return peek_injected(ahead);
    }
    bool at_end() const { return peek() == k_end; }
    // Reading the source itself (nothing injected pending): a run taken now views the source copy, which
    // stays put as long as the stream.
    bool reading_source() const { return m_plain; }
    void advance() {
        if (m_plain && m_pos < m_source.size()) {
            track(m_source[m_pos++]);
            return;
        }
        advance_injected();
    }
    // Consumes and returns the longest run of bytes satisfying `pred`, which must reject '\n', '\t' and
    // k_end (so each byte is one column): from the source, or from MicroPython-style inserted text (the
    // run then ends with it). Empty while a CircuitPython buffer is read: callers then go on with
    // peek()/advance(). The view is valid until the stream changes.
    template <typename Pred> std::string_view take_plain_run(Pred pred) {
        if (!m_plain)
            return take_inserted_run(pred);
        std::size_t end = m_pos;
        while (pred(m_source.data()[end])) // stops at the padding at the latest: pred rejects k_end
            ++end;
        const std::string_view run(m_source.data() + m_pos, end - m_pos);
        m_column += static_cast<std::uint32_t>(run.size());
        m_pos = end;
        return run;
    }
    // Consumes `count` bytes just seen through peek(), none of them '\n' or '\t' (so each is one column).
    void advance_same_line(std::size_t count) {
        if (m_plain && m_pos + count <= m_source.size()) {
            m_pos += count;
            m_column += static_cast<std::uint32_t>(count);
            return;
        }
        for (std::size_t i = 0; i < count; ++i)
            advance();
    }
    std::uint32_t line() const { return m_line; }
    std::uint32_t column() const { return m_column; }

    // MicroPython: `text` is read next, before the current character.
    void insert_before_current(const std::string& text);
    // CircuitPython: read `buffer` (which may grow while being read) until exhausted, then resume.
    void start_buffer_injection(std::string* buffer);
    bool injecting_buffer() const { return m_buffer != nullptr; }

  private:
    std::string m_owned;       // the (normalised) source, then the padding
    std::string_view m_source; // the source as read: m_owned without the padding
    std::size_t m_pos = 0;
    std::string m_inserted; // MicroPython-style injected text, read before m_source[m_pos]
    std::size_t m_inserted_pos = 0;
    std::string* m_buffer = nullptr; // CircuitPython-style injection buffer
    std::size_t m_buffer_pos = 0;
    std::uint32_t m_line = 1;
    std::uint32_t m_column = 1;
    bool m_plain = true; // nothing injected: read m_source directly

    template <typename Pred> std::string_view take_inserted_run(Pred pred) {
        if (m_buffer != nullptr)
            return {};
        std::size_t end = m_inserted_pos;
        while (end < m_inserted.size() && pred(m_inserted[end]))
            ++end;
        const std::string_view run(m_inserted.data() + m_inserted_pos, end - m_inserted_pos);
        m_column += static_cast<std::uint32_t>(run.size());
        m_inserted_pos = end; // consumed text is dropped by advance_injected, never under the returned view
        update_plain();
        return run;
    }
    char peek_injected(std::size_t ahead) const;
    void advance_injected();
    void update_plain() { m_plain = m_buffer == nullptr && m_inserted_pos == m_inserted.size(); }
    void finish_buffer_if_drained();
    void track(char c) {
        if (c == '\n') {
            ++m_line;
            m_column = 1;
        } else if (c == '\t') {
            m_column = ((m_column - 1 + k_tab_size) / k_tab_size) * k_tab_size + 1;
        } else {
            ++m_column;
        }
    }
    static constexpr std::uint32_t k_tab_size = 8;
};

} // namespace mpyship::compiler
