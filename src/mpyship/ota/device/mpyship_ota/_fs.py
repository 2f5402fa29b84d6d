# Every file-system call mpyship_ota makes goes through this module, looked up as `_fs.NAME` at
# call time, so that a test can replace one function here to count mutations or to make the n-th
# one fail like a power cut. Nothing else in the package calls os.* or open() on device files.

import os

_open = open
_DIR = 0x4000  # the S_IFDIR bit in os.stat()[0] and os.ilistdir() entries


def open_read(path):
    return _open(path, "rb")


def open_write(path):
    """Creates or truncates path."""
    return _open(path, "wb")


def open_append(path):
    return _open(path, "ab")


def write(f, data):
    n = f.write(data)
    if n is not None and n != len(data):
        # A short write to a file means the file system is full.
        raise OSError(28)  # ENOSPC
    return n


def close(f):
    """Closes a file opened for writing (files opened for reading are closed directly: reads are
    not mutations, and the fault-injection tests count mutations)."""
    f.close()


def rename(src, dst):
    try:
        os.rename(src, dst)
    except OSError:
        # A file system that will not rename over an existing file: remove it, then rename.
        # Callers only rely on this where the old file may safely vanish first.
        if stat(dst) is None:
            raise
        os.remove(dst)
        os.rename(src, dst)


def remove(path):
    os.remove(path)


def mkdir(path):
    os.mkdir(path)


def rmdir(path):
    os.rmdir(path)


def stat(path):
    """(is_dir, size), or None when path does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st[0] & _DIR) != 0, st[6]


def listdir(path):
    """[(name, is_dir)] of a folder; [] when it does not exist."""
    try:
        entries = os.ilistdir(path)
    except AttributeError:  # not MicroPython
        return [(n, stat(path + "/" + n)[0]) for n in os.listdir(path)]
    except OSError:
        return []
    return [(e[0], (e[1] & _DIR) != 0) for e in entries]
