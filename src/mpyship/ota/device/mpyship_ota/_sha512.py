# SHA-512 (FIPS 180-4, section 6.4) in pure Python, for Ed25519 verification on boards whose
# hashlib has SHA-256 only. MicroPython's integers are arbitrary precision, so a 64-bit word is a
# plain int kept below 2**64 by masking after each addition and rotation.
#
# Ed25519 verification hashes 111 bytes (R, A and the 47-byte message): one block. Speed matters
# little here; clarity and a small heap do.

_MASK = 0xFFFFFFFFFFFFFFFF

# Initial hash value: the first 64 bits of the fractional parts of the square roots of the first
# 8 primes (FIPS 180-4, 5.3.5).
_IV = (
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
)

# Round constants: the first 64 bits of the fractional parts of the cube roots of the first 80
# primes (FIPS 180-4, 4.2.3).
_K = (
    0x428A2F98D728AE22, 0x7137449123EF65CD, 0xB5C0FBCFEC4D3B2F, 0xE9B5DBA58189DBBC,
    0x3956C25BF348B538, 0x59F111F1B605D019, 0x923F82A4AF194F9B, 0xAB1C5ED5DA6D8118,
    0xD807AA98A3030242, 0x12835B0145706FBE, 0x243185BE4EE4B28C, 0x550C7DC3D5FFB4E2,
    0x72BE5D74F27B896F, 0x80DEB1FE3B1696B1, 0x9BDC06A725C71235, 0xC19BF174CF692694,
    0xE49B69C19EF14AD2, 0xEFBE4786384F25E3, 0x0FC19DC68B8CD5B5, 0x240CA1CC77AC9C65,
    0x2DE92C6F592B0275, 0x4A7484AA6EA6E483, 0x5CB0A9DCBD41FBD4, 0x76F988DA831153B5,
    0x983E5152EE66DFAB, 0xA831C66D2DB43210, 0xB00327C898FB213F, 0xBF597FC7BEEF0EE4,
    0xC6E00BF33DA88FC2, 0xD5A79147930AA725, 0x06CA6351E003826F, 0x142929670A0E6E70,
    0x27B70A8546D22FFC, 0x2E1B21385C26C926, 0x4D2C6DFC5AC42AED, 0x53380D139D95B3DF,
    0x650A73548BAF63DE, 0x766A0ABB3C77B2A8, 0x81C2C92E47EDAEE6, 0x92722C851482353B,
    0xA2BFE8A14CF10364, 0xA81A664BBC423001, 0xC24B8B70D0F89791, 0xC76C51A30654BE30,
    0xD192E819D6EF5218, 0xD69906245565A910, 0xF40E35855771202A, 0x106AA07032BBD1B8,
    0x19A4C116B8D2D0C8, 0x1E376C085141AB53, 0x2748774CDF8EEB99, 0x34B0BCB5E19B48A8,
    0x391C0CB3C5C95A63, 0x4ED8AA4AE3418ACB, 0x5B9CCA4F7763E373, 0x682E6FF3D6B2B8A3,
    0x748F82EE5DEFB2FC, 0x78A5636F43172F60, 0x84C87814A1F0AB72, 0x8CC702081A6439EC,
    0x90BEFFFA23631E28, 0xA4506CEBDE82BDE9, 0xBEF9A3F7B2C67915, 0xC67178F2E372532B,
    0xCA273ECEEA26619C, 0xD186B8C721C0C207, 0xEADA7DD6CDE0EB1E, 0xF57D4F7FEE6ED178,
    0x06F067AA72176FBA, 0x0A637DC5A2C898A6, 0x113F9804BEF90DAE, 0x1B710B35131C471B,
    0x28DB77F523047D84, 0x32CAAB7B40C72493, 0x3C9EBE0A15C9BEBC, 0x431D67C49C100D4C,
    0x4CC5D4BECB3E42B6, 0x597F299CFC657E2A, 0x5FCB6FAB3AD6FAEC, 0x6C44198C4A475817,
)


