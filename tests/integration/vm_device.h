// The official MicroPython WebAssembly VM as a serial device, for the serial deploy tests and bench:
// tests/node/repl_bridge.mjs serves the VM's REPL on a loopback port and socat bridges it to a
// pseudo-terminal. The VM lives as long as this object; the pty link (socat) is started again for every
// client, since socat ends when the client closes the pty — like a board whose USB cable is replugged.
// Every wait has a timeout; the destructor stops what it started.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>

namespace mpyship::test {

struct VmDeviceOptions {
    bool no_hashlib = false; // `import hashlib` fails (repl_bridge.mjs --no-hashlib)
    bool raw_paste = false;  // the bridge plays the device's side of raw-paste (--raw-paste)
    unsigned baud = 0;       // paced at baud/10 bytes per second each way (--baud); 0: unpaced
};

class VmDevice {
  public:
    // Empty when node, socat and the npm package are there; otherwise why the VM cannot run.
    static std::string unavailable_reason();

    // `no_hashlib`: a device whose `import hashlib` fails (repl_bridge.mjs --no-hashlib).
    explicit VmDevice(const std::filesystem::path& work_dir, bool no_hashlib = false)
        : VmDevice(work_dir, VmDeviceOptions{no_hashlib, false, 0}) {}
    VmDevice(const std::filesystem::path& work_dir, const VmDeviceOptions& options);
    ~VmDevice();
    VmDevice(const VmDevice&) = delete;
    VmDevice& operator=(const VmDevice&) = delete;

    bool started() const { return m_port > 0; }
    const std::string& error() const { return m_error; }

    // A fresh pty link to the VM (the previous socat, if any, is stopped): its path.
    std::string link();
    // The next connection is closed by the bridge after it has received `bytes` bytes.
    void drop_next_after(std::size_t bytes);
    // A symbolic link at `path` (absolute, in the VM) to `target`, made by the bridge.
    void symlink(const std::string& target, const std::string& path);
    // Runs Python in the VM through the raw REPL over a fresh link; stdout, or "ERROR: ..." on failure.
    std::string run(const std::string& code);
    // Every file under the VM's /flash: path -> SHA-256 hex, computed inside the VM.
    std::map<std::string, std::string> file_hashes();
    void stop_link();

  private:
    std::filesystem::path m_dir;
    pid_t m_bridge = -1, m_socat = -1;
    int m_bridge_in = -1;
    int m_port = 0;
    std::string m_error;
};

} // namespace mpyship::test
