#include "mpyship/util/version.h"

namespace mpyship {

std::string_view mpyship_version() {
    return MPYSHIP_VERSION;
}

} // namespace mpyship
