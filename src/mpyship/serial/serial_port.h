// POSIX serial ports (termios): exclusive open, raw 8N1 mode at a given baud rate, and the errors users
// meet in practice (no permission -> the dialout group; busy -> another program has the port).
// Works the same on a USB CDC device and on a pseudo-terminal.
#pragma once

#include "mpyship/serial/transport.h"

#include <string>

namespace mpyship::serial {

class SerialPort final : public Transport {
  public:
    static Result<SerialPort> open(const std::string& device, unsigned baud);

    SerialPort(SerialPort&& other) noexcept;
    SerialPort& operator=(SerialPort&& other) noexcept;
    SerialPort(const SerialPort&) = delete;
    SerialPort& operator=(const SerialPort&) = delete;
    ~SerialPort() override;

    Result<void> write_all(std::span<const std::uint8_t> data) override;
    Result<std::size_t> read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) override;
    bool input_waiting() override;
    const std::string& device() const { return m_device; }

  private:
    SerialPort(int fd, std::string device) : m_fd(fd), m_device(std::move(device)) {}
    int m_fd = -1;
    std::string m_device;
};

// Whether `baud` is a rate termios can set.
bool is_supported_baud(unsigned baud);

} // namespace mpyship::serial
