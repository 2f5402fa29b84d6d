# The default transport: a tiny HTTP/1.0 client over `socket`. HTTP/1.0 so that servers answer
# without chunked encoding and close the connection at the end of the body.
#
# A transport has one method, get(url, start=0) -> (stream, total): stream has read(n),
# readinto(buf) and close() and delivers the resource's bytes from offset `start` on; total is
# the whole resource's length in bytes, or None when the server does not say.
#
# Integrity does not depend on the transport: every byte is checked against the signed manifest.
# https:// works where the port has `ssl`, for privacy only (no certificate check: boards have no
# CA store).

import io

from ._base import OtaError

_HEAD_LIMIT = 4096

try:
    _Base = io.IOBase  # a subclass is a stream that deflate.DeflateIO can read
except AttributeError:
    _Base = object


def _partition(text, sep):
    # str.partition, which small ports leave out.
    at = text.find(sep)
    if at < 0:
        return text, "", ""
    return text[:at], sep, text[at + len(sep) :]


def split_url(url):
    """(scheme, host, port, path) of http://host[:port]/path."""
    scheme, sep, rest = _partition(url, "://")
    if not sep or scheme not in ("http", "https"):
        raise OtaError("unsupported URL %r" % url)
    slash = rest.find("/")
    hostport, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
    port = 443 if scheme == "https" else 80
    colon = hostport.rfind(":")
    if colon >= 0 and "]" not in hostport[colon:]:
        port = int(hostport[colon + 1 :])
        hostport = hostport[:colon]
    return scheme, hostport.strip("[]"), port, path


class _Body(_Base):
    """The response body: bytes that arrived with the headers first, then the socket, never past
    Content-Length."""

    def __init__(self, sock, early, length):
        self._sock = sock
        self._early = early
        self._left = length  # None: until the server closes

    def readinto(self, buf):
        want = len(buf)
        if self._left is not None:
            want = min(want, self._left)
        if want <= 0:
            return 0
        if self._early:
            n = min(want, len(self._early))
            buf[:n] = self._early[:n]
            self._early = self._early[n:]
        else:
            view = memoryview(buf)[:want]
            reader = getattr(self._sock, "readinto", None) or self._sock.recv_into
            n = reader(view) or 0
        if self._left is not None:
            self._left -= n
        return n

    def read(self, size=1024):
        buf = bytearray(size)
        n = self.readinto(buf)
        return bytes(buf[:n])

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _send_all(sock, data):
    view = memoryview(data)
    while view:
        n = sock.send(view)
        view = view[n:]


def _read_head(sock):
    # Returns (status, {lowercase name: value}, bytes of the body that came with the head).
    data = b""
    while True:
        end = data.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(data) > _HEAD_LIMIT:
            raise OtaError("HTTP response head too long")
        chunk = sock.recv(512)
        if not chunk:
            raise OtaError("connection closed before the HTTP response head")
        data += chunk
    lines = data[:end].decode().split("\r\n")
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise OtaError("not an HTTP response: %r" % lines[0])
    headers = {}
    for line in lines[1:]:
        name, sep, value = _partition(line, ":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers, data[end + 4 :]


def _content_range_total(value, start):
    # "bytes START-END/TOTAL": the whole length, after checking the range starts where asked.
    try:
        unit, _, spec = _partition(value, " ")
        first = int(spec.split("-")[0])
        total = spec.split("/")[1]
    except (ValueError, IndexError):
        raise OtaError("bad Content-Range %r" % value)
    if unit != "bytes" or first != start:
        raise OtaError("server sent range %r, asked for bytes=%d-" % (value, start))
    return None if total == "*" else int(total)


class Transport:
    def __init__(self, timeout=20):
        self.timeout = timeout

    def _connect(self, scheme, host, port):
        import socket  # here, so that the module loads on ports without one (and in tests)

        addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0][-1]
        sock = socket.socket()
        try:
            sock.settimeout(self.timeout)
            sock.connect(addr)
            if scheme == "https":
                import ssl

                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.verify_mode = ssl.CERT_NONE
                sock = context.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise
        return sock

    def get(self, url, start=0):
        scheme, host, port, path = split_url(url)
        sock = self._connect(scheme, host, port)
        try:
            host_header = host if port == (443 if scheme == "https" else 80) else "%s:%d" % (host, port)
            request = "GET %s HTTP/1.0\r\nHost: %s\r\n" % (path, host_header)
            if start:
                request += "Range: bytes=%d-\r\n" % start
            _send_all(sock, (request + "\r\n").encode())
            status, headers, early = _read_head(sock)
            if status not in (200, 206):
                raise OtaError("HTTP %d for %s" % (status, url))
            length = headers.get("content-length")
            length = int(length) if length is not None else None
            total = length
            if status == 206:
                total = _content_range_total(headers.get("content-range", ""), start)
            body = _Body(sock, early, length)
            if status == 200 and start:
                # The server ignored the Range header: skip what we already have.
                _skip(body, start, url)
            return body, total
        except BaseException:
            sock.close()
            raise


def _skip(body, count, url):
    buf = bytearray(min(count, 1024))
    while count:
        n = body.readinto(memoryview(buf)[: min(count, len(buf))])
        if not n:
            raise OtaError("%s ended early" % url)
        count -= n
