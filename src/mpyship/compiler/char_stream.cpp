// CharStream: normalisation (CR and CRLF become LF, NUL becomes an invalid byte, a final newline is
// added), position tracking (tabs advance to the next multiple of 8) and the two injection styles.
#include "mpyship/compiler/char_stream.h"

namespace mpyship::compiler {
namespace {

constexpr char k_invalid_byte = '\1';

bool needs_normalising(std::string_view source) {
    return (!source.empty() && source.back() != '\n') || source.find('\r') != std::string_view::npos ||
           source.find('\0') != std::string_view::npos;
}

// Appends the normalised source to `out`.
void normalise_into(std::string_view source, std::string& out) {
    out.reserve(source.size() + 1 + CharStream::k_padding);
    for (std::size_t i = 0; i < source.size(); ++i) {
        char c = source[i];
        if (c == '\r') {
            out.push_back('\n');
            if (i + 1 < source.size() && source[i + 1] == '\n') {
                ++i;
            }
        } else {
            out.push_back(c == '\0' ? k_invalid_byte : c);
        }
    }
    if (!out.empty() && out.back() != '\n') {
        out.push_back('\n');
    }
}

// The buffer of the last stream destroyed on this thread, reused by the next (a compile's source copy
// is the largest single allocation of a compile). Buffers beyond k_keep_bytes are let go.
thread_local std::string t_spare;
constexpr std::size_t k_keep_bytes = std::size_t{1} << 20;

} // namespace

CharStream::CharStream(std::string_view source) : m_owned(std::move(t_spare)) {
    m_owned.clear();
    if (needs_normalising(source)) {
        normalise_into(source, m_owned);
    } else {
        m_owned.reserve(source.size() + k_padding);
        m_owned.assign(source);
    }
    const std::size_t size = m_owned.size();
    m_owned.append(k_padding, k_end);
    m_source = std::string_view(m_owned.data(), size);
}

CharStream::~CharStream() {
    if (m_owned.capacity() <= k_keep_bytes && m_owned.capacity() > t_spare.capacity())
        t_spare = std::move(m_owned);
}

char CharStream::peek_injected(std::size_t ahead) const {
    if (m_buffer != nullptr) {
        std::size_t at = m_buffer_pos + ahead;
        if (at < m_buffer->size()) {
            return (*m_buffer)[at];
        }
        ahead = at - m_buffer->size();
    }
    std::size_t in_inserted = m_inserted.size() - m_inserted_pos;
    if (ahead < in_inserted) {
        return m_inserted[m_inserted_pos + ahead];
    }
    std::size_t at = m_pos + (ahead - in_inserted);
    return at < m_source.size() ? m_source[at] : k_end;
}

void CharStream::advance_injected() {
    track(peek());
    if (m_buffer != nullptr && m_buffer_pos < m_buffer->size()) {
        ++m_buffer_pos;
        finish_buffer_if_drained();
    } else if (m_inserted_pos < m_inserted.size()) {
        if (++m_inserted_pos == m_inserted.size()) {
            m_inserted.clear();
            m_inserted_pos = 0;
        }
    } else if (m_pos < m_source.size()) {
        ++m_pos;
    }
    update_plain();
}

void CharStream::insert_before_current(const std::string& text) {
    if (m_inserted_pos == m_inserted.size()) { // drop text a run consumed to its end
        m_inserted.clear();
        m_inserted_pos = 0;
    }
    m_inserted.insert(m_inserted_pos, text);
    update_plain();
}

void CharStream::start_buffer_injection(std::string* buffer) {
    m_buffer = buffer;
    m_buffer_pos = 0;
    finish_buffer_if_drained();
    update_plain();
}

void CharStream::finish_buffer_if_drained() {
    if (m_buffer != nullptr && m_buffer_pos >= m_buffer->size()) {
        m_buffer->clear();
        m_buffer = nullptr;
        m_buffer_pos = 0;
    }
    update_plain();
}

} // namespace mpyship::compiler
