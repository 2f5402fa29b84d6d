# The device's OTA state: two alternating records, <root>/ota/state0.json and state1.json.
#
# A record is one small JSON object:
#   gen      counter, +1 on every write; the valid record with the higher gen is the state
#   active   slot of the confirmed release ("a", "b"), or None: the app in the working folder
#   seq      sequence of the confirmed release (0: none); older or equal manifests are replays
#   version  version string of the confirmed release
#   dig      SHA-256 (hex) of its signed manifest bytes: fetching the same manifest again is
#            "current" at once, without a signature check
#   pending  slot of an installed release not confirmed yet, or None
#   pseq, pversion, pdig   its sequence, version and manifest digest
#   boots    how many times the pending slot has been started
#   bad      highest sequence that was rolled back: update() does not install it again
#   sum      first 8 hex digits of SHA-256 of the record written without "sum"
#
# A write goes to the record that is not the current one (the lower gen, or the invalid one),
# under a temporary name first and then renamed into place. The current record is never touched,
# so a power cut at any point leaves at least one valid record: either the old state or the new.
# On FAT, rename over a file is remove-then-rename; the gap only loses the older record. "sum"
# catches a torn write to a file system that renames but does not order data before metadata.

import hashlib
import json
import sys

from . import _base
from . import _fs

_SUM = ', "sum": "'
_FIELDS = ("active", "seq", "version", "dig", "pending", "pseq", "pversion", "pdig", "boots", "bad")

# The slot this boot put on sys.path (None: the working folder). confirm() confirms only this.
running = None
_booted = False


def _checksum(body):
    return "".join("%02x" % b for b in hashlib.sha256(body).digest()[:4])


def _empty():
    return {"gen": 0, "active": None, "seq": 0, "version": None, "dig": None, "pending": None,
            "pseq": 0, "pversion": None, "pdig": None, "boots": 0, "bad": 0}


def _record_path(index, suffix=".json"):
    return _base.join(_base.ota_dir(), "state%d%s" % (index, suffix))


def _parse(data):
    # Returns the record, or None when the file is torn, damaged or not a record at all.
    try:
        text = data.decode()
        cut = text.rfind(_SUM)
        if cut < 0 or not text.endswith('"}'):
            return None
        body = text[:cut] + "}"
        if _checksum(body.encode()) != text[cut + len(_SUM) : -2]:
            return None
        record = json.loads(body)
        if not isinstance(record.get("gen"), int):
            return None
        for key in _FIELDS:
            if key not in record:
                return None
        return record
    except Exception:
        return None


def _read_record(index):
    f = None
    try:
        f = _fs.open_read(_record_path(index))
        data = f.read(1024)  # a record is ~200 bytes; anything larger is not one
    except OSError:
        return None
    finally:
        if f is not None:
            f.close()  # a read: not a mutation, so not through _fs.close
    return _parse(data)


def read():
    """The current state (a dict as described above), and which record index holds it (None when
    neither record is valid: a device that has never been updated)."""
    best = None
    best_index = None
    for index in (0, 1):
        record = _read_record(index)
        if record is not None and (best is None or record["gen"] > best["gen"]):
            best = record
            best_index = index
    if best is None:
        return _empty(), None
    return best, best_index


def write(record, current_index):
    """Stores record as the new state: gen + 1, into the record that is not current_index."""
    record = dict(record)
    record["gen"] = record["gen"] + 1
    record.pop("sum", None)
    body = json.dumps(record)
    text = body[:-1] + _SUM + _checksum(body.encode()) + '"}'
    target = 1 if current_index == 0 else 0
    ensure_dir(_base.ota_dir())
    temp = _record_path(target, ".tmp")
    f = _fs.open_write(temp)
    try:
        _fs.write(f, text.encode())
    finally:
        _fs.close(f)
    _fs.rename(temp, _record_path(target))
    return record, target


def ensure_dir(path):
    """mkdir -p, through _fs."""
    if _fs.stat(path) is not None:
        return
    cut = path.rfind("/")
    if cut > 0:
        ensure_dir(path[:cut])
    _fs.mkdir(path)


def _put_on_path(slot):
    # Drop any slot an earlier boot() in this interpreter put there, then add this one in front.
    prefix = _base.join(_base.ota_dir(), "")
    sys.path[:] = [p for p in sys.path if not p.startswith(prefix)]
    if slot is None:
        return
    folder = _base.slot_dir(slot)
    lib = _base.join(folder, "lib")
    if _fs.stat(lib) is not None:
        sys.path.insert(0, lib)
    sys.path.insert(0, folder)


def boot():
    """See mpyship_ota.boot()."""
    global running, _booted
    state, index = read()
    slot = state["active"]
    pending = state["pending"]
    if pending is not None:
        if state["boots"] >= _base.settings().MAX_BOOTS:
            # The pending release had its chances and never confirmed: drop it for good.
            state["pending"] = None
            state["pdig"] = None
            state["bad"] = max(state["bad"], state["pseq"])
            state["boots"] = 0
            write(state, index)
        else:
            # Count the attempt durably before running it, so that a release that crashes or
            # hangs the board still runs out of attempts. When the count cannot be stored (a
            # read-only file system), the pending release is not started at all.
            state["boots"] += 1
            try:
                write(state, index)
                slot = pending
            except OSError:
                pass
    if slot is not None and _fs.stat(_base.slot_dir(slot)) is None:
        slot = None  # the slot folder is gone: fall back to the working folder
    _put_on_path(slot)
    running = slot
    _booted = True
    return slot


def confirm():
    """See mpyship_ota.confirm()."""
    state, index = read()
    if state["pending"] is None or not _booted or running != state["pending"]:
        return False
    state["active"] = state["pending"]
    state["seq"] = state["pseq"]
    state["version"] = state["pversion"]
    state["dig"] = state["pdig"]
    state["pending"] = None
    state["pdig"] = None
    state["boots"] = 0
    write(state, index)
    return True


def status():
    state, _ = read()
    return {
        "active": state["active"],
        "sequence": state["seq"],
        "version": state["version"],
        "pending": state["pending"],
        "pending_sequence": state["pseq"] if state["pending"] else None,
        "boots": state["boots"],
        "running": running,
    }