def _rotr(x, n):
    return ((x >> n) | (x << (64 - n))) & _MASK


def _compress_steps(state, block):
    # A generator: yields None every 16 rounds and returns the new state. Each 64-bit operation
    # makes a new big integer, ~130 KB of short-lived garbage per block in all; the steps let a
    # caller (and the heap tests) collect it along the way. _compress() runs it in one go.
    # Message schedule: 16 words from the block, 64 more derived from them (FIPS 180-4, 6.4.2).
    w = [int.from_bytes(block[i : i + 8], "big") for i in range(0, 128, 8)]
    for t in range(16, 80):
        x = w[t - 15]
        y = w[t - 2]
        s0 = _rotr(x, 1) ^ _rotr(x, 8) ^ (x >> 7)
        s1 = _rotr(y, 19) ^ _rotr(y, 61) ^ (y >> 6)
        w.append((w[t - 16] + s0 + w[t - 7] + s1) & _MASK)
    yield None
    a, b, c, d, e, f, g, h = state
    for t in range(80):
        # Ch written as g ^ (e & (f ^ g)): the same function without ~, which would make a
        # negative big integer.
        t1 = h + (_rotr(e, 14) ^ _rotr(e, 18) ^ _rotr(e, 41)) + (g ^ (e & (f ^ g))) + _K[t] + w[t]
        t2 = (_rotr(a, 28) ^ _rotr(a, 34) ^ _rotr(a, 39)) + ((a & b) | (c & (a | b)))
        h = g
        g = f
        f = e
        e = (d + t1) & _MASK
        d = c
        c = b
        b = a
        a = (t1 + t2) & _MASK
        if t % 16 == 15:
            yield None
    return [(s + v) & _MASK for s, v in zip(state, (a, b, c, d, e, f, g, h))]


def _compress(state, block):
    steps = _compress_steps(state, block)
    try:
        while True:
            next(steps)
    except StopIteration as done:
        return done.value


def sha512_steps(data):
    """SHA-512 of data (bytes) as a generator: yields None along the way and returns the digest
    (use `digest = yield from sha512_steps(data)`)."""
    state = list(_IV)
    tail = _padded_tail(data, len(data))
    whole = len(data) - len(data) % 128
    for i in range(0, whole, 128):
        state = yield from _compress_steps(state, data[i : i + 128])
    for i in range(0, len(tail), 128):
        state = yield from _compress_steps(state, tail[i : i + 128])
    return _digest_bytes(state)


def _padded_tail(data, length):
    # The last partial block of data, then 0x80, zeros and the message length in bits as a
    # 128-bit big-endian number, making a multiple of 128 bytes (FIPS 180-4, 5.1.2).
    tail = bytes(data[len(data) - len(data) % 128 :]) + b"\x80"
    return tail + bytes((112 - len(tail)) % 128) + (length * 8).to_bytes(16, "big")


def _digest_bytes(state):
    return b"".join(v.to_bytes(8, "big") for v in state)


class sha512:
    """hashlib-style SHA-512: sha512(data).digest(), or update() in pieces."""

    def __init__(self, data=b""):
        self._state = list(_IV)
        self._pending = b""  # bytes not yet filling a whole 128-byte block
        self._length = 0  # total message length in bytes
        if data:
            self.update(data)

    def update(self, data):
        self._length += len(data)
        data = self._pending + bytes(data)
        whole = len(data) - len(data) % 128
        for i in range(0, whole, 128):
            self._state = _compress(self._state, data[i : i + 128])
        self._pending = data[whole:]

    def digest(self):
        # Works on a copy of the state so that digest() can be called more than once.
        tail = _padded_tail(self._pending, self._length)
        state = self._state
        for i in range(0, len(tail), 128):
            state = _compress(state, tail[i : i + 128])
        return _digest_bytes(state)
