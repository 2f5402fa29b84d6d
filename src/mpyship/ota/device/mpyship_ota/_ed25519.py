# Ed25519 signature verification (RFC 8032, section 5.1.7), pure Python for MicroPython.
#
# Only verification: a device never signs. Points are kept in extended twisted Edwards
# coordinates (X:Y:Z:T with x = X/Z, y = Y/Z, x*y = T/Z) so that adding and doubling need no
# field inversion; the one inversion happens when the result is encoded. [s]B - [k]A is computed
# in a single pass over the bits of both scalars (Straus/Shamir), which halves the doublings
# compared with two separate multiplications.
#
# The check is the cofactorless one, encode([s]B - [k]A) == R, which RFC 8032 allows
# ("sufficient, but not required").

from ._sha512 import sha512_steps

_P = 2**255 - 19  # the field prime
_L = 2**252 + 27742317777372353535851937790883648493  # the order of the base point
_D = 0x52036CEE2B6FFE738CC740797779E89800700A4D4141D8AB75EB4DCA135978A3  # -121665/121666 mod p
_D2 = _D * 2 % _P
_SQRT_M1 = 0x2B8324804FC1DF0B2B4D00993DFBD7A72F431806AD2FE478C4EE1B274A0EA0B0  # 2**((p-1)/4)

# The base point B: y = 4/5, x the even root (RFC 8032, 5.1).
_BX = 0x216936D3CD6E53FEC0A4E231FDD6DC5C692CC7609525A7B2C9562D608F25D51A
_BY = 0x6666666666666666666666666666666666666666666666666666666666666658
_B = (_BX, _BY, 1, _BX * _BY % _P)
_IDENTITY = (0, 1, 1, 0)


def _pow_fallback(base, exp, mod):
    # Square-and-multiply, for ports built without three-argument pow().
    result = 1
    base %= mod
    while exp:
        if exp & 1:
            result = result * base % mod
        base = base * base % mod
        exp >>= 1
    return result


try:
    pow(2, 3, 5)
    _pow = pow
except Exception:
    _pow = _pow_fallback


def _add(p, q):
    # RFC 8032, 5.1.4: addition on the a = -1 twisted Edwards curve in extended coordinates.
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % _P
    b = (y1 + x1) * (y2 + x2) % _P
    c = t1 * _D2 % _P * t2 % _P
    d = z1 * 2 * z2 % _P
    e = b - a
    f = d - c
    g = d + c
    h = b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _double(p):
    # RFC 8032, 5.1.4: doubling, cheaper than _add(p, p).
    x1, y1, z1, _ = p
    a = x1 * x1 % _P
    b = y1 * y1 % _P
    c = 2 * z1 * z1 % _P
    h = a + b
    s = x1 + y1
    e = h - s * s % _P
    g = a - b
    f = c + g
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _negate(p):
    x, y, z, t = p
    return (-x % _P, y, z, -t % _P)


def _decode_point(data):
    # RFC 8032, 5.1.3: y in the low 255 bits, the sign of x in the top bit. Returns None for an
    # encoding that is not a point (non-canonical y, no square root, or "-0").
    y = int.from_bytes(data, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        return None
    yy = y * y % _P
    u = (yy - 1) % _P
    v = (_D * yy + 1) % _P
    # x = u/v ** ((p+3)/8) computed as u * v**3 * (u * v**7) ** ((p-5)/8): one exponentiation.
    v3 = v * v % _P * v % _P
    x = u * v3 % _P * _pow(u * v3 % _P * v3 % _P * v % _P, (_P - 5) // 8, _P) % _P
    vxx = v * x % _P * x % _P
    if vxx != u:
        if vxx != -u % _P:
            return None
        x = x * _SQRT_M1 % _P
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return (x, y, 1, x * y % _P)


def _encode_point(p):
    x, y, z, _ = p
    zinv = _pow(z, _P - 2, _P)
    x = x * zinv % _P
    y = y * zinv % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def verify_steps(public_key, message, signature):
    """The work of verify() cut into small steps: yields None after each one, then the result
    (True or False) last. verify() just runs it to the end; it is a generator so that a caller can
    spread the ~250 steps over time (feeding a watchdog between them) and so that the tests can
    measure the live heap between steps."""
    if len(public_key) != 32 or len(signature) != 64:
        yield False
        return
    a = _decode_point(public_key)
    s = int.from_bytes(signature[32:], "little")
    if a is None or s >= _L:
        yield False
        return
    yield None
    r = bytes(signature[:32])
    h = yield from sha512_steps(r + bytes(public_key) + bytes(message))
    k = int.from_bytes(h, "little") % _L
    # Table indexed by (bit of s) | (bit of k) << 1: the point to add for that pair of bits.
    neg_a = _negate(a)
    table = (None, _B, neg_a, _add(_B, neg_a))
    q = _IDENTITY
    yield None
    # s and k are below L < 2**253 (int.bit_length() is missing on some ports).
    for i in range(252, -1, -1):
        q = _double(q)
        pick = ((s >> i) & 1) | (((k >> i) & 1) << 1)
        if pick:
            q = _add(q, table[pick])
        yield None
    yield _encode_point(q) == r


def verify(public_key, message, signature):
    """True when signature (64 bytes) is a valid Ed25519 signature of message by public_key
    (32 bytes)."""
    result = False
    for result in verify_steps(public_key, message, signature):
        pass
    return result is True
