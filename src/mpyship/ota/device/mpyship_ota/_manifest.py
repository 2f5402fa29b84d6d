# Reading a release manifest (docs/ota.md, format 1): split the signed envelope, check a
# signature by a trusted key, and only then parse and validate the signed bytes.

import binascii
import hashlib
import json
import sys

from ._base import OtaError

_HEAD = b'{"signed":'
_SIGS = b',"signatures":['
_CONTEXT = b"mpyship-ota-v1\n"


def split(raw):
    """(signed, signatures): the exact bytes of <S> (a memoryview into raw) and the list of
    {"keyid", "sig"} objects. <S> is what lies between the leading {"signed": and the LAST
    ,"signatures":[ -- the last, because <S> may itself contain that text inside a string."""
    cut = raw.rfind(_SIGS)
    if not raw.startswith(_HEAD) or cut < len(_HEAD):
        raise OtaError("manifest is not a signed envelope")
    tail = raw[cut + len(_SIGS) - 1 :]  # from the "[" on
    if tail.endswith(b"\n"):
        tail = tail[:-1]
    if not tail.endswith(b"}"):
        raise OtaError("manifest is not a signed envelope")
    try:
        signatures = json.loads(tail[:-1])
    except ValueError:
        raise OtaError("manifest signatures are not valid JSON")
    if not isinstance(signatures, list):
        raise OtaError("manifest signatures are not a list")
    return memoryview(raw)[len(_HEAD) : cut], signatures


def digest(signed):
    return hashlib.sha256(signed).digest()


def _hex(data):
    return binascii.hexlify(data).decode()


def trusted_keys(public_keys):
    """{keyid: 32-byte key} from "ed25519:<base64>" strings; keyid is the first 8 bytes of
    SHA-256(key) in hex."""
    keys = {}
    for text in public_keys:
        if not text.startswith("ed25519:"):
            raise OtaError("public key %r is not ed25519:<base64>" % text)
        key = binascii.a2b_base64(text[8:].encode())
        if len(key) != 32:
            raise OtaError("public key %r is not 32 bytes" % text)
        keys[_hex(hashlib.sha256(key).digest()[:8])] = key
    return keys


def check_signature_steps(signed_digest, signatures, keys):
    """A generator (see _ed25519.verify_steps): yields None while it works; raises OtaError
    unless a signature by one of keys verifies over b"mpyship-ota-v1\\n" + SHA-256(<S>)."""
    from ._ed25519 import verify_steps

    message = _CONTEXT + signed_digest
    tried = []
    for entry in signatures:
        if not isinstance(entry, dict):
            continue
        key = keys.get(entry.get("keyid"))
        if key is None:
            continue
        tried.append(entry.get("keyid"))
        try:
            # As bytes: some ports' binascii takes no str.
            signature = binascii.a2b_base64(str(entry.get("sig", "")).encode())
        except (ValueError, TypeError):
            continue
        result = False
        for result in verify_steps(key, message, signature):
            if result is None:
                yield None
        if result is True:
            return
    if not tried:
        raise OtaError("manifest is not signed by a trusted key")
    raise OtaError("bad signature (key %s)" % ", ".join(tried))


def parse(signed):
    try:
        try:
            release = json.loads(signed)  # MicroPython parses the memoryview in place
        except TypeError:
            release = json.loads(bytes(signed))  # CPython wants bytes
    except ValueError:
        raise OtaError("signed manifest is not valid JSON")
    if not isinstance(release, dict):
        raise OtaError("signed manifest is not an object")
    return release


def _check_path(path, what):
    # A path a slot file may have: relative, "/"-separated, no ".." or "." or empty component,
    # no backslash (Windows separator), no NUL.
    if not isinstance(path, str) or not path or path.startswith("/") or "\\" in path or "\0" in path:
        raise OtaError("bad %s %r" % (what, path))
    for part in path.split("/"):
        if part in ("", ".", ".."):
            raise OtaError("bad %s %r" % (what, path))


def _is_hex64(text):
    if not isinstance(text, str) or len(text) != 64:
        return False
    for c in text:
        if c not in "0123456789abcdef":
            return False
    return True


def _check_files(files):
    if not isinstance(files, list):
        raise OtaError("manifest files is not a list")
    seen = set()
    folders = set()
    for entry in files:
        if not isinstance(entry, dict):
            raise OtaError("manifest file entry is not an object")
        path = entry.get("path")
        _check_path(path, "path")
        # Names the updater uses for itself inside a slot.
        if path == ".manifest.json" or path.startswith(".manifest.json.") or path.endswith(".part"):
            raise OtaError("reserved path %r" % path)
        _check_path(entry.get("download_path"), "download_path")
        if not _is_hex64(entry.get("sha256")):
            raise OtaError("bad sha256 for %r" % path)
        for key in ("size", "z"):
            value = entry.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise OtaError("bad %s for %r" % (key, path))
        if path in seen:
            raise OtaError("duplicate path %r" % path)
        seen.add(path)
        cut = path.rfind("/")
        while cut > 0:
            folders.add(path[:cut])
            cut = path.rfind("/", 0, cut)
    for path in seen:
        if path in folders:
            raise OtaError("path %r is both a file and a folder" % path)


def _unix_now():
    # Unix seconds, or None while the clock is not set (before 2024). Some ports count from 2000.
    try:
        import time

        now = int(time.time())
        if time.gmtime(now)[0] < 2024:
            return None
        if time.gmtime(0)[0] == 2000:
            now += 946684800
        return now
    except Exception:
        return None


def _device_abi_mismatch(abi):
    # sys.implementation._mpy: low byte = .mpy version, bits 8-9 = sub-version.
    mpy = getattr(sys.implementation, "_mpy", None)
    if mpy is None:
        return None
    have = (mpy & 0xFF, (mpy >> 8) & 3)
    if (abi.get("version"), abi.get("sub_version")) != have:
        return "release needs .mpy version %r.%r, this firmware runs %d.%d" % (
            abi.get("version"), abi.get("sub_version"), have[0], have[1])
    return None


def validate(release, settings):
    """Refuses a release this device must not install (anything but the sequence checks, which
    need the state)."""
    if release.get("format") != 1:
        raise OtaError("unsupported manifest format %r" % release.get("format"))
    sequence = release.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise OtaError("bad sequence %r" % sequence)
    if release.get("channel") != settings.CHANNEL:
        raise OtaError("release is for channel %r, device follows %r" % (release.get("channel"), settings.CHANNEL))
    if release.get("target") != settings.TARGET:
        raise OtaError("release is for target %r, device is %r" % (release.get("target"), settings.TARGET))
    abi = release.get("mpy_abi")
    if not isinstance(abi, dict):
        raise OtaError("bad mpy_abi %r" % abi)
    if settings.MPY_ABI is not None and abi != settings.MPY_ABI:
        raise OtaError("release needs mpy_abi %r, device has %r" % (abi, settings.MPY_ABI))
    reason = _device_abi_mismatch(abi)
    if reason:
        raise OtaError(reason)
    board = release.get("board")
    if board is not None and settings.BOARD is not None and board != settings.BOARD:
        raise OtaError("release is for board %r, device is %r" % (board, settings.BOARD))
    expires = release.get("expires")
    if expires is not None:
        if not isinstance(expires, int):
            raise OtaError("bad expires %r" % expires)
        now = _unix_now()
        if now is not None and now >= expires:
            raise OtaError("release expired (expires %d, now %d)" % (expires, now))
    if not isinstance(release.get("version"), str):
        raise OtaError("bad version %r" % release.get("version"))
    _check_files(release.get("files"))
