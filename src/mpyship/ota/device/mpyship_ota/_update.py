# update(): fetch and check the channel's manifest, fill the inactive slot, commit.
#
# The slot being filled is never the one the state points at, and the state is changed by one
# atomic record write at the very end (see _state.py), so a power cut at any point leaves the
# device booting either the old release or, once committed, the complete new one. What a cut
# leaves in the inactive slot is reused by the next update(): files already complete (size and
# hash match) are kept and a partial download (<file>.part) is resumed with a Range request.
#
# Files are streamed in _CHUNK-byte pieces through SHA-256 into <file>.part and renamed into place
# only when size and hash match: nothing is ever held whole in RAM or decoded as text.

import binascii
import hashlib

from . import _base
from . import _fs
from . import _manifest
from . import _state
from ._base import OtaError

_CHUNK = 1024
_MANIFEST = ".manifest.json"  # the verified manifest bytes, inside each slot

try:
    import deflate
    import io

    _ZLIB_OK = hasattr(io, "IOBase") and hasattr(deflate, "DeflateIO")
except ImportError:
    _ZLIB_OK = False


def _hex(digest):
    return binascii.hexlify(digest).decode()


def _fetch_manifest(transport, url, cap):
    """The manifest's bytes, at most cap of them. With a known length they are read straight
    into a buffer of that size; without one, in chunks until the server closes."""
    stream, total = transport.get(url)
    try:
        if total is not None:
            if total > cap:
                raise OtaError("manifest larger than %d bytes" % cap)
            data = bytearray(total)
            view = memoryview(data)
            got = 0
            while got < total:
                n = stream.readinto(view[got:])
                if not n:
                    raise OtaError("manifest truncated (%d of %d bytes)" % (got, total))
                got += n
            if stream.readinto(bytearray(1)):
                raise OtaError("manifest longer than the %d bytes announced" % total)
            del view
        else:
            data = bytearray()
            chunk = bytearray(_CHUNK)
            while True:
                n = stream.readinto(chunk)
                if not n:
                    break
                if len(data) + n > cap:
                    raise OtaError("manifest larger than %d bytes" % cap)
                data.extend(chunk if n == len(chunk) else chunk[:n])
    finally:
        stream.close()
    return data  # a bytearray: converting to bytes would hold the manifest twice


def _active_files(slot):
    """{sha256: path} of the files of the release in `slot` (from the manifest saved there):
    local sources for the files a new release did not change."""
    if slot is None:
        return {}
    try:
        f = _fs.open_read(_base.join(_base.slot_dir(slot), _MANIFEST))
        try:
            raw = f.read()
        finally:
            f.close()
        files = _manifest.parse(_manifest.split(raw)[0]).get("files") or []
        return {e["sha256"]: e["path"] for e in files}
    except (OSError, OtaError, KeyError, TypeError):
        return {}  # no usable manifest: everything is downloaded


def _hash_stream(f, h, buf):
    total = 0
    while True:
        n = f.readinto(buf)
        if not n:
            return total
        h.update(memoryview(buf)[:n])
        total += n


def _file_matches(path, size, sha, buf):
    st = _fs.stat(path)
    if st is None or st[0] or st[1] != size:
        return False
    f = _fs.open_read(path)
    try:
        h = hashlib.sha256()
        _hash_stream(f, h, buf)
    finally:
        f.close()
    return _hex(h.digest()) == sha


def _copy_local(src, part, size, sha, buf):
    """Copies an unchanged file from the active slot; False (and no .part) when the source is
    missing or no longer matches its hash."""
    if _fs.stat(src) is None:
        return False
    fin = _fs.open_read(src)
    try:
        fout = _fs.open_write(part)
        try:
            h = hashlib.sha256()
            count = 0
            while True:
                n = fin.readinto(buf)
                if not n:
                    break
                chunk = memoryview(buf)[:n]
                h.update(chunk)
                _fs.write(fout, chunk)
                count += n
        finally:
            _fs.close(fout)
    finally:
        fin.close()
    if count == size and _hex(h.digest()) == sha:
        return True
    _fs.remove(part)
    return False


