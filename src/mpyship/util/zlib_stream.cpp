#include "mpyship/util/zlib_stream.h"

#include <zlib.h>

namespace mpyship {

std::vector<std::uint8_t> zlib_compress(std::span<const std::uint8_t> data, int window_bits) {
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    std::vector<std::uint8_t> out(deflateBound(&z, uLong(data.size())));
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = uInt(data.size());
    z.next_out = out.data();
    z.avail_out = uInt(out.size());
    int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : std::vector<std::uint8_t>{};
}

Result<std::vector<std::uint8_t>> zlib_inflate(std::span<const std::uint8_t> data, std::size_t limit) {
    z_stream z{};
    if (inflateInit2(&z, 15) != Z_OK)
        return fail("cannot start zlib");
    std::vector<std::uint8_t> out;
    std::uint8_t buf[65536];
    z.next_in = const_cast<Bytef*>(data.data());
    z.avail_in = uInt(data.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = buf;
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.insert(out.end(), buf, buf + (sizeof buf - z.avail_out));
        if (out.size() > limit)
            rc = Z_BUF_ERROR;
    }
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return fail("not a valid zlib stream (or larger than expected)");
    return out;
}

} // namespace mpyship
