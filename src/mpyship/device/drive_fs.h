// A board's files through its mounted USB drive. Paths are relative to the drive's root (a leading '/' is
// the root too) and may not leave it. A write goes through safe_write (temporary name, fsync, rename), then
// is read back and compared, so the page cache is never trusted. Names FAT cannot hold are refused. A drive
// cannot reset its board.
#pragma once

#include "mpyship/deploy/safe_write.h"
#include "mpyship/device/device_fs.h"

#include <filesystem>

namespace mpyship::device {

class DriveFs final : public DeviceFs {
  public:
    // `fat`: apply FAT's name rules to new names (a real board drive).
    DriveFs(std::filesystem::path root, bool fat, deploy::StepHook hook = {})
        : m_root(std::move(root)), m_fat(fat), m_hook(std::move(hook)) {}

    std::string where() const override { return m_root.string(); }
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
    Result<void> close() override { return {}; }

  private:
    Result<std::string> relative(const std::string& path) const; // checked: no "..", no link on the way
    Result<void> check_new_name(const std::string& rel) const;
    Error error_at(const std::string& rel, std::string message) const;

    std::filesystem::path m_root;
    bool m_fat;
    deploy::StepHook m_hook;
};

} // namespace mpyship::device