def _open_download(transport, url, entry, have):
    # Returns (stream to read, stream to close, length the server announced, length it should
    # have). Resuming asks for the raw object from `have` on; a fresh download prefers the
    # smaller .z twin when this port can inflate it.
    if have:
        stream, total = transport.get(url, have)
        return stream, stream, total, entry["size"]
    if entry.get("z") and _ZLIB_OK:
        raw, total = transport.get(url + ".z")
        # wbits 10: the publisher compresses with a 1 KiB window, so inflating needs only 1 KiB.
        return deflate.DeflateIO(raw, deflate.ZLIB, 10), raw, total, entry["z"]
    stream, total = transport.get(url)
    return stream, stream, total, entry["size"]


def _download(transport, base, entry, part, buf):
    """Streams the file into `part`, resuming a partial one; raises OtaError unless exactly
    `size` bytes with the right SHA-256 arrived."""
    path = entry["path"]
    size = entry["size"]
    st = _fs.stat(part)
    have = st[1] if st is not None and not st[0] and st[1] < size else 0
    h = hashlib.sha256()
    if have:
        f = _fs.open_read(part)
        try:
            have = _hash_stream(f, h, buf)
        finally:
            f.close()
    url = _base.join(base, entry["download_path"])
    stream, closer, total, expected = _open_download(transport, url, entry, have)
    try:
        if total is not None and total != expected:
            raise OtaError("%s: size mismatch (server has %d bytes, manifest says %d)" % (path, total, expected))
        out = _fs.open_append(part) if have else _fs.open_write(part)
        try:
            written = have
            while written < size:
                chunk = memoryview(buf)[: min(len(buf), size - written)]
                n = _read_some(stream, chunk, path)
                if not n:
                    break
                chunk = chunk[:n]
                h.update(chunk)
                _fs.write(out, chunk)
                written += n
        finally:
            _fs.close(out)
        if written < size:
            raise OtaError("%s: truncated (%d of %d bytes)" % (path, written, size))
        if _read_some(stream, memoryview(buf)[:1], path):
            _fs.remove(part)
            raise OtaError("%s: too long (more than %d bytes)" % (path, size))
    finally:
        closer.close()
    if _hex(h.digest()) != entry["sha256"]:
        _fs.remove(part)
        if have:
            # The kept part may have come from another release: fetch the whole file once more.
            return _download(transport, base, entry, part, buf)
        raise OtaError("%s: sha256 mismatch" % path)
    return None


def _read_some(stream, view, path):
    try:
        return stream.readinto(view) or 0
    except EOFError:
        return 0  # deflate.DeflateIO on a compressed stream that stops early
    except OSError as e:
        raise OtaError("%s: download failed (%r)" % (path, e))


def _fill(transport, base, folder, entry, sources, active_folder, buf):
    """Makes folder/<path> the release's file: kept if already right, else copied from the
    active slot, else downloaded."""
    path = entry["path"]
    dst = _base.join(folder, path)
    if _file_matches(dst, entry["size"], entry["sha256"], buf):
        return "kept"
    cut = dst.rfind("/")
    _state.ensure_dir(dst[:cut])
    part = dst + ".part"
    source = sources.get(entry["sha256"])
    how = "downloaded"
    if _file_matches(part, entry["size"], entry["sha256"], buf):
        how = "kept"  # complete before a power cut, not yet renamed
    elif source is not None and _copy_local(_base.join(active_folder, source), part, entry["size"], entry["sha256"], buf):
        how = "copied"
    else:
        _download(transport, base, entry, part, buf)
    _fs.rename(part, dst)
    return how


def _remove_tree(path):
    for name, is_dir in _fs.listdir(path):
        child = _base.join(path, name)
        if is_dir:
            _remove_tree(child)
        else:
            _fs.remove(child)
    _fs.rmdir(path)


