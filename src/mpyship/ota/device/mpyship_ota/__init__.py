# mpyship_ota: over-the-air updates for a MicroPython app built by mpyship (docs/ota.md).
#
#   import mpyship_ota
#   mpyship_ota.boot()            # first thing in main.py: puts the release to run on sys.path
#   import app                    # the app, from the slot boot() chose
#   ...                           # once the app knows it works:
#   mpyship_ota.confirm()
#   ...                           # now and then:
#   if mpyship_ota.update() == "updated":
#       machine.reset()
#
# Settings come from the module _config.py next to this file, which `mpyship build` writes from
# the [ota] section of mpyship.toml:
#
#   URL           str   base URL of the published tree ("http://host/fleet"); update(url) overrides
#   CHANNEL       str   channel to follow, default "stable"
#   PUBLIC_KEYS   list  trusted signing keys, each "ed25519:<base64 of the 32-byte key>"
#   TARGET        str   "micropython": a release for another target is refused
#   MPY_ABI       dict  {"header": "M", "version": 6, "sub_version": 3, "small_int_bits": 31}:
#                       what this firmware's .mpy files are; a release must need exactly this
#   BOARD         str or None   a release made for another board is refused; None accepts any
#   MAX_BOOTS     int   starts a new release gets without confirm() before it is dropped, default 3
#   MANIFEST_CAP  int   largest manifest accepted, in bytes, default 65536
#   ROOT          str or None   folder holding ota/ (state records and the slots a/ and b/);
#                       None: os.getcwd() at the time of the call
#
# Only boot(), confirm() and status() are loaded at start-up; update() imports the rest (HTTP,
# SHA-512, Ed25519) when first called, so that an app that does not update pays no RAM for it.

from ._base import OtaError
from . import _state


def boot():
    """Chooses the release to run and puts its slot folder (and its lib/ when there is one) at
    the front of sys.path; returns the slot ("a", "b") or None for the app in the working folder.

    A pending release (installed, not confirmed) is started if it has had fewer than MAX_BOOTS
    starts, and the start is counted durably before it runs. One that has used them all is
    dropped: the confirmed release runs again and update() will not reinstall that sequence."""
    return _state.boot()


def confirm():
    """Marks the release this boot runs as good: a pending one becomes the confirmed release and
    its sequence the one below which manifests are refused as replays. Returns True when it
    confirmed something; calling it again (or with nothing pending) does nothing."""
    return _state.confirm()


def status():
    """{"active", "sequence", "version", "pending", "pending_sequence", "boots", "running"}:
    the confirmed slot, its sequence and version, the pending slot and its sequence and starts
    so far, and the slot this boot put on sys.path (None: the working folder)."""
    return _state.status()


def update_steps(url=None, *, transport=None):
    """update() in small steps: a generator yielding None after each step and "updated" or
    "current" last, for an app that must do other work (feed a watchdog) while it updates."""
    from ._update import update_steps as steps

    return steps(url, transport)


def update(url=None, *, transport=None):
    """Fetches the channel's manifest and, when it is a newer release for this device signed by
    a trusted key, installs it into the inactive slot. Returns "updated" (reboot to run it) or
    "current" (nothing newer). Raises OtaError(reason) when the release is refused or the update
    fails; the running release and the state are then unchanged, and files already fetched are
    kept for the next try.

    transport: an object with get(url, start=0) -> (stream, total_length_or_None) to use
    instead of the built-in HTTP/1.0 client."""
    result = None
    try:
        for result in update_steps(url, transport=transport):
            pass
    except OSError as e:
        raise OtaError("I/O error: %r" % (e,))
    return result
