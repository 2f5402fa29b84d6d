// A byte stream to a device: the serial port in real use, a pseudo-terminal in tests. The raw-REPL client
// is written against this interface only.
#pragma once

#include "mpyship/util/error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mpyship::serial {

class Transport {
  public:
    virtual ~Transport() = default;
    virtual Result<void> write_all(std::span<const std::uint8_t> data) = 0;
    // Waits up to `timeout` for input; returns how many bytes were read (0 when the time ran out).
    // A closed link is an error.
    virtual Result<std::size_t> read_some(std::span<std::uint8_t> buffer,
                                          std::chrono::milliseconds timeout) = 0;
    // Whether a byte can be read without waiting.
    virtual bool input_waiting() = 0;
};

} // namespace mpyship::serial