def _prune(folder, rel, files, folders):
    """Removes from the slot everything the new release does not have (keeping <file>.part of
    its files, for resuming), so that the slot holds nothing else once filled and so that space
    is freed before downloading."""
    for name, is_dir in _fs.listdir(_base.join(folder, rel) if rel else folder):
        relpath = rel + "/" + name if rel else name
        path = _base.join(folder, relpath)
        if is_dir:
            if relpath in folders:
                _prune(folder, relpath, files, folders)
            else:
                _remove_tree(path)
        elif relpath not in files and not (relpath.endswith(".part") and relpath[:-5] in files):
            _fs.remove(path)


def _folders_of(paths):
    folders = set()
    for path in paths:
        cut = path.rfind("/")
        while cut > 0:
            folders.add(path[:cut])
            cut = path.rfind("/", 0, cut)
    return folders


def update_steps(url=None, transport=None):
    """The work of update() as a generator: yields None after each step (the signature check's
    ~270 steps, then one step per file) and "updated" or "current" last. The order of the steps
    keeps the heap small: the raw manifest goes to flash before the active slot's manifest is
    parsed, and each file entry is dropped once its file is in place."""
    settings = _base.settings()
    base = url or settings.URL
    if not base:
        raise OtaError("no update URL: set url in [ota] or pass update(url)")
    base = base.rstrip("/")
    if transport is None:
        from ._http import Transport

        transport = Transport()

    raw = _fetch_manifest(transport, "%s/%s/manifest.json" % (base, settings.CHANNEL), settings.MANIFEST_CAP)
    signed, signatures = _manifest.split(raw)
    digest = _hex(_manifest.digest(signed))
    state, index = _state.read()

    # The same bytes as an installed release's manifest were verified when it was installed.
    if digest == state["dig"] and state["active"] is not None:
        yield "current"
        return
    if digest == state["pdig"] and state["pending"] is not None:
        # Staged already: "updated" (reboot to apply), unless this boot already runs it.
        yield "current" if _state.running == state["pending"] else "updated"
        return

    yield from _manifest.check_signature_steps(
        _manifest.digest(signed), signatures, _manifest.trusted_keys(settings.PUBLIC_KEYS))
    release = _manifest.parse(signed)
    del signed, signatures
    _manifest.validate(release, settings)
    sequence = release["sequence"]
    version = release["version"]
    files = release["files"]
    del release
    if sequence <= state["seq"]:
        raise OtaError("replayed manifest: sequence %d is not above the confirmed %d" % (sequence, state["seq"]))
    if sequence <= state["bad"]:
        raise OtaError("release %d was rolled back after failing to confirm" % sequence)
    yield None

    target = _base.other_slot(state["active"])
    if state["pending"] == target:
        if state["boots"] > 0:
            raise OtaError("release %d is running unconfirmed: confirm() it first" % state["pseq"])
        # A staged release that never booted: unstage it before its slot changes.
        state["pending"] = None
        state["pdig"] = None
        state, index = _state.write(state, index)

    # The slot loses its manifest first (a half-filled slot must not look complete), then gets
    # the new one under a temporary name, renamed at commit: this frees the raw bytes early.
    folder = _base.slot_dir(target)
    _state.ensure_dir(folder)
    if _fs.stat(_base.join(folder, _MANIFEST)) is not None:
        _fs.remove(_base.join(folder, _MANIFEST))
    manifest_part = _base.join(folder, _MANIFEST + ".part")
    out = _fs.open_write(manifest_part)
    try:
        _fs.write(out, raw)
    finally:
        _fs.close(out)
    del raw
    yield None

    paths = set(f["path"] for f in files)
    paths.add(_MANIFEST)  # keeps .manifest.json.part
    _prune(folder, "", paths, _folders_of(paths))
    del paths
    yield None

    sources = _active_files(state["active"])
    active_folder = _base.slot_dir(state["active"]) if state["active"] else ""
    buf = bytearray(_CHUNK)
    for i in range(len(files)):
        _fill(transport, base, folder, files[i], sources, active_folder, buf)
        files[i] = None
        yield None

    _fs.rename(manifest_part, _base.join(folder, _MANIFEST))
    state["pending"] = target
    state["pseq"] = sequence
    state["pversion"] = version
    state["pdig"] = digest
    state["boots"] = 0
    _state.write(state, index)
    yield "updated"
