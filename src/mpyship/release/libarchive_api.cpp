// Fills the libarchive table: from the linked library, or from libarchive.so loaded on first use.
#include "mpyship/release/libarchive_api.h"

#ifndef MPYSHIP_LIBARCHIVE_LINKED
#include <dlfcn.h>
#endif

namespace mpyship::release {
namespace {

#ifdef MPYSHIP_LIBARCHIVE_LINKED

Result<LibArchive> load() {
    LibArchive api;
#define MPYSHIP_LIBARCHIVE_LINK(name) api.name = &::name;
    MPYSHIP_LIBARCHIVE_FUNCTIONS(MPYSHIP_LIBARCHIVE_LINK)
#undef MPYSHIP_LIBARCHIVE_LINK
    return api;
}

#else

// libarchive's ABI has been soname 13 since 3.0 (2011); the unversioned name is the development symlink.
constexpr const char* k_sonames[] = {"libarchive.so.13", "libarchive.so"};

Result<LibArchive> load() {
    void* handle = nullptr;
    for (const char* soname : k_sonames)
        if ((handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL)) != nullptr)
            break;
    if (handle == nullptr) {
        const char* why = ::dlerror();
        return fail(std::string("cannot load libarchive (needed for release archives; install libarchive13): ") +
                    (why ? why : "not found"));
    }
    LibArchive api;
    const char* missing = nullptr;
#define MPYSHIP_LIBARCHIVE_SYM(name)                                                                             \
    api.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));                                     \
    if (api.name == nullptr && missing == nullptr)                                                              \
        missing = #name;
    MPYSHIP_LIBARCHIVE_FUNCTIONS(MPYSHIP_LIBARCHIVE_SYM)
#undef MPYSHIP_LIBARCHIVE_SYM
    if (missing != nullptr)
        return fail(std::string("libarchive is too old: it has no ") + missing); // the handle stays open
    return api;
}

#endif

} // namespace

Result<const LibArchive*> load_libarchive() {
    static const Result<LibArchive> api = load(); // once per process; C++ makes this thread-safe
    if (!api)
        return std::unexpected(api.error());
    return &*api;
}

} // namespace mpyship::release
