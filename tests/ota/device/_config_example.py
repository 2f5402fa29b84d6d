# An example of mpyship_ota/_config.py, the module `mpyship build` writes into each build from
# the [ota] section of mpyship.toml (fields documented at the top of mpyship_ota/__init__.py).

URL = "http://updates.example.com/fleet"  # base URL of the published tree
CHANNEL = "stable"
PUBLIC_KEYS = [
    # `mpyship keygen` prints keys in this form: ed25519:<base64 of the 32-byte public key>
    "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
]
TARGET = "micropython"
MPY_ABI = {"header": "M", "version": 6, "sub_version": 3, "small_int_bits": 31}
BOARD = "RPI_PICO_W"  # None: accept a release made for any board
MAX_BOOTS = 3
MANIFEST_CAP = 65536
ROOT = None  # None: os.getcwd(), "/" on a board
