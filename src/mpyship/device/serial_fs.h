// A board's files over its serial raw REPL: one connection (Ctrl-C, raw mode) for the whole command, the
// helpers of device_scripts.h sent once, then one raw-REPL command per operation. Writes reuse the serial
// deploy's DeviceFiles (temporary name, size and SHA-256 checked on the device, rename), so an interrupted
// put leaves the old file. close() leaves the friendly REPL (Ctrl-B).
#pragma once

#include "mpyship/deploy/device_probe.h"
#include "mpyship/device/device_fs.h"
#include "mpyship/serial/raw_repl.h"
#include "mpyship/serial/serial_port.h"

#include <memory>
#include <optional>

namespace mpyship::device {

class SerialFs final : public DeviceFs {
  public:
    static Result<std::unique_ptr<SerialFs>> open(const std::string& port, unsigned baud,
                                                  serial::RawReplTimeouts timeouts = {});

    std::string where() const override { return m_port_name; }
    std::optional<std::string> deploy_relative(const std::string& path) const override;
    Result<std::optional<DeviceEntry>> stat(const std::string& path) override;
    Result<std::vector<DeviceEntry>> list(const std::string& path, bool recursive) override;
    Result<Bytes> read(const std::string& path) override;
    Result<void> write(const std::string& path, std::span<const std::uint8_t> data) override;
    Result<void> remove(const std::string& path, bool recursive) override;
    Result<void> make_dir(const std::string& path) override;
    Result<DeviceSpace> space(const std::string& path) override;
    Result<std::string> sha256(const std::string& path) override;
    Result<void> reset(ResetKind kind) override;
    Result<void> close() override;

    const std::string& cwd() const { return m_cwd; }
    serial::RawRepl& repl() { return *m_repl; }

  private:
    SerialFs(serial::SerialPort port, serial::RawReplTimeouts timeouts);
    Result<void> start();
    Result<std::string> exec(const std::string& code);
    Result<std::vector<std::string>> call(std::string_view helper, const std::string& path,
                                          std::string_view extra = {});
    Result<void> expect_ok(std::string_view helper, const std::string& path, std::string_view extra = {});

    serial::SerialPort m_port;
    std::string m_port_name;
    std::unique_ptr<serial::RawRepl> m_repl;
    serial::RawReplTimeouts m_timeouts;
    std::string m_cwd;
    std::optional<deploy::DeviceInfo> m_info; // probed on the first write
    bool m_closed = false;
};

} // namespace mpyship::device
