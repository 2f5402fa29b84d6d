// A scripted raw-REPL peer on the master side of a pseudo-terminal, following the protocol documented in
// MicroPython's docs/reference/repl.rst. It checks the client's flow control (never more than the granted
// window) and can behave like firmware with raw-paste, without it (R\x00), older firmware (ra...),
// a device that ends reception early, or one that never answers.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace mpyship::test {

enum class DeviceKind { raw_paste, no_raw_paste, old_firmware, early_abort, silent };

class ScriptedDevice {
  public:
    ScriptedDevice(DeviceKind kind, std::size_t window = 128);
    ~ScriptedDevice();
    ScriptedDevice(const ScriptedDevice&) = delete;
    ScriptedDevice& operator=(const ScriptedDevice&) = delete;

    const std::string& slave_path() const { return m_slave_path; }
    // What the code "prints" when run: the default echoes the code's length.
    std::function<std::string(const std::string& code)> run = [](const std::string& code) {
        return "ran " + std::to_string(code.size()) + " bytes\r\n";
    };
    std::string last_code() const;
    bool window_violated() const { return m_window_violated; }
    void hang_up(); // close the master side: the link drops

  private:
    void serve();
    bool read_exact(std::string& out, std::size_t n);
    bool read_byte(char& c);
    void send(const std::string& s);
    void serve_raw_paste();
    void serve_plain(std::string code);
    void finish(const std::string& code);

    DeviceKind m_kind;
    std::size_t m_window;
    int m_master = -1;
    int m_slave_keep = -1; // keeps the pty alive until the client opens it
    std::string m_slave_path;
    std::string m_last_code;
    std::atomic<bool> m_window_violated{false};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace mpyship::test
