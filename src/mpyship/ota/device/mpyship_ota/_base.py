# What every part of mpyship_ota shares: the error type, the settings from the generated _config
# module (with their defaults), and the device-side paths.

import os


class OtaError(Exception):
    """An update was refused or failed; `reason` says why, in words."""

    @property
    def reason(self):
        return self.args[0] if self.args else ""


class _Settings:
    pass


_settings = None


def settings():
    """The fields of _config.py with defaults filled in (read once)."""
    global _settings
    if _settings is None:
        try:
            from . import _config
        except ImportError:
            raise OtaError("mpyship_ota/_config.py is missing: it is written by `mpyship build`")
        s = _Settings()
        s.URL = getattr(_config, "URL", None)
        s.CHANNEL = getattr(_config, "CHANNEL", "stable")
        s.PUBLIC_KEYS = list(getattr(_config, "PUBLIC_KEYS", []))
        s.TARGET = getattr(_config, "TARGET", "micropython")
        s.MPY_ABI = getattr(_config, "MPY_ABI", None)
        s.BOARD = getattr(_config, "BOARD", None)
        s.MAX_BOOTS = getattr(_config, "MAX_BOOTS", 3)
        s.MANIFEST_CAP = getattr(_config, "MANIFEST_CAP", 65536)
        s.ROOT = getattr(_config, "ROOT", None)
        _settings = s
    return _settings


def join(a, b):
    return a + b if a.endswith("/") else a + "/" + b


def ota_dir():
    """<root>/ota, where the state records and both slots live."""
    root = settings().ROOT
    return join(root if root is not None else os.getcwd(), "ota")


def slot_dir(slot):
    return join(ota_dir(), slot)


def other_slot(slot):
    return "b" if slot == "a" else "a"
