# Test helpers that run inside the MicroPython VM next to mpyship_ota (copied to /lib by vm.mjs).
#
# - FileTransport: the transport the tests pass to update(), since the WebAssembly VM has no
#   socket. It serves a published tree copied into the VM's file system, counts the bytes it
#   serves, and can misbehave on purpose (truncate, lengthen, lie about the length).
# - PowerCut: the fault-injection shim. It wraps the mutating functions of mpyship_ota._fs,
#   counts the calls, and makes the n-th call and every later one raise OSError, as if the power
#   went at that moment.
# - tree_sha256: what a folder holds, for comparing a slot with a manifest.

import hashlib
import io
import json
import os
import sys

import binascii


def _hex(data):
    return binascii.hexlify(data).decode()


class _Served(io.IOBase):
    """A file being served: counts bytes, can stop early or append bytes."""

    def __init__(self, transport, f, stop_after=None, extra=b""):
        self._t = transport
        self._f = f
        self._stop = stop_after
        self._extra = extra

    def readinto(self, buf):
        want = len(buf)
        if self._stop is not None:
            want = min(want, self._stop)
        n = self._f.readinto(memoryview(buf)[:want]) if want else 0
        if not n and self._extra:
            n = min(len(buf), len(self._extra))
            buf[:n] = self._extra[:n]
            self._extra = self._extra[n:]
        if self._stop is not None:
            self._stop -= n
        self._t.bytes_served += n
        return n

    def read(self, size=1024):
        buf = bytearray(size)
        return bytes(buf[: self.readinto(buf)])

    def close(self):
        self._f.close()


class FileTransport:
    """get(url, start) for URLs under base_url, served from the folder root."""

    def __init__(self, base_url, root):
        self.base_url = base_url.rstrip("/")
        self.root = root
        self.bytes_served = 0
        self.requests = []  # (path, start)
        # Misbehaviour per served path (relative to root):
        #   truncate[path] = n   stop after n bytes but announce the full length
        #   extra[path] = b".."  send these bytes after the file (announcing the full length)
        #   lie[path] = n        announce n as the length
        self.truncate = {}
        self.extra = {}
        self.lie = {}

    def get(self, url, start=0):
        if not url.startswith(self.base_url + "/"):
            raise OSError(2)
        rel = url[len(self.base_url) + 1 :]
        self.requests.append((rel, start))
        path = self.root + "/" + rel
        try:
            size = os.stat(path)[6]
        except OSError:
            raise _ota().OtaError("HTTP 404 for %s" % url)
        f = open(path, "rb")
        if start:
            f.seek(start)
        total = self.lie.get(rel, size)
        return _Served(self, f, self.truncate.get(rel), self.extra.get(rel, b"")), total


def _ota():
    import mpyship_ota

    return mpyship_ota


class PowerCut:
    """Counts the file-system mutations mpyship_ota makes; with cut_at=n the n-th one (1-based)
    and all after it raise OSError. fat=True makes a rename onto an existing file two mutations,
    remove then rename, as FatFs does it."""

    MUTATIONS = ("open_write", "open_append", "write", "close", "rename", "remove", "mkdir", "rmdir")

    def __init__(self, cut_at=None, fat=False):
        from mpyship_ota import _fs

        self.fs = _fs
        self.cut_at = cut_at
        self.fat = fat
        self.count = 0
        self.log = []
        self.saved = {}
        for name in self.MUTATIONS:
            self.saved[name] = getattr(_fs, name)
            setattr(_fs, name, self._wrap(name, self.saved[name]))

    def _tick(self, name, arg):
        self.count += 1
        self.log.append("%s %s" % (name, arg))
        if self.cut_at is not None and self.count >= self.cut_at:
            raise OSError(5)  # EIO: the power is gone

    def _wrap(self, name, fn):
        def wrapped(*args):
            arg = args[0] if args and isinstance(args[0], str) else ""
            if name == "rename" and self.fat and self.fs.stat(args[1]) is not None:
                self._tick("remove", args[1])
                os.remove(args[1])
            self._tick(name, arg)
            return fn(*args)

        return wrapped

    def restore(self):
        for name, fn in self.saved.items():
            setattr(self.fs, name, fn)


def tree_sha256(folder):
    """{relative path: sha256 hex} of every file under folder (names starting with "." at the
    top, the updater's own, left out)."""
    out = {}

    def walk(path, rel):
        for entry in os.ilistdir(path):
            name, kind = entry[0], entry[1]
            child_rel = rel + "/" + name if rel else name
            if kind & 0x4000:
                walk(path + "/" + name, child_rel)
            elif rel or not name.startswith("."):
                h = hashlib.sha256()
                with open(path + "/" + name, "rb") as f:
                    while True:
                        chunk = f.read(1024)
                        if not chunk:
                            break
                        h.update(chunk)
                out[child_rel] = _hex(h.digest())

    walk(folder, "")
    return out


def manifest_files(manifest_path):
    """{path: sha256} of a published manifest (parsing <S> the way the device does)."""
    from mpyship_ota import _manifest

    with open(manifest_path, "rb") as f:
        raw = f.read()
    release = _manifest.parse(_manifest.split(raw)[0])
    return {e["path"]: e["sha256"] for e in release["files"]}


def forget_app(names):
    """A "reboot" inside one interpreter: drop the app's modules so the next import reloads."""
    for name in list(sys.modules):
        if name in names or name.split(".")[0] in names:
            del sys.modules[name]


def result_of(fn, *args, **kwargs):
    """"ok:<result>" or "error:<OtaError reason>", for the JavaScript side."""
    try:
        return "ok:%s" % (fn(*args, **kwargs),)
    except _ota().OtaError as e:
        return "error:%s" % e.reason


def dumps(value):
    return json.dumps(value)
