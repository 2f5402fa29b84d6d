// The raw-REPL client over a real pseudo-terminal against scripted peers that follow the documented
// protocol: raw-paste with window grants, the fallbacks, an early \x04 abort, silence and a dropped link.
#include "scripted_device.h"

#include "mpyship/serial/raw_repl.h"
#include "mpyship/serial/serial_port.h"

#include <gtest/gtest.h>

namespace mpyship::serial {
namespace {

using test::DeviceKind;
using test::ScriptedDevice;
using namespace std::chrono_literals;

constexpr RawReplTimeouts k_fast{500ms, 500ms, 2000ms};

struct Session {
    ScriptedDevice device;
    SerialPort port;
    RawRepl repl;
    explicit Session(DeviceKind kind, std::size_t window = 128)
        : device(kind, window), port(open_port(device.slave_path())), repl(port, k_fast) {}
    static SerialPort open_port(const std::string& path) {
        auto p = SerialPort::open(path, 115200);
        if (!p)
            throw std::runtime_error(p.error().to_string());
        return std::move(*p);
    }
};

std::string big_code(std::size_t n) {
    std::string code;
    while (code.size() < n)
        code += "x = " + std::to_string(code.size()) + "\n";
    return code;
}

TEST(RawRepl, RawPasteHonoursTheFlowControlWindow) {
    Session s(DeviceKind::raw_paste, 64);
    ASSERT_TRUE(s.repl.enter());
    std::string code = big_code(5000);
    auto r = s.repl.exec(code);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(s.repl.paste_mode(), PasteMode::raw_paste);
    EXPECT_EQ(r->out, "ran " + std::to_string(code.size()) + " bytes\r\n");
    EXPECT_EQ(r->err, "");
    EXPECT_EQ(s.device.last_code(), code);
    EXPECT_FALSE(s.device.window_violated());
    auto again = s.repl.exec("print(1)");
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(s.device.last_code(), "print(1)");
}

TEST(RawRepl, FallsBackToPlainRawOnRZero) {
    Session s(DeviceKind::no_raw_paste);
    ASSERT_TRUE(s.repl.enter());
    auto r = s.repl.exec(big_code(1000));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(s.repl.paste_mode(), PasteMode::plain_raw);
    EXPECT_EQ(s.device.last_code(), big_code(1000));
    auto e = s.repl.exec("raise ValueError('x')");
    ASSERT_TRUE(e);
    EXPECT_NE(e->err.find("ValueError: x"), std::string::npos);
}

TEST(RawRepl, FallsBackOnOldFirmwareBanner) {
    Session s(DeviceKind::old_firmware);
    ASSERT_TRUE(s.repl.enter());
    auto r = s.repl.exec("print(2)");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(s.repl.paste_mode(), PasteMode::plain_raw);
    EXPECT_EQ(s.device.last_code(), "print(2)");
}

TEST(RawRepl, EarlyAbortStopsSending) {
    Session s(DeviceKind::early_abort, 128);
    ASSERT_TRUE(s.repl.enter());
    auto r = s.repl.exec(big_code(4000));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_NE(r->err.find("SyntaxError"), std::string::npos);
    EXPECT_EQ(s.device.last_code().size(), 64u);
}

TEST(RawRepl, SilentDeviceTimesOutWithAHint) {
    Session s(DeviceKind::silent);
    auto r = s.repl.enter();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "device did not answer raw REPL within 500 ms (waiting for the raw REPL prompt): "
              "is a program busy? press reset");
}

TEST(RawRepl, DroppedLinkIsAnError) {
    Session s(DeviceKind::raw_paste);
    ASSERT_TRUE(s.repl.enter());
    s.device.hang_up();
    auto r = s.repl.exec(big_code(2000));
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().message.empty());
}

TEST(SerialPort, ClearErrorsForMissingDevicesAndBadBauds) {
    auto missing = SerialPort::open("/dev/ttyNOPE0", 115200);
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("no such device"), std::string::npos);
    auto baud = SerialPort::open("/dev/null", 12345);
    ASSERT_FALSE(baud);
    EXPECT_EQ(baud.error().message, "unsupported baud rate 12345");
    auto not_tty = SerialPort::open("/dev/null", 115200);
    ASSERT_FALSE(not_tty);
    EXPECT_NE(not_tty.error().message.find("not a serial port"), std::string::npos);
}

TEST(SerialPort, SecondOpenIsBusy) {
    ScriptedDevice device(DeviceKind::raw_paste);
    auto first = SerialPort::open(device.slave_path(), 115200);
    ASSERT_TRUE(first) << first.error().to_string();
    auto second = SerialPort::open(device.slave_path(), 115200);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("busy"), std::string::npos) << second.error().message;
}

} // namespace
} // namespace mpyship::serial
