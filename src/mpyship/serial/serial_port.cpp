#include "mpyship/serial/serial_port.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <utility>

namespace mpyship::serial {
namespace {

struct BaudRate {
    unsigned rate;
    speed_t code;
};

constexpr BaudRate k_rates[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},   {921600, B921600},
    {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000}};

std::optional<speed_t> speed_code(unsigned baud) {
    for (const auto& r : k_rates)
        if (r.rate == baud)
            return r.code;
    return std::nullopt;
}

std::string open_error_text(int e) {
    switch (e) {
    case EACCES:
    case EPERM:
        return "permission denied: add yourself to the dialout group (sudo usermod -aG dialout $USER) and "
               "log in "
               "again";
    case EBUSY:
        return "device busy: another program (a serial monitor, mpremote, screen) has it open";
    case ENOENT:
    case ENXIO:
        return "no such device: is the board plugged in? (see `ls /dev/ttyACM* /dev/ttyUSB*`)";
    default:
        return std::string("cannot open: ") + std::strerror(e);
    }
}

Result<void> configure(int fd, unsigned baud, const std::string& device) {
    struct termios t {};
    if (::tcgetattr(fd, &t) != 0)
        return fail(std::string("not a serial port: ") + std::strerror(errno), device);
    ::cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(CSTOPB | CRTSCTS);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    speed_t code = *speed_code(baud);
    if (::cfsetispeed(&t, code) != 0 || ::cfsetospeed(&t, code) != 0 || ::tcsetattr(fd, TCSANOW, &t) != 0)
        return fail(std::string("cannot configure the port: ") + std::strerror(errno), device);
    return {};
}

} // namespace

bool is_supported_baud(unsigned baud) {
    return speed_code(baud).has_value();
}

Result<SerialPort> SerialPort::open(const std::string& device, unsigned baud) {
    if (!is_supported_baud(baud))
        return fail("unsupported baud rate " + std::to_string(baud), device);
    int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail(open_error_text(e), device, e);
    }
    // Exclusive use: an advisory lock against cooperating tools, TIOCEXCL against everything else.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return fail(open_error_text(EBUSY), device, EBUSY);
    }
    ::ioctl(fd, TIOCEXCL);
    if (auto c = configure(fd, baud, device); !c) {
        ::close(fd);
        return std::unexpected(c.error());
    }
    ::tcflush(fd, TCIOFLUSH);
    return SerialPort(fd, device);
}

SerialPort::SerialPort(SerialPort&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_device(std::move(other.m_device)) {}

SerialPort& SerialPort::operator=(SerialPort&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_device = std::move(other.m_device);
    }
    return *this;
}

SerialPort::~SerialPort() {
    if (m_fd >= 0) {
        ::ioctl(m_fd, TIOCNXCL);
        ::close(m_fd);
    }
}

Result<void> SerialPort::write_all(std::span<const std::uint8_t> data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(m_fd, data.data() + done, data.size() - done);
        if (n > 0) {
            done += std::size_t(n);
            continue;
        }
        if (n < 0 && errno == EIO) // the other end hung up: the same words as when a read finds it gone
            return fail("the device closed the connection", m_device, EIO);
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            return fail(std::string("write failed: ") + std::strerror(errno), m_device, errno);
        struct pollfd p {
            m_fd, POLLOUT, 0
        };
        if (::poll(&p, 1, 5000) == 0)
            return fail("write timed out: the device stopped reading", m_device);
    }
    return {};
}

Result<std::size_t> SerialPort::read_some(std::span<std::uint8_t> buffer, std::chrono::milliseconds timeout) {
    struct pollfd p {
        m_fd, POLLIN, 0
    };
    int ready = ::poll(&p, 1, int(timeout.count()));
    if (ready < 0 && errno != EINTR)
        return fail(std::string("read failed: ") + std::strerror(errno), m_device, errno);
    if (ready <= 0)
        return std::size_t{0};
    ssize_t n = ::read(m_fd, buffer.data(), buffer.size());
    if (n > 0)
        return std::size_t(n);
    if (n == 0 || (p.revents & POLLHUP) || errno == EIO)
        return fail("the device closed the connection", m_device, EIO);
    if (errno == EAGAIN || errno == EINTR)
        return std::size_t{0};
    return fail(std::string("read failed: ") + std::strerror(errno), m_device, errno);
}

bool SerialPort::input_waiting() {
    struct pollfd p {
        m_fd, POLLIN, 0
    };
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

} // namespace mpyship::serial
