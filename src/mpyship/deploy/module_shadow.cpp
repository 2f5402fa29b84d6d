#include "mpyship/deploy/module_shadow.h"

#include "mpyship/deploy/drive_names.h"

#include <map>
#include <set>

namespace mpyship::deploy {
namespace {

struct BuildIndex {
    std::set<std::string> files; // folded
    std::set<std::string> dirs;  // folded folders holding build files
};

BuildIndex index_build(const std::vector<std::string>& paths) {
    BuildIndex index;
    for (const auto& p : paths) {
        std::string key = fat_fold(p);
        index.files.insert(key);
        for (auto slash = key.rfind('/'); slash != key.npos; slash = key.rfind('/', slash - 1)) {
            index.dirs.insert(key.substr(0, slash));
            if (slash == 0)
                break;
        }
    }
    return index;
}

std::string module_stem(std::string_view path) {
    if (path.ends_with(".mpy"))
        return std::string(path.substr(0, path.size() - 4));
    return path.ends_with(".py") ? std::string(path.substr(0, path.size() - 3)) : std::string();
}

class Finder {
  public:
    Finder(const std::vector<std::string>& paths, const DeviceTree& device)
        : m_build(index_build(paths)), m_device(device) {}

    void other_forms(const std::string& path, const std::string& stem) {
        bool compiled = path.ends_with(".mpy");
        add_file(stem + (compiled ? ".py" : ".mpy"),
                 compiled ? "shadows " + path + ": .py is imported first" : "older compiled form of " + path);
    }

    void package_folder(const std::string& path, const std::string& stem) {
        if (!m_device.has_dir(stem) || m_build.dirs.contains(fat_fold(stem)))
            return;
        if (!m_device.find_file(stem + "/__init__.py") && !m_device.find_file(stem + "/__init__.mpy")) {
            m_out.notes.push_back("folder " + stem + "/ may shadow " + path + "; not a package, left alone");
            return;
        }
        m_out.packages.push_back(stem);
        std::string prefix = fat_fold(stem) + "/";
        for (auto it = m_device.files.lower_bound(prefix);
             it != m_device.files.end() && it->first.starts_with(prefix); ++it)
            add_file(it->second.path, "in package folder " + stem + "/, which shadows " + path);
    }

    void replaced_modules(const std::string& path) {
        auto slash = path.rfind('/');
        std::string name = path.substr(slash == path.npos ? 0 : slash + 1);
        if (slash == path.npos || (name != "__init__.py" && name != "__init__.mpy"))
            return;
        std::string dir = path.substr(0, slash);
        for (const char* ext : {".py", ".mpy"})
            add_file(dir + ext, "stale module replaced by package " + dir + "/");
    }

    ShadowFindings finish() {
        for (auto& [key, file] : m_files)
            m_out.files.push_back(file);
        return std::move(m_out);
    }

  private:
    void add_file(const std::string& path, std::string detail) {
        const DeviceFile* f = m_device.find_file(path);
        if (f && !m_build.files.contains(fat_fold(path)))
            m_files.try_emplace(fat_fold(path), ShadowFile{f->path, std::move(detail)});
    }

    BuildIndex m_build;
    const DeviceTree& m_device;
    std::map<std::string, ShadowFile> m_files;
    ShadowFindings m_out;
};

} // namespace

ShadowFindings find_shadows(const std::vector<std::string>& build_paths, const DeviceTree& device) {
    Finder finder(build_paths, device);
    for (const auto& path : build_paths) {
        std::string stem = module_stem(path);
        if (stem.empty())
            continue;
        finder.other_forms(path, stem);
        finder.package_folder(path, stem);
        finder.replaced_modules(path);
    }
    return finder.finish();
}

} // namespace mpyship::deploy
