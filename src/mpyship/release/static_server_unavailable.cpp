// `mpyship serve` in a static build (MPYSHIP_STATIC): cpp-httplib, the server's HTTP library, exists in
// Debian only as a shared library, so the static binary has no server and says so. Any static web server
// (python3 -m http.server, nginx, ...) serves a published tree the same way.
#include "mpyship/release/static_server.h"

namespace mpyship::release {

Result<void> serve_static(const ServeOptions&) {
    return fail("`serve` is not in this static build of mpyship (its HTTP library, cpp-httplib, exists in Debian "
                "only as a shared library); use the .deb or a source build, or any static web server");
}

void stop_serving() {}

} // namespace mpyship::release
